/*
 * IRQL audit: ExWaitForRundownProtectionRelease waits and is documented at
 * IRQL <= APC_LEVEL; at DISPATCH_LEVEL it is bug check 0xC4/0x20008 (P2
 * the IRQL, P3 the highest allowed), naming the driver, even when there is
 * nothing to wait for.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000020008, 0x0000000000000002, 0x0000000000000001,
// NTPS-TEST: expect ^driver: vf_irql_rundown_wait.so
// NTPS-TEST: reject ^returned$
#include <ntddk.h>

static EX_RUNDOWN_REF Rundown;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeRundownProtection(&Rundown);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    ExWaitForRundownProtectionRelease(&Rundown);
    DbgPrint("returned\n");
    KeLowerIrql(Old);
    return STATUS_SUCCESS;
}
