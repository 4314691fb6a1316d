/*
 * rtl/interim.c - weak fallbacks so the kernel links while the full
 * implementations land (rtl/debug.c, the SEH runtime). Each strong
 * definition elsewhere replaces its fallback here.
 */
#include "rtl/rtl.h"
#include "ke/ke.h"

#include <stdio.h>
#include <unistd.h>

__attribute__((weak)) VOID RtlpDebugWrite(PCSTR Text, SIZE_T Length)
{
    while (Length > 0) {
        ssize_t n = write(STDOUT_FILENO, Text, Length);
        if (n <= 0)
            return;
        Text += n;
        Length -= (SIZE_T)n;
    }
}

__attribute__((weak)) ULONG DbgPrint(PCSTR Format, ...)
{
    char Buffer[512];
    va_list Args;
    va_start(Args, Format);
    int n = vsnprintf(Buffer, sizeof(Buffer), Format, Args);
    va_end(Args);
    if (n > 0)
        RtlpDebugWrite(Buffer, (SIZE_T)(n < (int)sizeof(Buffer) ? n : (int)sizeof(Buffer) - 1));
    return STATUS_SUCCESS;
}

__attribute__((weak)) VOID RtlRaiseStatus(NTSTATUS Status)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    BOOLEAN System = Prcb != NULL && Prcb->CurrentThread->SystemThread && !Prcb->DpcRoutineActive;
    KeBugCheckEx(System ? SYSTEM_THREAD_EXCEPTION_NOT_HANDLED : KMODE_EXCEPTION_NOT_HANDLED, (ULONG)Status,
                 (ULONG_PTR)__builtin_return_address(0), 0, 0);
}
