/* Paged pool at DISPATCH_LEVEL: bug check 0xC4/0x01. */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000000001, 0x0000000000000002,
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    PVOID P = ExAllocatePool2(POOL_FLAG_PAGED, 32, 'gaPD');
    ExFreePool(P);
    KeLowerIrql(Old);
    return STATUS_SUCCESS;
}
