/*
 * Many lock classes: a thread takes 300 fast mutexes pairwise along a chain
 * (L0 then L1, L1 then L2, ...), which is a consistent order, and also
 * 300 spin locks the same way: no report. Then one thread takes the last
 * mutex and then the first: the new edge closes a cycle through the whole
 * chain, reported as LockOrderInversion with the first edges of the path.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^VERIFIER LockOrderInversion: acquires fast mutex .*Chain\+0x0\) while holding fast mutex .*Chain\+0x
// NTPS-TEST: expect ^  fast mutex .*Chain\+0x0\) -> fast mutex .*Chain\+0x38\), first by
// NTPS-TEST: reject spin lock .*Spins
#include <ntddk.h>
#include "ktest.h"

#define LENGTH 300

FAST_MUTEX Chain[LENGTH];
KSPIN_LOCK Spins[LENGTH];

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    for (ULONG i = 0; i < LENGTH; i++) {
        ExInitializeFastMutex(&Chain[i]);
        KeInitializeSpinLock(&Spins[i]);
    }
    for (ULONG Round = 0; Round < 2; Round++) {
        for (ULONG i = 0; i + 1 < LENGTH; i++) {
            ExAcquireFastMutex(&Chain[i]);
            ExAcquireFastMutexUnsafe(&Chain[i + 1]);
            ExReleaseFastMutexUnsafe(&Chain[i + 1]);
            ExReleaseFastMutex(&Chain[i]);
            KIRQL OldIrql;
            KeAcquireSpinLock(&Spins[i], &OldIrql);
            KeAcquireSpinLockAtDpcLevel(&Spins[i + 1]);
            KeReleaseSpinLockFromDpcLevel(&Spins[i + 1]);
            KeReleaseSpinLock(&Spins[i], OldIrql);
        }
    }
    ExAcquireFastMutex(&Chain[LENGTH - 1]);
    ExAcquireFastMutexUnsafe(&Chain[0]);       /* closes the cycle */
    ExReleaseFastMutexUnsafe(&Chain[0]);
    ExReleaseFastMutex(&Chain[LENGTH - 1]);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_DONE();
    return STATUS_SUCCESS;
}
