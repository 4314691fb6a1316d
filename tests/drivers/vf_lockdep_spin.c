/*
 * Spin locks taken in opposite orders by two threads, one after the other
 * (no deadlock this time): LockOrderInversion, whichever form of
 * acquisition is used (executive and in-stack queued spin locks).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^VERIFIER LockOrderInversion: acquires spin lock .*SpinA.* while holding spin lock .*SpinB
// NTPS-TEST: reject Deadlock
#include <ntddk.h>
#include "ktest.h"

static KSPIN_LOCK SpinA, SpinB;
static volatile LONG Done;

static VOID AThenB(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KIRQL OldIrql;
    KeAcquireSpinLock(&SpinA, &OldIrql);
    KeAcquireSpinLockAtDpcLevel(&SpinB);
    InterlockedIncrement(&Done);
    KeReleaseSpinLockFromDpcLevel(&SpinB);
    KeReleaseSpinLock(&SpinA, OldIrql);
}

static VOID BThenA(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KLOCK_QUEUE_HANDLE B, A;
    KeAcquireInStackQueuedSpinLock(&SpinB, &B);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&SpinA, &A);     /* the inversion */
    InterlockedIncrement(&Done);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&B);           /* out of order: fine */
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&A);
    KeLowerIrql(B.OldIrql);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&SpinA);
    KeInitializeSpinLock(&SpinB);
    KtJoin(KtStartThread(AThenB, NULL));
    KtJoin(KtStartThread(BThenA, NULL));
    KT_EQ(Done, 2);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_DONE();
    return STATUS_SUCCESS;
}
