/*
 * KeEnterCriticalRegion above APC_LEVEL: Driver Verifier bug check 0xC4,
 * P1 = 0x11A, P2 = the IRQL. (Leaving one that was never entered is 0x3E:
 * see ke_critical_region_leave.c.)
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+11[aA], 0x0+2,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeEnterCriticalRegion();
    KT_CHECK(!"KeEnterCriticalRegion at DISPATCH_LEVEL returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
