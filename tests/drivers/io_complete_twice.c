/* A dispatch routine that completes its IRP twice: bug check 0x44
 * MULTIPLE_IRP_COMPLETE_REQUESTS (P1 the IRP), naming the call site. */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000044 \(
// NTPS-TEST: expect MULTIPLE_IRP_COMPLETE_REQUESTS
// NTPS-TEST: expect the IRP was completed already
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

#define IOCTL_TWICE CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)

static NTSTATUS Dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UCHAR Major = IoGetCurrentIrpStackLocation(Irp)->MajorFunction;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    if (Major == IRP_MJ_DEVICE_CONTROL)
        IoCompleteRequest(Irp, IO_NO_INCREMENT);    /* the bug */
    return STATUS_SUCCESS;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\Twice");
    PDEVICE_OBJECT Device;
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = Dispatch;
    DriverObject->DriverUnload = Unload;
    Device->Flags &= ~DO_DEVICE_INITIALIZING;
    OBJECT_ATTRIBUTES Oa;
    IO_STATUS_BLOCK Iosb;
    HANDLE H;
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE, NULL, NULL);
    Status = ZwOpenFile(&H, GENERIC_READ | SYNCHRONIZE, &Oa, &Iosb, 0, FILE_SYNCHRONOUS_IO_NONALERT);
    if (NT_SUCCESS(Status)) {
        ZwDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TWICE, NULL, 0, NULL, 0);
        ZwClose(H);
    }
    DbgPrint("PASS\n");
    return STATUS_SUCCESS;
}
