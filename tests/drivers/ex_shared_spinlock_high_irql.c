/*
 * ExAcquireSpinLockShared above DISPATCH_LEVEL: the caller must be at or
 * below DISPATCH_LEVEL; as for KeAcquireSpinLock, ntps stops with bug check
 * 0xC4 (P1 0x42, P2 the IRQL, P3 DISPATCH_LEVEL).
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+42, 0x0+f, 0x0+2,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static EX_SPIN_LOCK Lock;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL Old;
    KeRaiseIrql(HIGH_LEVEL, &Old);
    KIRQL Inner = ExAcquireSpinLockShared(&Lock);
    ExReleaseSpinLockShared(&Lock, Inner);
    KeLowerIrql(Old);
    KT_DONE();
    return STATUS_SUCCESS;
}
