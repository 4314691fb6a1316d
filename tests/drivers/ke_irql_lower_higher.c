/*
 * KeLowerIrql to a level above the current one: Driver Verifier bug check
 * 0xC4, P1 = 0x31, P2 = current IRQL, P3 = requested IRQL.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+31, 0x0+1, 0x0+2,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    KeLowerIrql(DISPATCH_LEVEL);
    KT_CHECK(!"KeLowerIrql to a higher IRQL returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
