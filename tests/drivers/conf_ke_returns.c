/*
 * Conformance (from the WDK pages): the documented return values of small
 * Ke routines a driver writer checks.
 * - KeSetTimer/KeSetTimerEx: TRUE when the timer was already in the timer
 *   queue; KeCancelTimer: TRUE when it was; KeReadStateTimer: signaled
 *   after it expired;
 * - KeInsertQueueDpc: FALSE when the DPC is already queued;
 *   KeRemoveQueueDpc: TRUE when it was dequeued, FALSE when not queued;
 * - KeSetPriorityThread returns the old priority, KeQueryPriorityThread the
 *   current one;
 * - ExAcquireFastMutex and ExTryToAcquireFastMutex (TRUE when free) raise
 *   to APC_LEVEL;
 * - ExGetPreviousMode in DriverEntry: KernelMode.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include "ktest.h"

static KTIMER Timer;
static KDPC Dpc;
static volatile LONG DpcRan;

static VOID DpcRoutine(PKDPC D, PVOID C, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(C);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    InterlockedIncrement(&DpcRan);
}

static VOID Timers(VOID)
{
    LARGE_INTEGER Due = { .QuadPart = KT_MS(10000) };
    KeInitializeTimerEx(&Timer, NotificationTimer);
    KT_EQ(KeReadStateTimer(&Timer), FALSE);
    KT_EQ(KeSetTimer(&Timer, Due, NULL), FALSE);
    KT_EQ(KeSetTimer(&Timer, Due, NULL), TRUE);          /* was queued: reset */
    KT_EQ(KeSetTimerEx(&Timer, Due, 0, NULL), TRUE);
    KT_EQ(KeCancelTimer(&Timer), TRUE);
    KT_EQ(KeCancelTimer(&Timer), FALSE);
    Due.QuadPart = KT_MS(5);
    KT_EQ(KeSetTimer(&Timer, Due, NULL), FALSE);
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeReadStateTimer(&Timer), TRUE);
    KT_EQ(KeCancelTimer(&Timer), FALSE);                 /* expired: no longer queued */
    KT_EQ(KeReadStateTimer(&Timer), TRUE);               /* cancel does not reset the state */
    KT_EQ(KeSetTimer(&Timer, Due, NULL), FALSE);
    KT_EQ(KeReadStateTimer(&Timer), FALSE);              /* setting it resets the state */
    KeCancelTimer(&Timer);
}

static VOID Dpcs(VOID)
{
    KIRQL Old;
    KeInitializeDpc(&Dpc, DpcRoutine, NULL);
    /* at DISPATCH_LEVEL on this processor the DPC cannot run yet */
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeSetTargetProcessorDpc(&Dpc, (CCHAR)KeGetCurrentProcessorNumber());
    BOOLEAN First = KeInsertQueueDpc(&Dpc, NULL, NULL);
    BOOLEAN Second = KeInsertQueueDpc(&Dpc, NULL, NULL);
    BOOLEAN Removed = KeRemoveQueueDpc(&Dpc);
    BOOLEAN RemovedAgain = KeRemoveQueueDpc(&Dpc);
    BOOLEAN Third = KeInsertQueueDpc(&Dpc, NULL, NULL);
    KeLowerIrql(Old);
    KT_EQ(First, TRUE);
    KT_EQ(Second, FALSE);
    KT_EQ(Removed, TRUE);
    KT_EQ(RemovedAgain, FALSE);
    KT_EQ(Third, TRUE);
    KeFlushQueuedDpcs();
    KT_EQ(ReadAcquire(&DpcRan), 1);
}

static VOID Priorities(VOID)
{
    PKTHREAD Self = KeGetCurrentThread();
    KPRIORITY Start = KeQueryPriorityThread(Self);
    KT_EQ(KeSetPriorityThread(Self, 12), Start);
    KT_EQ(KeQueryPriorityThread(Self), 12);
    KT_EQ(KeSetPriorityThread(Self, Start), 12);
    KT_EQ(KeQueryPriorityThread(Self), Start);
}

static VOID FastMutexes(VOID)
{
    FAST_MUTEX M;
    ExInitializeFastMutex(&M);
    ExAcquireFastMutex(&M);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&M);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(ExTryToAcquireFastMutex(&M), TRUE);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&M);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KT_EQ(ExGetPreviousMode(), KernelMode);
    Timers();
    Dpcs();
    Priorities();
    FastMutexes();
    KT_DONE();
    return STATUS_SUCCESS;
}
