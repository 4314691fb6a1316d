// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --user @DRIVERDIR@/user_io_client.exe.so
// NTPS-TEST: expect ^client-io: PASS$
// NTPS-TEST: expect user process .*user_io_client.exe.so \(PID [0-9]+\) exited with status 0 \(0x0\)
// NTPS-TEST: expect ^user_io: unloaded, 1 creates, 1 closes$
/*
 * A Win32 client (tests/user/user_io_client.c) reaches this driver as
 * Windows programs do: CreateFile on \\.\NtpsUserIo (the driver's
 * symbolic link), WriteFile and ReadFile (buffered I/O), DeviceIoControl
 * (METHOD_BUFFERED), CloseHandle; errors come back through GetLastError.
 * The driver sets no IRP_MJ_CLEANUP routine: the I/O manager's default one
 * completes the CLEANUP that CloseHandle sends (it used to wait for ever).
 */
#include <ntddk.h>

#define IOCTL_USER_IO_REVERSE CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

static UNICODE_STRING UserIoLink = RTL_CONSTANT_STRING(L"\\??\\NtpsUserIo");
static UCHAR UserIoData[64];
static ULONG UserIoLength;
static LONG UserIoCreates, UserIoCloses;

static NTSTATUS UserIoComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS UserIoCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_CREATE)
        InterlockedIncrement(&UserIoCreates);
    else
        InterlockedIncrement(&UserIoCloses);
    return UserIoComplete(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS UserIoReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    if (Stack->MajorFunction == IRP_MJ_WRITE) {
        ULONG Length = Stack->Parameters.Write.Length;
        if (Length > sizeof(UserIoData))
            return UserIoComplete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        RtlCopyMemory(UserIoData, Irp->AssociatedIrp.SystemBuffer, Length);
        UserIoLength = Length;
        return UserIoComplete(Irp, STATUS_SUCCESS, Length);
    }
    ULONG Length = min(Stack->Parameters.Read.Length, UserIoLength);
    RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, UserIoData, Length);
    return UserIoComplete(Irp, STATUS_SUCCESS, Length);
}

static NTSTATUS UserIoControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG In = Stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG Out = Stack->Parameters.DeviceIoControl.OutputBufferLength;
    if (Stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_USER_IO_REVERSE)
        return UserIoComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (Out < In)
        return UserIoComplete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
    PUCHAR Buffer = Irp->AssociatedIrp.SystemBuffer;
    for (ULONG i = 0; i < In / 2; i++) {
        UCHAR Byte = Buffer[i];
        Buffer[i] = Buffer[In - 1 - i];
        Buffer[In - 1 - i] = Byte;
    }
    return UserIoComplete(Irp, STATUS_SUCCESS, In);
}

static VOID UserIoUnload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteSymbolicLink(&UserIoLink);
    IoDeleteDevice(DriverObject->DeviceObject);
    DbgPrint("user_io: unloaded, %ld creates, %ld closes\n", UserIoCreates, UserIoCloses);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\NtpsUserIo");
    PDEVICE_OBJECT Device;
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Device->Flags |= DO_BUFFERED_IO;
    Status = IoCreateSymbolicLink(&UserIoLink, &Name);
    if (!NT_SUCCESS(Status)) {
        IoDeleteDevice(Device);
        return Status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = UserIoCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = UserIoCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = UserIoReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = UserIoReadWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = UserIoControl;
    DriverObject->DriverUnload = UserIoUnload;
    return STATUS_SUCCESS;
}
