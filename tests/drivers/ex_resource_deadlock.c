/*
 * Two threads take two ERESOURCEs, one exclusive and one shared, in
 * opposite orders and meet in the middle. The second order is a
 * LockOrderInversion, and the last thread to block closes a wait-for
 * cycle (a resource with one owner names it): rule Deadlock, and the run
 * ends with the deadlock status (5) instead of hanging.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 5
// NTPS-TEST: expect ^VERIFIER LockOrderInversion: acquires resource .*Res[AB].* while holding resource .*Res[AB]
// NTPS-TEST: expect ^VERIFIER Deadlock: 2 threads wait on each other for good
// NTPS-TEST: expect ^    waits for resource .*ResB.*, held by thread: .*start ex_resource_deadlock.so!TakesBThenA
// NTPS-TEST: expect ^    waits for resource .*ResA.*, held by thread: .*start ex_resource_deadlock.so!TakesAThenB
// NTPS-TEST: expect ^    holds resource .*ResA.*, acquired at ex_resource_deadlock.so!TakesAThenB
// NTPS-TEST: reject ^PASS
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"

ERESOURCE ResA, ResB;
static KEVENT AHeld, BHeld;

static VOID TakesAThenB(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExEnterCriticalRegionAndAcquireResourceExclusive(&ResA);
    KeSetEvent(&AHeld, 0, FALSE);
    KeWaitForSingleObject(&BHeld, Executive, KernelMode, FALSE, NULL);
    ExAcquireResourceSharedLite(&ResB, TRUE);
    DbgPrint("FAIL: got both\n");
}

static VOID TakesBThenA(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&AHeld, Executive, KernelMode, FALSE, NULL);
    ExEnterCriticalRegionAndAcquireResourceExclusive(&ResB);
    KeSetEvent(&BHeld, 0, FALSE);
    ExAcquireResourceExclusiveLite(&ResA, TRUE);
    DbgPrint("FAIL: got both\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeResourceLite(&ResA);
    ExInitializeResourceLite(&ResB);
    KeInitializeEvent(&AHeld, NotificationEvent, FALSE);
    KeInitializeEvent(&BHeld, NotificationEvent, FALSE);
    PETHREAD One = KtStartThread(TakesAThenB, NULL), Two = KtStartThread(TakesBThenA, NULL);
    KtJoin(One);
    KtJoin(Two);
    KT_DONE();
    return STATUS_SUCCESS;
}
