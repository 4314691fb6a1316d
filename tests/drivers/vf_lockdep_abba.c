/*
 * Two threads take the same two fast mutexes in opposite orders, one after
 * the other, so the run does not deadlock: the second order closes a cycle
 * in the lock-order graph, reported as LockOrderInversion (with where the
 * first order was taken) before the acquisition, and the run goes on.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^VERIFIER LockOrderInversion: acquires fast mutex .*LockA.* while holding fast mutex .*LockB
// NTPS-TEST: expect ^    then fast mutex .*LockB.* acquired at:
// NTPS-TEST: expect vf_lockdep_abba.*AThenB
// NTPS-TEST: reject Deadlock
#include <ntddk.h>
#include "ktest.h"

static FAST_MUTEX LockA, LockB;
static volatile LONG Done;

static __declspec(noinline) VOID AThenB(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&LockA);
    ExAcquireFastMutex(&LockB);
    InterlockedIncrement(&Done);
    ExReleaseFastMutex(&LockB);
    ExReleaseFastMutex(&LockA);
}

static __declspec(noinline) VOID BThenA(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&LockB);
    ExAcquireFastMutex(&LockA);     /* the inversion */
    InterlockedIncrement(&Done);
    ExReleaseFastMutex(&LockA);
    ExReleaseFastMutex(&LockB);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeFastMutex(&LockA);
    ExInitializeFastMutex(&LockB);
    KtJoin(KtStartThread(AThenB, NULL));
    KtJoin(KtStartThread(BThenA, NULL));
    KT_EQ(Done, 2);
    KT_DONE();
    return STATUS_SUCCESS;
}
