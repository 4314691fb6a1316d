// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --user @DRIVERDIR@/user_io_exit_client.exe.so
// NTPS-TEST: expect ^client-io-exit: exiting with 2 handles open$
// NTPS-TEST: expect user process .*user_io_exit_client.exe.so \(PID [0-9]+\) exited with status 3 \(0x3\)
// NTPS-TEST: expect ^user_io_exit: unloaded, 2 creates, 2 cleanups, 2 closes, 0 out of order$
/*
 * A user process that exits with its device handles open: the sweep of its
 * handle table closes them, so each file object gets IRP_MJ_CLEANUP (in the
 * exiting process, as the last handle goes) and then IRP_MJ_CLOSE (the last
 * reference), before the driver unloads and deletes its device.
 */
#include <ntddk.h>

#define IOCTL_USER_IO_EXIT_PING CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)

static UNICODE_STRING ExitLink = RTL_CONSTANT_STRING(L"\\??\\NtpsUserIoExit");
static LONG Creates, Cleanups, Closes, OutOfOrder;

/* FsContext holds the file object's state: 1 created, 2 cleaned up; and
 * FsContext2 the creating process, which the cleanup must run in. */
static NTSTATUS ExitDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT File = Stack->FileObject;
    ULONG_PTR Information = 0;
    switch (Stack->MajorFunction) {
    case IRP_MJ_CREATE:
        InterlockedIncrement(&Creates);
        File->FsContext = (PVOID)1;
        File->FsContext2 = PsGetCurrentProcessId();
        break;
    case IRP_MJ_CLEANUP:
        InterlockedIncrement(&Cleanups);
        if (File->FsContext != (PVOID)1 || File->FsContext2 != PsGetCurrentProcessId())
            InterlockedIncrement(&OutOfOrder);
        File->FsContext = (PVOID)2;
        break;
    case IRP_MJ_CLOSE:
        InterlockedIncrement(&Closes);
        if (File->FsContext != (PVOID)2)
            InterlockedIncrement(&OutOfOrder);
        break;
    case IRP_MJ_DEVICE_CONTROL:
        if (Stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_USER_IO_EXIT_PING &&
            Stack->Parameters.DeviceIoControl.OutputBufferLength >= sizeof(ULONG)) {
            *(PULONG)Irp->AssociatedIrp.SystemBuffer = (ULONG)Creates;
            Information = sizeof(ULONG);
            break;
        }
        Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static VOID ExitUnload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteSymbolicLink(&ExitLink);
    IoDeleteDevice(DriverObject->DeviceObject);
    DbgPrint("user_io_exit: unloaded, %ld creates, %ld cleanups, %ld closes, %ld out of order\n", Creates, Cleanups,
             Closes, OutOfOrder);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\NtpsUserIoExit");
    PDEVICE_OBJECT Device;
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Device->Flags |= DO_BUFFERED_IO;
    Status = IoCreateSymbolicLink(&ExitLink, &Name);
    if (!NT_SUCCESS(Status)) {
        IoDeleteDevice(Device);
        return Status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = ExitDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = ExitDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = ExitDispatch;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = ExitDispatch;
    DriverObject->DriverUnload = ExitUnload;
    return STATUS_SUCCESS;
}
