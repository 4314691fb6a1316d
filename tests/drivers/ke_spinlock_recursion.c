/*
 * Acquiring a spin lock the thread already holds (a certain deadlock): bug
 * check 0xF SPIN_LOCK_ALREADY_OWNED.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000000F
// NTPS-TEST: expect ^SPIN_LOCK_ALREADY_OWNED
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
    KeAcquireSpinLock(&Lock, &Old);
    KeAcquireSpinLockAtDpcLevel(&Lock);
    KT_CHECK(!"a recursive spin lock acquisition returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
