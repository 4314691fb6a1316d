/* A driver that unloads without deleting its device objects: each listed,
 * then bug check 0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS. */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect unloaded with 2 device objects not deleted
// NTPS-TEST: expect device object .*\\Device\\Forgotten
// NTPS-TEST: expect ^BUGCHECK 0x000000CE
#include <ntddk.h>

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);     /* forgets IoDeleteDevice */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\Forgotten");
    PDEVICE_OBJECT A, B;
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &A);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &B);
    if (!NT_SUCCESS(Status))
        return Status;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
