/*
 * Releasing a spin lock that is not held: bug check 0x10 SPIN_LOCK_NOT_OWNED.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000010
// NTPS-TEST: expect ^SPIN_LOCK_NOT_OWNED
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KSPIN_LOCK Lock;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL Old;
    KeInitializeSpinLock(&Lock);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeReleaseSpinLock(&Lock, Old);
    KT_CHECK(!"releasing a free spin lock returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
