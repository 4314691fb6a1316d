/*
 * Timers: notification timers stay signaled once expired, synchronization
 * timers release one wait and reset; KeSetTimer returns TRUE when the timer
 * was still queued (and re-arms it, not signaled); KeCancelTimer returns
 * TRUE for a queued timer (which then never fires) and FALSE otherwise;
 * KeReadStateTimer; a periodic KeSetTimerEx with a DPC runs the DPC at
 * DISPATCH_LEVEL every period with the due time (system time, low and high
 * parts) as the system arguments; absolute due times, past ones at once.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define MS 10000LL
static KTIMER Timer;
static KDPC Dpc;
static KEVENT DpcDone;
static volatile LONG DpcCount, DpcBadIrql, DpcBadContext;
static LONGLONG DueTimes[8];

static VOID TimerDpc(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        DpcBadIrql++;
    if (D != &Dpc || Context != (PVOID)&Timer)
        DpcBadContext++;
    LONG n = InterlockedIncrement(&DpcCount) - 1;
    if (n < 8)
        DueTimes[n] = (LONGLONG)(((ULONGLONG)(ULONG)(ULONG_PTR)Arg2 << 32) | (ULONG)(ULONG_PTR)Arg1);
    if (n + 1 == 5)
        KeSetEvent(&DpcDone, 0, FALSE);
}

static VOID TestNotification(VOID)
{
    LARGE_INTEGER Due, Zero = { .QuadPart = 0 }, Short = { .QuadPart = -30 * MS };
    KeInitializeTimer(&Timer);
    KT_CHECK(!KeReadStateTimer(&Timer));
    KT_EQ(KeCancelTimer(&Timer), FALSE);                /* not queued */
    Due.QuadPart = -10000 * MS;
    KT_EQ(KeSetTimer(&Timer, Due, NULL), FALSE);
    Due.QuadPart = -10 * MS;
    KT_EQ(KeSetTimer(&Timer, Due, NULL), TRUE);         /* still queued: re-armed */
    ULONGLONG Start = KeQueryInterruptTime();
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_CHECK(KeQueryInterruptTime() - Start >= 10 * MS);
    KT_CHECK(KeReadStateTimer(&Timer));                 /* stays signaled */
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeCancelTimer(&Timer), FALSE);                /* expired one-shot */
    KT_CHECK(KeReadStateTimer(&Timer));                 /* cancel does not reset */

    /* setting it again makes it not signaled */
    Due.QuadPart = -20 * MS;
    KT_EQ(KeSetTimer(&Timer, Due, NULL), FALSE);
    KT_CHECK(!KeReadStateTimer(&Timer));
    KT_EQ(KeCancelTimer(&Timer), TRUE);                 /* was queued */
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, &Short), STATUS_TIMEOUT);
    KT_CHECK(!KeReadStateTimer(&Timer));
}

static VOID TestSynchronization(VOID)
{
    LARGE_INTEGER Due, Zero = { .QuadPart = 0 };
    KeInitializeTimerEx(&Timer, SynchronizationTimer);
    KT_CHECK(!KeReadStateTimer(&Timer));
    Due.QuadPart = -5 * MS;
    KeSetTimer(&Timer, Due, NULL);
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_CHECK(!KeReadStateTimer(&Timer));                /* the wait reset it */
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    /* expiring with nobody waiting: signaled until one wait takes it */
    KeSetTimer(&Timer, Due, NULL);
    KtSleep(20);
    KT_CHECK(KeReadStateTimer(&Timer));
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
}

static VOID TestPeriodicDpc(VOID)
{
    LARGE_INTEGER Due, Before, After;
    KeInitializeTimerEx(&Timer, NotificationTimer);
    KeInitializeDpc(&Dpc, TimerDpc, &Timer);
    KeInitializeEvent(&DpcDone, NotificationEvent, FALSE);
    DpcCount = DpcBadIrql = DpcBadContext = 0;
    Due.QuadPart = -10 * MS;
    KeQuerySystemTime(&Before);
    KT_EQ(KeSetTimerEx(&Timer, Due, 10, &Dpc), FALSE);
    KeQuerySystemTime(&After);
    KeWaitForSingleObject(&DpcDone, Executive, KernelMode, FALSE, NULL);
    KT_EQ(KeCancelTimer(&Timer), TRUE);                 /* periodic: always queued */
    KeFlushQueuedDpcs();                                /* one may have been running */
    LONG Count = DpcCount;
    KtSleep(30);
    KT_EQ(DpcCount, Count);                             /* cancelled: no more DPCs */
    KT_EQ(DpcBadIrql, 0);
    KT_EQ(DpcBadContext, 0);
    /* the first due time is the set time + 10 ms; then one period apart */
    KT_CHECK(DueTimes[0] >= Before.QuadPart + 10 * MS);
    KT_CHECK(DueTimes[0] <= After.QuadPart + 10 * MS);
    for (int i = 1; i < 5; i++)
        KT_CHECK(DueTimes[i] - DueTimes[i - 1] >= 10 * MS);     /* (DPCs of one expiry run in order) */
    KT_CHECK(KeReadStateTimer(&Timer));
}

static VOID TestAbsolute(VOID)
{
    LARGE_INTEGER Due, Now;
    KeInitializeTimerEx(&Timer, NotificationTimer);
    KeInitializeDpc(&Dpc, TimerDpc, &Timer);
    DpcCount = 0;
    KeQuerySystemTime(&Now);
    Due.QuadPart = Now.QuadPart + 20 * MS;
    KeSetTimer(&Timer, Due, &Dpc);
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KeQuerySystemTime(&Now);
    KT_CHECK(Now.QuadPart >= Due.QuadPart);
    KeFlushQueuedDpcs();
    KT_EQ(DpcCount, 1);
    KT_EQ(DueTimes[0], Due.QuadPart);                   /* the DPC gets the due time */

    /* an absolute time in the past: expires at once */
    Due.QuadPart = Now.QuadPart - 1000 * MS;
    ULONGLONG Start = KeQueryInterruptTime();
    KeSetTimer(&Timer, Due, NULL);
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_CHECK(KeQueryInterruptTime() - Start < 2000 * MS);
}

static VOID TestSetCancelsDpc(VOID)
{
    /* re-setting a queued timer cancels it first: one DPC, at the new time */
    LARGE_INTEGER Due;
    KeInitializeTimer(&Timer);
    KeInitializeDpc(&Dpc, TimerDpc, &Timer);
    DpcCount = 0;
    Due.QuadPart = -10000 * MS;
    KeSetTimer(&Timer, Due, &Dpc);
    Due.QuadPart = -15 * MS;
    KT_EQ(KeSetTimer(&Timer, Due, &Dpc), TRUE);
    KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL);
    KeFlushQueuedDpcs();
    KtSleep(10);
    KT_EQ(DpcCount, 1);
}

/* A periodic synchronization timer releases one wait per period; a DPC
 * may cancel its own periodic timer, or re-arm its one-shot timer. */
static KTIMER Timer2;
static KDPC Dpc2;
static volatile LONG SelfRuns;

static VOID CancelSelf(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    if (InterlockedIncrement(&SelfRuns) == 3)
        KT_EQ(KeCancelTimer(&Timer2), TRUE);
}

static VOID RearmSelf(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Context); UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    if (InterlockedIncrement(&SelfRuns) < 3) {
        LARGE_INTEGER Due = { .QuadPart = -5 * MS };
        KT_EQ(KeSetTimer(&Timer2, Due, D), FALSE);      /* expired: not queued */
    }
}

static VOID TestPeriodicWaitsAndSelfCancel(VOID)
{
    LARGE_INTEGER Due = { .QuadPart = -10 * MS }, Zero = { .QuadPart = 0 };
    KeInitializeTimerEx(&Timer2, SynchronizationTimer);
    ULONGLONG Start = KeQueryInterruptTime();
    KeSetTimerEx(&Timer2, Due, 10, NULL);
    for (int i = 0; i < 3; i++)
        KT_EQ(KeWaitForSingleObject(&Timer2, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_CHECK(KeQueryInterruptTime() - Start >= 30 * MS);    /* one wait per period */
    KT_EQ(KeCancelTimer(&Timer2), TRUE);
    KeWaitForSingleObject(&Timer2, Executive, KernelMode, FALSE, &Zero);   /* (one may have expired since) */

    SelfRuns = 0;
    KeInitializeTimer(&Timer2);
    KeInitializeDpc(&Dpc2, CancelSelf, NULL);
    KeSetTimerEx(&Timer2, Due, 5, &Dpc2);
    for (int i = 0; i < 1000 && ReadAcquire(&SelfRuns) < 3; i++)
        KtSleep(10);
    KtSleep(20);
    KeFlushQueuedDpcs();
    KT_EQ(SelfRuns, 3);                             /* none after it cancelled itself */
    KT_EQ(KeCancelTimer(&Timer2), FALSE);

    SelfRuns = 0;
    KeInitializeTimer(&Timer2);
    KeInitializeDpc(&Dpc2, RearmSelf, NULL);
    KeSetTimer(&Timer2, Due, &Dpc2);
    for (int i = 0; i < 1000 && ReadAcquire(&SelfRuns) < 3; i++)
        KtSleep(10);
    KtSleep(20);
    KeFlushQueuedDpcs();
    KT_EQ(SelfRuns, 3);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    TestNotification();
    TestSynchronization();
    TestPeriodicDpc();
    TestAbsolute();
    TestSetCancelsDpc();
    TestPeriodicWaitsAndSelfCancel();
    KT_DONE();
    return STATUS_SUCCESS;
}
