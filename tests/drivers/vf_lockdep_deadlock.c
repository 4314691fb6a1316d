/*
 * Two threads take two fast mutexes in opposite orders and meet in the
 * middle: each holds one and waits for the other's. The second order is a
 * LockOrderInversion (reported before it blocks), and the last thread to
 * block closes a wait-for cycle: rule Deadlock, with each thread, the
 * mutex it waits for, its owner and where it blocked; the run ends with
 * the deadlock status (5) instead of hanging.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 5
// NTPS-TEST: expect ^VERIFIER LockOrderInversion:
// NTPS-TEST: expect ^VERIFIER Deadlock: 2 threads wait on each other for good
// NTPS-TEST: expect ^    waits for fast mutex .*LockA.*, held by thread: .*start vf_lockdep_deadlock.so!TakesAThenB
// NTPS-TEST: expect ^    waits for fast mutex .*LockB.*, held by thread: .*start vf_lockdep_deadlock.so!TakesBThenA
// NTPS-TEST: expect ^    holds fast mutex .*LockA.*, acquired at vf_lockdep_deadlock.so!TakesAThenB
// NTPS-TEST: expect ^ntps: deadlock: the threads above wait on each other for good: the run ends
// NTPS-TEST: reject ^PASS
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"

FAST_MUTEX LockA, LockB;
static KEVENT AHeld, BHeld;

static VOID TakesAThenB(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&LockA);
    KeSetEvent(&AHeld, 0, FALSE);
    KeWaitForSingleObject(&BHeld, Executive, KernelMode, FALSE, NULL);
    ExAcquireFastMutex(&LockB);
    DbgPrint("FAIL: got both\n");
}

static VOID TakesBThenA(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&AHeld, Executive, KernelMode, FALSE, NULL);
    ExAcquireFastMutex(&LockB);
    KeSetEvent(&BHeld, 0, FALSE);
    ExAcquireFastMutex(&LockA);
    DbgPrint("FAIL: got both\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeFastMutex(&LockA);
    ExInitializeFastMutex(&LockB);
    KeInitializeEvent(&AHeld, NotificationEvent, FALSE);
    KeInitializeEvent(&BHeld, NotificationEvent, FALSE);
    PETHREAD One = KtStartThread(TakesAThenB, NULL), Two = KtStartThread(TakesBThenA, NULL);
    KtJoin(One);
    KtJoin(Two);
    KT_DONE();
    return STATUS_SUCCESS;
}
