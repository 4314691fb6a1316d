/*
 * Spin locks: KeAcquireSpinLock raises to DISPATCH_LEVEL and hands back the
 * old IRQL, KeReleaseSpinLock restores it; the AtDpcLevel forms leave IRQL
 * alone; in-stack queued spin locks; KeTryToAcquireSpinLockAtDpcLevel
 * fails on a held lock; KeTestSpinLock. Mutual exclusion under contention:
 * threads (on both processors when there are two) and a DPC update a
 * counter with a non-atomic read-modify-write under the lock and never
 * lose an update.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: timeout 60
#include <ntddk.h>
#include "ktest.h"

#define ROUNDS 5000
static KSPIN_LOCK Lock;
static volatile LONG Counter;
static KDPC Dpc;
static volatile LONG DpcRounds;

static VOID Increment(VOID)
{
    LONG V = Counter;       /* a preemption point between the read and the write */
    V++;
    Counter = V;
}

static VOID Worker(PVOID Context)
{
    BOOLEAN Queued = Context != NULL;
    for (int i = 0; i < ROUNDS; i++) {
        if (Queued) {
            KLOCK_QUEUE_HANDLE Handle;
            KeAcquireInStackQueuedSpinLock(&Lock, &Handle);
            Increment();
            KeReleaseInStackQueuedSpinLock(&Handle);
        } else {
            KIRQL Old;
            KeAcquireSpinLock(&Lock, &Old);
            Increment();
            KeReleaseSpinLock(&Lock, Old);
        }
        if ((i & 255) == 0)
            KeInsertQueueDpc(&Dpc, NULL, NULL);
    }
}

static VOID DpcRoutine(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    KeAcquireSpinLockAtDpcLevel(&Lock);
    Increment();
    KeReleaseSpinLockFromDpcLevel(&Lock);
    InterlockedIncrement(&DpcRounds);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL Old, Old2;
    KeInitializeSpinLock(&Lock);
    KT_CHECK(KeTestSpinLock(&Lock));

    KeAcquireSpinLock(&Lock, &Old);
    KT_EQ(Old, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_CHECK(!KeTestSpinLock(&Lock));
    KT_EQ(KeTryToAcquireSpinLockAtDpcLevel(&Lock), FALSE);
    KeReleaseSpinLock(&Lock, Old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_CHECK(KeTestSpinLock(&Lock));

    /* from APC_LEVEL, back to APC_LEVEL */
    KeRaiseIrql(APC_LEVEL, &Old2);
    KeAcquireSpinLock(&Lock, &Old);
    KT_EQ(Old, APC_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeReleaseSpinLock(&Lock, Old);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Old2);

    /* AtDpcLevel and Try */
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeAcquireSpinLockAtDpcLevel(&Lock);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeReleaseSpinLockFromDpcLevel(&Lock);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(KeTryToAcquireSpinLockAtDpcLevel(&Lock), TRUE);
    KeReleaseSpinLockFromDpcLevel(&Lock);
    KeLowerIrql(Old);

    /* in-stack queued */
    KLOCK_QUEUE_HANDLE H;
    KeAcquireInStackQueuedSpinLock(&Lock, &H);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_CHECK(!KeTestSpinLock(&Lock));
    KeReleaseInStackQueuedSpinLock(&H);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&Lock, &H);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&H);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(Old);

    /* contention */
    Counter = 0;
    KeInitializeDpc(&Dpc, DpcRoutine, NULL);
    PETHREAD A = KtStartThread(Worker, NULL);
    PETHREAD B = KtStartThread(Worker, (PVOID)1);
    Worker(NULL);
    KtJoin(A);
    KtJoin(B);
    KeFlushQueuedDpcs();
    DbgPrint("counter %d, %d from DPCs\n", (int)Counter, (int)DpcRounds);
    KT_EQ(Counter, 3 * ROUNDS + DpcRounds);
    KT_CHECK(DpcRounds > 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
