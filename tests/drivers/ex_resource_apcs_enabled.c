/*
 * ExAcquireResourceSharedLite at PASSIVE_LEVEL outside a critical region:
 * normal kernel APCs are enabled, which the WDK forbids (an APC could
 * suspend the owner while it holds the resource). Driver Verifier's
 * 0xC4/0x37 (P2 IRQL, P3 the APC disable count, P4 the resource), naming
 * the driver.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000000037, 0x0000000000000000, 0x0000000000000000, 0x[0-9a-f]+\)
// NTPS-TEST: expect ^ExAcquireResourceSharedLite\(0x[0-9a-f]+\) with normal kernel APCs enabled
// NTPS-TEST: expect ^driver: ex_resource_apcs_enabled.so$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static ERESOURCE Resource;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeResourceLite(&Resource);
    ExAcquireResourceSharedLite(&Resource, TRUE);   /* no KeEnterCriticalRegion */
    ExReleaseResourceLite(&Resource);
    ExDeleteResourceLite(&Resource);
    KT_DONE();
    return STATUS_SUCCESS;
}
