/*
 * ksuspend.h - what the suspension tests (ps_suspend, ps_suspend_process)
 * share: sleeping from kernel or user code, telling whether a counter a
 * user thread increments has stopped or moves, the spinning user threads
 * themselves and starting a Win32 process for them. Included once, by a
 * test driver's source.
 */
#ifndef NTPS_TEST_KSUSPEND_H
#define NTPS_TEST_KSUSPEND_H

#include <ntps.h>
#include "ktest.h"

static LARGE_INTEGER Ms(LONG Milliseconds)
{
    LARGE_INTEGER I;
    I.QuadPart = KT_MS(Milliseconds);
    return I;
}

/* Sleep from kernel or user code alike. */
static VOID Pause(LONG Milliseconds)
{
    LARGE_INTEGER I = Ms(Milliseconds);
    NtDelayExecution(FALSE, &I);
}

static LARGE_INTEGER FiveSeconds = { .QuadPart = -5000LL * 10000 };

static LONG Read(volatile LONG *Counter)
{
    return InterlockedCompareExchange(Counter, 0, 0);
}

/* TRUE once Counter has stopped moving (suspension is asynchronous) and
 * stays still for a while. */
static BOOLEAN Stops(volatile LONG *Counter)
{
    for (int i = 0; i < 400; i++) {
        LONG A = Read(Counter);
        Pause(5);
        if (Read(Counter) != A)
            continue;
        Pause(40);
        return Read(Counter) == A;
    }
    return FALSE;
}

static BOOLEAN Moves(volatile LONG *Counter)
{
    LONG A = Read(Counter);
    for (int i = 0; i < 2000; i++) {
        if (Read(Counter) != A)
            return TRUE;
        Pause(1);
    }
    return FALSE;
}

static volatile LONG Counter[4];

static NTSTATUS NTAPI Spin(PVOID Parameter)
{
    volatile LONG *C = &Counter[(ULONG_PTR)Parameter];
    for (;;)
        InterlockedIncrement(C);
    return 0;
}

static NTSTATUS Start(PCUNICODE_STRING Name, PUSER_THREAD_START_ROUTINE Routine, PVOID Parameter, PHANDLE Handle,
                      PCLIENT_ID Cid)
{
    NTPS_PROCESS_CREATE C = { Name, NULL, SubsystemInformationTypeWin32, NULL, Routine, Parameter };
    return NtpsCreateProcess(&C, Handle, Cid);
}

#endif /* NTPS_TEST_KSUSPEND_H */
