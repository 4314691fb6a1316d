/*
 * Two processors, each holding one spin lock and spinning for the other's:
 * a deadlock at DISPATCH_LEVEL (the DPC watchdog would end it with 0x133
 * after 20 s). The cycle of spinners is found while they spin: rule
 * Deadlock, and the run ends with the deadlock status (5) at once.
 */
// NTPS-TEST: modes rt2 sim2
// NTPS-TEST: exit 5
// NTPS-TEST: expect ^VERIFIER LockOrderInversion: acquires spin lock
// NTPS-TEST: expect ^VERIFIER Deadlock: 2 threads spin on spin locks held by each other for good
// NTPS-TEST: expect ^    spins on spin lock .*Spin[AB].*, held by thread: .*vf_lockdep_spin_deadlock.so!Spinner
// NTPS-TEST: reject ^PASS
// NTPS-TEST: reject BUGCHECK
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"

KSPIN_LOCK SpinA, SpinB;
static PKSPIN_LOCK Spin[2] = { &SpinA, &SpinB };
static volatile LONG Holding;

static VOID Spinner(PVOID Context)
{
    ULONG i = (ULONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << i);
    KIRQL OldIrql;
    KeAcquireSpinLock(Spin[i], &OldIrql);
    InterlockedIncrement(&Holding);
    while (ReadAcquire(&Holding) < 2)
        YieldProcessor();
    KeAcquireSpinLockAtDpcLevel(Spin[1 - i]);
    DbgPrint("FAIL: got both\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&SpinA);
    KeInitializeSpinLock(&SpinB);
    PETHREAD T0 = KtStartThread(Spinner, (PVOID)0), T1 = KtStartThread(Spinner, (PVOID)1);
    KtJoin(T0);
    KtJoin(T1);
    KT_DONE();
    return STATUS_SUCCESS;
}
