/*
 * win32/error.c - the thread's last error (in its TEB, as on Windows) and
 * the NTSTATUS -> Win32 error mapping (RtlNtStatusToDosError).
 */
#include "win32p.h"

#include <stddef.h>

/* TEB.LastErrorValue, at its documented x64 offset. */
#define W32_TEB_LAST_ERROR 0x68

static DWORD *W32LastErrorSlot(VOID)
{
    PVOID Teb = PsGetThreadTeb(PsGetCurrentThread());
    return Teb != NULL ? (DWORD *)((PCHAR)Teb + W32_TEB_LAST_ERROR) : NULL;
}

DWORD WINAPI GetLastError(VOID)
{
    DWORD *Slot = W32LastErrorSlot();
    return Slot != NULL ? *Slot : 0;
}

VOID WINAPI SetLastError(DWORD dwErrCode)
{
    DWORD *Slot = W32LastErrorSlot();
    if (Slot != NULL)
        *Slot = dwErrCode;
}

W32_API BOOL W32Fail(NTSTATUS Status)
{
    SetLastError(RtlNtStatusToDosError(Status));
    return FALSE;
}

W32_API BOOL W32Widen(LPCSTR Text, PWCHAR Buffer, size_t Capacity)
{
    size_t i = 0;
    for (; Text[i] != 0 && i + 1 < Capacity; i++)
        Buffer[i] = (UCHAR)Text[i];
    Buffer[i] = 0;
    return Text[i] == 0;
}

W32_API PLARGE_INTEGER W32Timeout(PLARGE_INTEGER Buffer, DWORD Milliseconds)
{
    if (Milliseconds == INFINITE)
        return NULL;
    Buffer->QuadPart = -(LONGLONG)Milliseconds * 10000;
    return Buffer;
}
