/*
 * RtlQueryRegistryValues at DISPATCH_LEVEL: Driver Verifier bug check
 * 0xC4, P1 = 0x2001E (IrqlRtlPassive), P2 = the IRQL, P3 = PASSIVE_LEVEL.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+2001e, 0x0+2, 0x0+0,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG Start = 0;
    RTL_QUERY_REGISTRY_TABLE Table[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Start", &Start, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_irql_rtl", Table, NULL, NULL);
    KeLowerIrql(Old);
    KT_DONE();
    return STATUS_SUCCESS;
}
