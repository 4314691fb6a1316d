/*
 * ExAcquirePushLockExclusive without KeEnterCriticalRegion: normal kernel
 * APCs are enabled. Driver Verifier's 0xC4/0xEA (0xEB for a release).
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x00000000000000ea, 0x0000000000000000, 0x0000000000000000, 0x[0-9a-f]+\)
// NTPS-TEST: expect with normal kernel APCs enabled
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static EX_PUSH_LOCK Lock;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializePushLock(&Lock);
    ExAcquirePushLockExclusive(&Lock);
    KT_DONE();
    return STATUS_SUCCESS;
}
