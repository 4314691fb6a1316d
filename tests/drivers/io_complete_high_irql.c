/* IoCompleteRequest above DISPATCH_LEVEL: bug check 0xC9
 * DRIVER_VERIFIER_IOMANAGER_VIOLATION, P1 0x0E (P2 the IRQL, P3 the IRP). */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C9 \(0x0*e, 0x0*f,
// NTPS-TEST: expect DRIVER_VERIFIER_IOMANAGER_VIOLATION
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

static NTSTATUS Dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    KIRQL Old;
    KeRaiseIrql(HIGH_LEVEL, &Old);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);    /* the bug */
    KeLowerIrql(Old);
    return STATUS_SUCCESS;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\HighIrql");
    PDEVICE_OBJECT Device;
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = Dispatch;
    DriverObject->DriverUnload = Unload;
    Device->Flags &= ~DO_DEVICE_INITIALIZING;
    OBJECT_ATTRIBUTES Oa;
    IO_STATUS_BLOCK Iosb;
    HANDLE H;
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE, NULL, NULL);
    if (NT_SUCCESS(ZwOpenFile(&H, GENERIC_READ, &Oa, &Iosb, 0, 0)))
        ZwClose(H);
    DbgPrint("PASS\n");
    return STATUS_SUCCESS;
}
