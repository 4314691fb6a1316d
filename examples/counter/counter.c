/*
 * counter - a device that user processes open and talk to, as a Windows
 * program talks to its driver: \Device\NtpsCounter with the symbolic link
 * \??\NtpsCounter (Win32's \\.\NtpsCounter), buffered I/O.
 *
 *   IOCTL_COUNTER_ADD  0x0022A000  adds the input LONG (1 without input) to
 *                                  a counter shared by every open; returns
 *                                  the new value (LONG64) if there is room
 *   IOCTL_COUNTER_GET  0x00226004  returns the counter (LONG64)
 *   write                          keeps up to 256 bytes per open (handle)
 *   read                           returns them: an echo of the last write
 *
 * Each open gets its own echo buffer (FILE_OBJECT.FsContext), allocated at
 * IRP_MJ_CREATE and freed at IRP_MJ_CLOSE. The access bits of the control
 * codes matter: ADD needs FILE_WRITE_DATA on the handle, GET
 * FILE_READ_DATA (the I/O manager checks them before the driver sees the
 * request). DriverUnload removes the link and the device and prints what
 * the device saw.
 */
#include <ntifs.h>

#define IOCTL_COUNTER_ADD CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_COUNTER_GET CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS)

#define ECHO_SIZE 256
#define TAG 'tnoC'

typedef struct _OPEN_CONTEXT {      /* per open: FILE_OBJECT.FsContext */
    ULONG Length;
    UCHAR Echo[ECHO_SIZE];
} OPEN_CONTEXT;

static PDEVICE_OBJECT Device;
static UNICODE_STRING LinkName = RTL_CONSTANT_STRING(L"\\??\\NtpsCounter");
static volatile LONG64 Counter;
static volatile LONG Opens, Closes, Writes, Reads, Controls;

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS DispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT File = Stack->FileObject;
    switch (Stack->MajorFunction) {
    case IRP_MJ_CREATE: {
        OPEN_CONTEXT *Context = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(OPEN_CONTEXT), TAG);
        if (Context == NULL)
            return Complete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        File->FsContext = Context;
        InterlockedIncrement(&Opens);
        return Complete(Irp, STATUS_SUCCESS, FILE_OPENED);
    }
    case IRP_MJ_CLOSE:      /* the last reference to the file object is gone */
        ExFreePoolWithTag(File->FsContext, TAG);
        File->FsContext = NULL;
        InterlockedIncrement(&Closes);
        return Complete(Irp, STATUS_SUCCESS, 0);
    default:                /* IRP_MJ_CLEANUP: the last handle closed; nothing is queued */
        return Complete(Irp, STATUS_SUCCESS, 0);
    }
}

static NTSTATUS DispatchReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    OPEN_CONTEXT *Context = Stack->FileObject->FsContext;
    PUCHAR Buffer = Irp->AssociatedIrp.SystemBuffer;      /* DO_BUFFERED_IO */
    if (Stack->MajorFunction == IRP_MJ_WRITE) {
        ULONG Length = min(Stack->Parameters.Write.Length, ECHO_SIZE);
        RtlCopyMemory(Context->Echo, Buffer, Length);
        Context->Length = Length;
        InterlockedIncrement(&Writes);
        return Complete(Irp, STATUS_SUCCESS, Length);
    }
    ULONG Length = min(Stack->Parameters.Read.Length, Context->Length);
    RtlCopyMemory(Buffer, Context->Echo, Length);
    InterlockedIncrement(&Reads);
    return Complete(Irp, STATUS_SUCCESS, Length);
}

static NTSTATUS DispatchControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG In = Stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG Out = Stack->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID Buffer = Irp->AssociatedIrp.SystemBuffer;        /* METHOD_BUFFERED: in, then out */
    InterlockedIncrement(&Controls);
    switch (Stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_COUNTER_ADD: {
        LONG Delta = 1;
        if (In != 0 && In != sizeof(LONG))
            return Complete(Irp, STATUS_INVALID_PARAMETER, 0);
        if (In == sizeof(LONG))
            Delta = *(PLONG)Buffer;
        LONG64 Value = InterlockedAdd64(&Counter, Delta);
        if (Out < sizeof(LONG64))
            return Complete(Irp, STATUS_SUCCESS, 0);
        *(PLONG64)Buffer = Value;
        return Complete(Irp, STATUS_SUCCESS, sizeof(LONG64));
    }
    case IOCTL_COUNTER_GET:
        if (Out < sizeof(LONG64))
            return Complete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        *(PLONG64)Buffer = InterlockedAdd64(&Counter, 0);
        return Complete(Irp, STATUS_SUCCESS, sizeof(LONG64));
    default:
        return Complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    IoDeleteSymbolicLink(&LinkName);
    IoDeleteDevice(Device);
    DbgPrint("counter: %ld opens (%ld closed), %ld writes, %ld reads, %ld I/O controls; the counter is %lld\n",
             Opens, Closes, Writes, Reads, Controls, (long long)Counter);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING DeviceName = RTL_CONSTANT_STRING(L"\\Device\\NtpsCounter");
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &DeviceName, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN,
                                     FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Device->Flags |= DO_BUFFERED_IO;
    Status = IoCreateSymbolicLink(&LinkName, &DeviceName);
    if (!NT_SUCCESS(Status)) {
        IoDeleteDevice(Device);
        return Status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = DispatchReadWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchControl;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
