/*
 * IRQL audit: ObOpenObjectByPointer is documented at PASSIVE_LEVEL; called
 * at DISPATCH_LEVEL it is the IrqlObPassive rule's bug check, 0xC4/0x2001B
 * (P2 the IRQL, P3 the required one), naming the driver.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x000000000002001b, 0x0000000000000002, 0x0000000000000000,
// NTPS-TEST: expect ^driver: vf_irql_open_by_pointer.so
// NTPS-TEST: reject ^opened$
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    HANDLE Handle;
    ObOpenObjectByPointer(PsInitialSystemProcess, OBJ_KERNEL_HANDLE, NULL, SYNCHRONIZE, *PsProcessType, KernelMode,
                          &Handle);
    DbgPrint("opened\n");
    KeLowerIrql(Old);
    return STATUS_SUCCESS;
}
