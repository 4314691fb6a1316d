/*
 * I/O manager DDIs under a fast mutex (APC_LEVEL), as the books' drivers
 * call them. IoBuildDeviceIoControlRequest is documented at <= APC_LEVEL:
 * it builds the IRP, which then completes. IoGetDeviceObjectPointer is
 * documented at PASSIVE_LEVEL only (DDI rule IrqlIoPassive5): bug check
 * 0xC4/0x2000E, P2 the IRQL (APC_LEVEL), P3 PASSIVE_LEVEL, naming the
 * driver (the books' KDevMon does this and is stopped the same way).
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^ioctl at APC_LEVEL: built, completed 0x0$
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x000000000002000e, 0x0000000000000001, 0x0000000000000000,
// NTPS-TEST: expect ^driver: io_irql_fast_mutex.so
// NTPS-TEST: reject ^pointer taken$
#include <ntddk.h>

#define IOCTL_PING CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)

static FAST_MUTEX Lock;
static UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\IoIrqlFastMutex");

static NTSTATUS Complete(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = Complete;
    PDEVICE_OBJECT Device;
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    ExInitializeFastMutex(&Lock);

    KEVENT Done;
    IO_STATUS_BLOCK Iosb;
    KeInitializeEvent(&Done, NotificationEvent, FALSE);
    ExAcquireFastMutex(&Lock);
    PIRP Irp = IoBuildDeviceIoControlRequest(IOCTL_PING, Device, NULL, 0, NULL, 0, FALSE, &Done, &Iosb);
    ExReleaseFastMutex(&Lock);
    if (Irp != NULL && IoCallDriver(Device, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, NULL);
    DbgPrint("ioctl at APC_LEVEL: %s, completed 0x%lx\n", Irp != NULL ? "built" : "not built",
             (unsigned long)Iosb.Status);

    PFILE_OBJECT File;
    PDEVICE_OBJECT Top;
    ExAcquireFastMutex(&Lock);
    Status = IoGetDeviceObjectPointer(&Name, FILE_READ_DATA, &File, &Top);
    ExReleaseFastMutex(&Lock);
    DbgPrint("pointer taken\n");
    if (NT_SUCCESS(Status))
        ObDereferenceObject(File);
    IoDeleteDevice(Device);
    return STATUS_UNSUCCESSFUL;
}
