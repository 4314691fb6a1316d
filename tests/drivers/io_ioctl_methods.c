/*
 * The I/O path from a user process, as a Windows program reaches a driver:
 * NtCreateFile on \??\IoctlTest (a symbolic link) and on \Device\IoctlTest,
 * I/O controls in the four methods (buffered, in direct, out direct,
 * neither) with IoStatus.Information bytes copied back, reads and writes
 * on a buffered device, an access check from the control code, a request
 * the driver pends and completes from a DPC (synchronous handle: the
 * service waits; asynchronous handle: STATUS_PENDING, then the event and
 * the status block), bad user buffers, and CREATE / CLEANUP / CLOSE
 * counted per open. Then the same device from kernel mode: ZwCreateFile,
 * IoGetDeviceObjectPointer with IoBuildDeviceIoControlRequest.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

#define IOCTL_TEST_BUFFERED CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_TEST_IN_DIRECT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_IN_DIRECT, FILE_ANY_ACCESS)
#define IOCTL_TEST_OUT_DIRECT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)
#define IOCTL_TEST_NEITHER CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_TEST_WRITE_ACCESS CTL_CODE(FILE_DEVICE_UNKNOWN, 0x804, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_TEST_PEND CTL_CODE(FILE_DEVICE_UNKNOWN, 0x805, METHOD_BUFFERED, FILE_ANY_ACCESS)

static PVOID volatile BadUserAddress = (PVOID)(ULONG_PTR)0x10;

typedef struct _EXTENSION {
    KTIMER Timer;
    KDPC Dpc;
    PIRP Pending;
} EXTENSION;

static PDEVICE_OBJECT Device;
static volatile LONG Creates, Cleanups, Closes, UserRequests;
static volatile LONG ClientPid;

/* ---- the driver --------------------------------------------------------------------------------- */

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
    switch (Stack->MajorFunction) {
    case IRP_MJ_CREATE: InterlockedIncrement(&Creates); break;
    case IRP_MJ_CLEANUP: InterlockedIncrement(&Cleanups); break;
    case IRP_MJ_CLOSE: InterlockedIncrement(&Closes); break;
    }
    KT_CHECK(Stack->FileObject != NULL);
    return Complete(Irp, STATUS_SUCCESS, 0);
}

static VOID PendDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    EXTENSION *Ext = Context;
    PIRP Irp = Ext->Pending;
    Ext->Pending = NULL;
    RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, "late", 4);
    Complete(Irp, STATUS_SUCCESS, 4);
}

static NTSTATUS DispatchControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG In = Stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG Out = Stack->Parameters.DeviceIoControl.OutputBufferLength;
    if (Irp->RequestorMode == UserMode) {
        InterlockedIncrement(&UserRequests);
        KT_EQ(IoGetRequestorProcessId(Irp), ClientPid);
        KT_CHECK(!IoIs32bitProcess(Irp));
    }
    switch (Stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_TEST_BUFFERED: {     /* the input reversed, in place */
        PUCHAR B = Irp->AssociatedIrp.SystemBuffer;
        if (In == 0 || Out < In)
            return Complete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        for (ULONG i = 0; i < In / 2; i++) {
            UCHAR T = B[i];
            B[i] = B[In - 1 - i];
            B[In - 1 - i] = T;
        }
        return Complete(Irp, STATUS_SUCCESS, In);
    }
    case IOCTL_TEST_IN_DIRECT: {    /* sum of the "output" buffer, which is input here */
        PUCHAR Data = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute);
        ULONG Sum = 0;
        for (ULONG i = 0; i < MmGetMdlByteCount(Irp->MdlAddress); i++)
            Sum += Data[i];
        KT_EQ(In, sizeof(ULONG));
        KT_EQ(*(PULONG)Irp->AssociatedIrp.SystemBuffer, 0x1234);
        return Complete(Irp, Sum == 6 ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL, 0);
    }
    case IOCTL_TEST_OUT_DIRECT: {
        KT_CHECK(MmGetMdlVirtualAddress(Irp->MdlAddress) == Irp->UserBuffer);
        PUCHAR Data = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
        for (ULONG i = 0; i < Out; i++)
            Data[i] = (UCHAR)(0xA0 + i);
        return Complete(Irp, STATUS_SUCCESS, Out);
    }
    case IOCTL_TEST_NEITHER: {      /* the driver probes the caller's buffers itself */
        NTSTATUS Status = STATUS_SUCCESS;
        __try {
            if (Irp->RequestorMode != KernelMode) {
                ProbeForRead(Stack->Parameters.DeviceIoControl.Type3InputBuffer, In, 1);
                ProbeForWrite(Irp->UserBuffer, Out, 1);
            }
            RtlCopyMemory(Irp->UserBuffer, Stack->Parameters.DeviceIoControl.Type3InputBuffer, min(In, Out));
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            Status = GetExceptionCode();
        }
        return Complete(Irp, Status, NT_SUCCESS(Status) ? min(In, Out) : 0);
    }
    case IOCTL_TEST_WRITE_ACCESS:
        return Complete(Irp, STATUS_SUCCESS, 0);
    case IOCTL_TEST_PEND: {
        EXTENSION *Ext = DeviceObject->DeviceExtension;
        if (Out < 4)
            return Complete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        IoMarkIrpPending(Irp);
        Ext->Pending = Irp;
        LARGE_INTEGER Due;
        Due.QuadPart = KT_MS(5);
        KeSetTimer(&Ext->Timer, Due, &Ext->Dpc);
        return STATUS_PENDING;
    }
    }
    return Complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

static NTSTATUS DispatchReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    if (Stack->MajorFunction == IRP_MJ_WRITE) {
        PUCHAR B = Irp->AssociatedIrp.SystemBuffer;
        KT_CHECK(Stack->Parameters.Write.Length == 0 || B[0] == 'w');
        return Complete(Irp, STATUS_SUCCESS, Stack->Parameters.Write.Length);
    }
    RtlFillMemory(Irp->AssociatedIrp.SystemBuffer, Stack->Parameters.Read.Length, 'r');
    return Complete(Irp, STATUS_SUCCESS, Stack->Parameters.Read.Length);
}

/* ---- the client, a user process ------------------------------------------------------------------------ */

static NTSTATUS Open(PHANDLE H, PCWSTR Name, ACCESS_MASK Access, ULONG Options)
{
    UNICODE_STRING S;
    OBJECT_ATTRIBUTES Oa;
    IO_STATUS_BLOCK Iosb;
    RtlInitUnicodeString(&S, Name);
    InitializeObjectAttributes(&Oa, &S, OBJ_CASE_INSENSITIVE, NULL, NULL);
    NTSTATUS Status = NtCreateFile(H, Access, &Oa, &Iosb, NULL, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                                   Options, NULL, 0);
    if (NT_SUCCESS(Status))
        KT_EQ(Iosb.Information, 0);     /* what the driver completed its CREATE with */
    return Status;
}

static VOID SynchronousRequests(HANDLE H)
{
    IO_STATUS_BLOCK Iosb;
    UCHAR In[8] = "abcdef", Out[16] = { 0 };
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_BUFFERED, In, 6, Out, sizeof(Out)),
          STATUS_SUCCESS);
    KT_EQ(Iosb.Status, STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 6);
    KT_CHECK(RtlCompareMemory(Out, "fedcba", 6) == 6);
    KT_EQ(Out[6], 0);                   /* only Information bytes come back */

    ULONG Tag = 0x1234;
    UCHAR Three[3] = { 1, 2, 3 };
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_IN_DIRECT, &Tag, sizeof(Tag), Three, 3),
          STATUS_SUCCESS);

    UCHAR Direct[5000];
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_OUT_DIRECT, NULL, 0, Direct, sizeof(Direct)),
          STATUS_SUCCESS);
    KT_EQ(Iosb.Information, sizeof(Direct));
    KT_EQ(Direct[0], 0xA0);
    KT_EQ(Direct[4999], (UCHAR)(0xA0 + 4999));

    RtlZeroMemory(Out, sizeof(Out));
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_NEITHER, In, 4, Out, 8), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 4);
    KT_CHECK(RtlCompareMemory(Out, "abcd", 4) == 4);
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_NEITHER, BadUserAddress, 4, Out, 8),
          STATUS_ACCESS_VIOLATION);

    /* Bad buffers are the I/O manager's to find, for the other methods. */
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_BUFFERED, BadUserAddress, 6, Out, 16),
          STATUS_ACCESS_VIOLATION);
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_OUT_DIRECT, NULL, 0, BadUserAddress, 16),
          STATUS_ACCESS_VIOLATION);
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, 0x12345678, NULL, 0, NULL, 0),
          STATUS_INVALID_DEVICE_REQUEST);

    /* pended, completed by a DPC: the synchronous handle's service waits */
    RtlZeroMemory(Out, sizeof(Out));
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_PEND, NULL, 0, Out, 8), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 4);
    KT_CHECK(RtlCompareMemory(Out, "late", 4) == 4);

    UCHAR Data[10];
    KT_EQ(NtReadFile(H, NULL, NULL, NULL, &Iosb, Data, sizeof(Data), NULL, NULL), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, sizeof(Data));
    KT_EQ(Data[9], 'r');
    RtlFillMemory(Data, sizeof(Data), 'w');
    KT_EQ(NtWriteFile(H, NULL, NULL, NULL, &Iosb, Data, 7, NULL, NULL), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 7);
    KT_EQ(NtReadFile(H, NULL, NULL, NULL, &Iosb, BadUserAddress, 10, NULL, NULL), STATUS_ACCESS_VIOLATION);
}

static VOID AsynchronousRequest(VOID)
{
    HANDLE H, Event;
    KT_EQ(Open(&H, L"\\Device\\IoctlTest", FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, 0), STATUS_SUCCESS);
    KT_EQ(NtCreateEvent(&Event, EVENT_ALL_ACCESS, NULL, NotificationEvent, TRUE), STATUS_SUCCESS);
    IO_STATUS_BLOCK Iosb = { { (NTSTATUS)0x12345 }, 77 };
    UCHAR Out[8] = { 0 };
    KT_EQ(NtDeviceIoControlFile(H, Event, NULL, NULL, &Iosb, IOCTL_TEST_PEND, NULL, 0, Out, 8), STATUS_PENDING);
    KT_EQ(NtWaitForSingleObject(Event, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(Iosb.Status, STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 4);
    KT_CHECK(RtlCompareMemory(Out, "late", 4) == 4);
    /* completed at once: the status, and the event set */
    KT_EQ(NtDeviceIoControlFile(H, Event, NULL, NULL, &Iosb, IOCTL_TEST_BUFFERED, "xy", 2, Out, 8), STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(Event, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 2);
    /* without an event: the file handle is signaled */
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_PEND, NULL, 0, Out, 8), STATUS_PENDING);
    KT_EQ(NtWaitForSingleObject(H, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 4);
    KT_EQ(NtClose(Event), STATUS_SUCCESS);
    KT_EQ(NtClose(H), STATUS_SUCCESS);
}

static NTSTATUS NTAPI ClientMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    HANDLE H, R;
    while (InterlockedCompareExchange(&ClientPid, 0, 0) == 0)
        NtYieldExecution();
    KT_EQ(Open(&H, L"\\??\\NoSuchDevice", GENERIC_READ | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
          STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(Open(&H, L"\\Device\\NoSuchDevice", GENERIC_READ | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
          STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(Open(&H, L"\\??\\IoctlTest", GENERIC_READ, FILE_SYNCHRONOUS_IO_NONALERT), STATUS_INVALID_PARAMETER);
    KT_EQ(Open(&H, L"\\??\\IoctlTest", GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
          STATUS_SUCCESS);
    SynchronousRequests(H);
    IO_STATUS_BLOCK Iosb;
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_WRITE_ACCESS, NULL, 0, NULL, 0),
          STATUS_SUCCESS);
    /* a read-only handle: no FILE_WRITE_ACCESS control codes, no writes */
    KT_EQ(Open(&R, L"\\DosDevices\\ioctltest", GENERIC_READ | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
          STATUS_SUCCESS);
    KT_EQ(NtDeviceIoControlFile(R, NULL, NULL, NULL, &Iosb, IOCTL_TEST_WRITE_ACCESS, NULL, 0, NULL, 0),
          STATUS_ACCESS_DENIED);
    KT_EQ(NtWriteFile(R, NULL, NULL, NULL, &Iosb, "w", 1, NULL, NULL), STATUS_ACCESS_DENIED);
    KT_EQ(NtClose(R), STATUS_SUCCESS);
    KT_EQ(NtClose(H), STATUS_SUCCESS);
    AsynchronousRequest();
    return STATUS_SUCCESS;
}

/* ---- kernel-mode callers --------------------------------------------------------------------------------- */

static VOID KernelCallers(VOID)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\IoctlTest");
    OBJECT_ATTRIBUTES Oa;
    IO_STATUS_BLOCK Iosb;
    HANDLE H;
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    KT_EQ(ZwCreateFile(&H, GENERIC_READ | SYNCHRONIZE, &Oa, &Iosb, NULL, 0, 0, FILE_OPEN,
                       FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0), STATUS_SUCCESS);
    UCHAR Out[8];
    KT_EQ(ZwDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, IOCTL_TEST_BUFFERED, "12", 2, Out, 8), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 2);
    KT_EQ(Out[0], '2');
    KT_EQ(ZwClose(H), STATUS_SUCCESS);

    PFILE_OBJECT File;
    PDEVICE_OBJECT Top;
    KT_EQ(IoGetDeviceObjectPointer(&Name, FILE_READ_DATA, &File, &Top), STATUS_SUCCESS);
    KT_CHECK(Top == Device);
    KEVENT Event;
    KeInitializeEvent(&Event, NotificationEvent, FALSE);
    PIRP Irp = IoBuildDeviceIoControlRequest(IOCTL_TEST_PEND, Top, NULL, 0, Out, sizeof(Out), FALSE, &Event, &Iosb);
    KT_CHECK(Irp != NULL);
    IoGetNextIrpStackLocation(Irp)->FileObject = File;
    NTSTATUS Status = IoCallDriver(Top, Irp);
    KT_EQ(Status, STATUS_PENDING);
    KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, NULL);
    KT_EQ(Iosb.Status, STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 4);
    KT_CHECK(RtlCompareMemory(Out, "late", 4) == 4);
    ObDereferenceObject(File);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNICODE_STRING Link = RTL_CONSTANT_STRING(L"\\??\\IoctlTest");
    KT_EQ(IoDeleteSymbolicLink(&Link), STATUS_SUCCESS);
    KT_EQ(IoDeleteSymbolicLink(&Link), STATUS_OBJECT_NAME_NOT_FOUND);
    IoDeleteDevice(Device);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\IoctlTest");
    UNICODE_STRING Link = RTL_CONSTANT_STRING(L"\\??\\IoctlTest");
    NTSTATUS Status = IoCreateDevice(DriverObject, sizeof(EXTENSION), &Name, FILE_DEVICE_UNKNOWN,
                                     FILE_DEVICE_SECURE_OPEN, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    EXTENSION *Ext = Device->DeviceExtension;
    KeInitializeTimer(&Ext->Timer);
    KeInitializeDpc(&Ext->Dpc, PendDpc, Ext);
    Device->Flags |= DO_BUFFERED_IO;
    KT_EQ(IoCreateSymbolicLink(&Link, &Name), STATUS_SUCCESS);
    KT_EQ(IoCreateSymbolicLink(&Link, &Name), STATUS_OBJECT_NAME_COLLISION);
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchControl;
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = DispatchReadWrite;
    DriverObject->DriverUnload = Unload;

    /* Not open yet: a device is opened once DriverEntry is done with it. */
    HANDLE H;
    OBJECT_ATTRIBUTES Oa;
    IO_STATUS_BLOCK Iosb;
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenFile(&H, FILE_READ_DATA, &Oa, &Iosb, 0, 0), STATUS_NO_SUCH_DEVICE);
    Device->Flags &= ~DO_DEVICE_INITIALIZING;

    NTPS_PROCESS_CREATE C;
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Tools\\ioctlclient.exe");
    RtlZeroMemory(&C, sizeof(C));
    C.ImageFileName = &Image;
    C.Subsystem = SubsystemInformationTypeWin32;
    C.StartRoutine = ClientMain;
    HANDLE Process;
    CLIENT_ID Cid;
    KT_EQ(NtpsCreateProcess(&C, &Process, &Cid), STATUS_SUCCESS);
    InterlockedExchange(&ClientPid, (LONG)(ULONG_PTR)Cid.UniqueProcess);
    ZwWaitForSingleObject(Process, FALSE, NULL);
    ZwClose(Process);
    KT_CHECK(UserRequests >= 10);
    KernelCallers();
    KT_EQ(Creates, 5);
    KT_EQ(Cleanups, 5);
    KT_EQ(Closes, 5);
    KT_DONE();
    return STATUS_SUCCESS;
}
