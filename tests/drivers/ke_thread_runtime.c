/*
 * KeQueryRuntimeThread: a thread's run time in clock ticks, all of it
 * kernel time (user time 0); it grows while the thread runs and not while
 * it waits. KeQueryTotalCycleTimeThread: the same in cycles, stamped with
 * the cycle counter, which advances.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Release;

static VOID Waiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Release, Executive, KernelMode, FALSE, NULL);
}

/* Run (not wait) for about Ms milliseconds of interrupt time. */
static VOID Busy(ULONG Ms)
{
    ULONGLONG Until = KeQueryInterruptTime() + (ULONGLONG)Ms * 10000;
    while (KeQueryInterruptTime() < Until)
        ;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PKTHREAD Self = KeGetCurrentThread();
    ULONG User = 12345;
    ULONG Before = KeQueryRuntimeThread(Self, &User);
    KT_EQ(User, 0);
    ULONG64 Stamp1, Stamp2;
    ULONG64 Cycles1 = KeQueryTotalCycleTimeThread(Self, &Stamp1);
    Busy(100);
    ULONG After = KeQueryRuntimeThread(Self, &User);
    ULONG64 Cycles2 = KeQueryTotalCycleTimeThread(Self, &Stamp2);
    KT_CHECK(After > Before);
    KT_EQ(User, 0);
    KT_CHECK(Cycles2 > Cycles1);
    KT_CHECK(Stamp2 > Stamp1);
    /* run time in ticks and in cycles (100 ns) agree */
    KT_CHECK(Cycles2 / KeQueryTimeIncrement() >= After - 1 && Cycles2 / KeQueryTimeIncrement() <= After + 1);

    /* a waiting thread's run time stands still */
    KeInitializeEvent(&Release, NotificationEvent, FALSE);
    PETHREAD Thread = KtStartThread(Waiter, NULL);
    KtSleep(20);
    ULONG64 Stamp;
    ULONG64 WaitCycles = KeQueryTotalCycleTimeThread((PKTHREAD)Thread, &Stamp);
    ULONG WaitTicks = KeQueryRuntimeThread((PKTHREAD)Thread, &User);
    Busy(50);
    KtSleep(20);
    KT_EQ(KeQueryTotalCycleTimeThread((PKTHREAD)Thread, &Stamp), WaitCycles);
    KT_EQ(KeQueryRuntimeThread((PKTHREAD)Thread, &User), WaitTicks);
    KeSetEvent(&Release, IO_NO_INCREMENT, FALSE);
    KtJoin(Thread);
    KT_DONE();
    return STATUS_SUCCESS;
}
