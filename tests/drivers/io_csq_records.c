/*
 * A read-records device in the style of the cancel sample: reads (direct
 * I/O, an MDL over the caller's buffer) wait in a cancel-safe queue and a
 * system thread completes them with numbered records while it produces.
 * A user process reads records synchronously, cancels an asynchronous read
 * with NtCancelIoFile, gets a completion as a user APC in an alertable
 * wait, and has a thread blocked in a read terminated: the I/O manager
 * cancels the exiting thread's IRP, which the queue completes cancelled.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

#define IOCTL_PAUSE CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_RESUME CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS)

static PDEVICE_OBJECT Device;
static IO_CSQ Csq;
static KSPIN_LOCK QueueLock;
static LIST_ENTRY Queue;
static KEVENT Stop;
static HANDLE Producer;
static volatile LONG Producing = 1, Sequence, Cancelled;

/* ---- the queue ---------------------------------------------------------------------------------- */

static VOID QInsert(PIO_CSQ Q, PIRP Irp) { UNREFERENCED_PARAMETER(Q); InsertTailList(&Queue, &Irp->Tail.Overlay.ListEntry); }
static VOID QRemove(PIO_CSQ Q, PIRP Irp) { UNREFERENCED_PARAMETER(Q); RemoveEntryList(&Irp->Tail.Overlay.ListEntry); }
static PIRP QPeek(PIO_CSQ Q, PIRP Irp, PVOID File)
{
    UNREFERENCED_PARAMETER(Q);
    for (PLIST_ENTRY E = Irp ? Irp->Tail.Overlay.ListEntry.Flink : Queue.Flink; E != &Queue; E = E->Flink) {
        PIRP Next = CONTAINING_RECORD(E, IRP, Tail.Overlay.ListEntry);
        if (File == NULL || IoGetCurrentIrpStackLocation(Next)->FileObject == File)
            return Next;
    }
    return NULL;
}
static VOID QAcquire(PIO_CSQ Q, PKIRQL Irql) { UNREFERENCED_PARAMETER(Q); KeAcquireSpinLock(&QueueLock, Irql); }
static VOID QRelease(PIO_CSQ Q, KIRQL Irql) { UNREFERENCED_PARAMETER(Q); KeReleaseSpinLock(&QueueLock, Irql); }
static VOID QCancelled(PIO_CSQ Q, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Q);
    InterlockedIncrement(&Cancelled);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* ---- the producer ----------------------------------------------------------------------------------- */

static VOID ProducerMain(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    LARGE_INTEGER Tick;
    Tick.QuadPart = KT_MS(2);
    while (KeWaitForSingleObject(&Stop, Executive, KernelMode, FALSE, &Tick) == STATUS_TIMEOUT) {
        if (!InterlockedCompareExchange(&Producing, 0, 0))
            continue;
        PIRP Irp = IoCsqRemoveNextIrp(&Csq, NULL);
        if (Irp == NULL)
            continue;
        PULONG Record = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
        *Record = (ULONG)InterlockedIncrement(&Sequence);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = sizeof(ULONG);
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/* ---- dispatch ------------------------------------------------------------------------------------------ */

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS Dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    switch (Stack->MajorFunction) {
    case IRP_MJ_READ:
        if (Stack->Parameters.Read.Length < sizeof(ULONG) || Irp->MdlAddress == NULL)
            return Complete(Irp, STATUS_BUFFER_TOO_SMALL);
        IoCsqInsertIrp(&Csq, Irp, NULL);
        return STATUS_PENDING;
    case IRP_MJ_CLEANUP:
        for (PIRP Left; (Left = IoCsqRemoveNextIrp(&Csq, Stack->FileObject)) != NULL;)
            QCancelled(&Csq, Left);
        return Complete(Irp, STATUS_SUCCESS);
    case IRP_MJ_DEVICE_CONTROL:
        InterlockedExchange(&Producing, Stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_RESUME);
        return Complete(Irp, STATUS_SUCCESS);
    }
    return Complete(Irp, STATUS_SUCCESS);
}

/* ---- the client ------------------------------------------------------------------------------------------ */

static HANDLE OpenRecords(ULONG Options)
{
    UNICODE_STRING S = RTL_CONSTANT_STRING(L"\\??\\Records");
    OBJECT_ATTRIBUTES Oa;
    IO_STATUS_BLOCK Iosb;
    HANDLE H = NULL;
    InitializeObjectAttributes(&Oa, &S, 0, NULL, NULL);
    KT_EQ(NtCreateFile(&H, GENERIC_READ | SYNCHRONIZE, &Oa, &Iosb, NULL, 0, 0, FILE_OPEN, Options, NULL, 0),
          STATUS_SUCCESS);
    return H;
}

static VOID Control(HANDLE H, ULONG Code)
{
    IO_STATUS_BLOCK Iosb;
    KT_EQ(NtDeviceIoControlFile(H, NULL, NULL, NULL, &Iosb, Code, NULL, 0, NULL, 0), STATUS_SUCCESS);
}

static volatile LONG ApcRan;
static NTSTATUS ApcStatus;

static VOID NTAPI ReadApc(PVOID Context, PIO_STATUS_BLOCK Iosb, ULONG Reserved)
{
    UNREFERENCED_PARAMETER(Reserved);
    KT_CHECK(Context == (PVOID)&ApcRan);
    ApcStatus = Iosb->Status;
    InterlockedIncrement(&ApcRan);
}

static NTSTATUS NTAPI BlockedReader(PVOID Parameter)
{
    HANDLE H = Parameter;
    IO_STATUS_BLOCK Iosb;
    ULONG Record;
    NtReadFile(H, NULL, NULL, NULL, &Iosb, &Record, sizeof(Record), NULL, NULL);   /* never answered */
    return STATUS_UNSUCCESSFUL;
}

static NTSTATUS NTAPI ClientMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    HANDLE Sync = OpenRecords(FILE_SYNCHRONOUS_IO_NONALERT), Async = OpenRecords(0), Event;
    IO_STATUS_BLOCK Iosb;
    ULONG Records[3];
    for (int i = 0; i < 3; i++) {
        KT_EQ(NtReadFile(Sync, NULL, NULL, NULL, &Iosb, &Records[i], sizeof(ULONG), NULL, NULL), STATUS_SUCCESS);
        KT_EQ(Iosb.Information, sizeof(ULONG));
    }
    KT_CHECK(Records[0] < Records[1] && Records[1] < Records[2]);

    /* an asynchronous read, cancelled */
    Control(Sync, IOCTL_PAUSE);
    KT_EQ(NtCreateEvent(&Event, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_SUCCESS);
    ULONG Record = 0;
    KT_EQ(NtReadFile(Async, Event, NULL, NULL, &Iosb, &Record, sizeof(Record), NULL, NULL), STATUS_PENDING);
    IO_STATUS_BLOCK CancelIosb;
    KT_EQ(NtCancelIoFile(Async, &CancelIosb), STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(Event, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(Iosb.Status, STATUS_CANCELLED);

    /* completion as a user APC, in an alertable wait */
    IO_STATUS_BLOCK ApcIosb;
    KT_EQ(NtReadFile(Async, NULL, ReadApc, (PVOID)&ApcRan, &ApcIosb, &Record, sizeof(Record), NULL, NULL),
          STATUS_PENDING);
    Control(Sync, IOCTL_RESUME);
    LARGE_INTEGER Long;
    Long.QuadPart = KT_MS(10000);
    KT_EQ(NtDelayExecution(TRUE, &Long), STATUS_USER_APC);
    KT_EQ(ApcRan, 1);
    KT_EQ(ApcStatus, STATUS_SUCCESS);

    /* a thread blocked in a read, terminated */
    Control(Sync, IOCTL_PAUSE);
    HANDLE Thread;
    KT_EQ(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, BlockedReader, Sync, &Thread, NULL),
          STATUS_SUCCESS);
    LARGE_INTEGER Short;
    Short.QuadPart = KT_MS(20);
    NtDelayExecution(FALSE, &Short);
    KT_EQ(NtTerminateThread(Thread, STATUS_CANCELLED), STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(Thread, FALSE, NULL), STATUS_SUCCESS);
    NtClose(Thread);
    Control(Sync, IOCTL_RESUME);
    NtClose(Event);
    NtClose(Async);
    NtClose(Sync);
    return STATUS_SUCCESS;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNICODE_STRING Link = RTL_CONSTANT_STRING(L"\\??\\Records");
    IoDeleteSymbolicLink(&Link);
    IoDeleteDevice(Device);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\Records");
    UNICODE_STRING Link = RTL_CONSTANT_STRING(L"\\??\\Records");
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Device->Flags |= DO_DIRECT_IO;
    KT_EQ(IoCreateSymbolicLink(&Link, &Name), STATUS_SUCCESS);
    KeInitializeSpinLock(&QueueLock);
    InitializeListHead(&Queue);
    KT_EQ(IoCsqInitialize(&Csq, QInsert, QRemove, QPeek, QAcquire, QRelease, QCancelled), STATUS_SUCCESS);
    KeInitializeEvent(&Stop, NotificationEvent, FALSE);
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(PsCreateSystemThread(&Producer, THREAD_ALL_ACCESS, &Oa, NULL, NULL, ProducerMain, NULL), STATUS_SUCCESS);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = Dispatch;
    DriverObject->DriverUnload = Unload;
    Device->Flags &= ~DO_DEVICE_INITIALIZING;

    NTPS_PROCESS_CREATE C;
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Tools\\records.exe");
    RtlZeroMemory(&C, sizeof(C));
    C.ImageFileName = &Image;
    C.Subsystem = SubsystemInformationTypeWin32;
    C.StartRoutine = ClientMain;
    HANDLE Process;
    KT_EQ(NtpsCreateProcess(&C, &Process, NULL), STATUS_SUCCESS);
    ZwWaitForSingleObject(Process, FALSE, NULL);
    ZwClose(Process);
    KT_EQ(Cancelled, 2);
    /* the run waits for drivers' threads before it unloads them */
    KeSetEvent(&Stop, IO_NO_INCREMENT, FALSE);
    ZwWaitForSingleObject(Producer, FALSE, NULL);
    ZwClose(Producer);
    KT_DONE();
    return STATUS_SUCCESS;
}
