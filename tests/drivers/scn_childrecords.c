/*
 * A monitor that reports to user mode through reads, for
 * tests/scenarios/device_records.yaml: its process notify routine makes a
 * record (the image's file name) for each process whose image is
 * child.exe; a read of \\.\ChildRecords returns the oldest record, or
 * waits for the next one in a cancel-safe queue (the scenario's read then
 * waits in NtReadFile on its synchronous handle until a creation completes
 * it, from the creating thread). CLEANUP cancels the file's waiting reads.
 */
// NTPS-TEST: modes none
// NTPS-TEST: cc --integritycheck
#include <ntifs.h>

#define RECORD_SIZE 32
#define RECORDS 16

static PDEVICE_OBJECT Device;
static UNICODE_STRING LinkName = RTL_CONSTANT_STRING(L"\\??\\ChildRecords");
static IO_CSQ Csq;
static KSPIN_LOCK CsqLock, RecordLock;     /* RecordLock, then the queue's lock */
static LIST_ENTRY Waiting;
static CHAR Records[RECORDS][RECORD_SIZE];
static ULONG First, Count;
static volatile LONG Made, Pended;

static VOID QInsert(PIO_CSQ Q, PIRP Irp) { UNREFERENCED_PARAMETER(Q); InsertTailList(&Waiting, &Irp->Tail.Overlay.ListEntry); }
static VOID QRemove(PIO_CSQ Q, PIRP Irp) { UNREFERENCED_PARAMETER(Q); RemoveEntryList(&Irp->Tail.Overlay.ListEntry); }
static PIRP QPeek(PIO_CSQ Q, PIRP Irp, PVOID File)
{
    UNREFERENCED_PARAMETER(Q);
    for (PLIST_ENTRY E = Irp ? Irp->Tail.Overlay.ListEntry.Flink : Waiting.Flink; E != &Waiting; E = E->Flink) {
        PIRP Next = CONTAINING_RECORD(E, IRP, Tail.Overlay.ListEntry);
        if (File == NULL || IoGetCurrentIrpStackLocation(Next)->FileObject == File)
            return Next;
    }
    return NULL;
}
static VOID QAcquire(PIO_CSQ Q, PKIRQL Irql) { UNREFERENCED_PARAMETER(Q); KeAcquireSpinLock(&CsqLock, Irql); }
static VOID QRelease(PIO_CSQ Q, KIRQL Irql) { UNREFERENCED_PARAMETER(Q); KeReleaseSpinLock(&CsqLock, Irql); }

static VOID CompleteRead(PIRP Irp, NTSTATUS Status, PCSTR Record)
{
    ULONG Length = 0;
    if (Record != NULL) {
        ULONG Room = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
        Length = (ULONG)strnlen(Record, RECORD_SIZE);
        Length = min(Length, Room);
        RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, Record, Length);
    }
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Length;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static VOID QCancelled(PIO_CSQ Q, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Q);
    CompleteRead(Irp, STATUS_CANCELLED, NULL);
}

static VOID ProcessNotify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    UNREFERENCED_PARAMETER(Process);
    UNREFERENCED_PARAMETER(ProcessId);
    if (CreateInfo == NULL || CreateInfo->ImageFileName == NULL)
        return;
    PCUNICODE_STRING Image = CreateInfo->ImageFileName;
    USHORT n = Image->Length / sizeof(WCHAR), Start = n;
    while (Start > 0 && Image->Buffer[Start - 1] != L'\\')
        Start--;
    CHAR Record[RECORD_SIZE] = { 0 };
    for (USHORT i = Start, j = 0; i < n && j < RECORD_SIZE - 1; i++, j++)
        Record[j] = Image->Buffer[i] < 0x80 ? (CHAR)Image->Buffer[i] : '?';
    if (strcmp(Record, "child.exe") != 0)
        return;
    InterlockedIncrement(&Made);
    KIRQL Irql;
    KeAcquireSpinLock(&RecordLock, &Irql);
    PIRP Irp = IoCsqRemoveNextIrp(&Csq, NULL);
    if (Irp == NULL && Count < RECORDS) {
        RtlCopyMemory(Records[(First + Count) % RECORDS], Record, RECORD_SIZE);
        Count++;
    }
    KeReleaseSpinLock(&RecordLock, Irql);
    if (Irp != NULL)
        CompleteRead(Irp, STATUS_SUCCESS, Record);     /* a read that waited */
}

static NTSTATUS Dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    if (Stack->MajorFunction == IRP_MJ_READ) {
        CHAR Record[RECORD_SIZE];
        KIRQL Irql;
        KeAcquireSpinLock(&RecordLock, &Irql);
        BOOLEAN Have = Count != 0;
        if (Have) {
            RtlCopyMemory(Record, Records[First], RECORD_SIZE);
            First = (First + 1) % RECORDS;
            Count--;
        } else {
            InterlockedIncrement(&Pended);
            IoCsqInsertIrp(&Csq, Irp, NULL);    /* marks it pending */
        }
        KeReleaseSpinLock(&RecordLock, Irql);
        if (!Have)
            return STATUS_PENDING;
        CompleteRead(Irp, STATUS_SUCCESS, Record);
        return STATUS_SUCCESS;
    }
    if (Stack->MajorFunction == IRP_MJ_CLEANUP)
        for (PIRP Left; (Left = IoCsqRemoveNextIrp(&Csq, Stack->FileObject)) != NULL;)
            CompleteRead(Left, STATUS_CANCELLED, NULL);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsSetCreateProcessNotifyRoutineEx(ProcessNotify, TRUE);
    IoDeleteSymbolicLink(&LinkName);
    IoDeleteDevice(Device);
    DbgPrint("childrecords: %ld records made, %ld reads waited\n", Made, Pended);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\ChildRecords");
    KeInitializeSpinLock(&CsqLock);
    KeInitializeSpinLock(&RecordLock);
    InitializeListHead(&Waiting);
    IoCsqInitialize(&Csq, QInsert, QRemove, QPeek, QAcquire, QRelease, QCancelled);
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Device->Flags |= DO_BUFFERED_IO;
    if (!NT_SUCCESS(Status = IoCreateSymbolicLink(&LinkName, &Name)) ||
        !NT_SUCCESS(Status = PsSetCreateProcessNotifyRoutineEx(ProcessNotify, FALSE))) {
        IoDeleteSymbolicLink(&LinkName);
        IoDeleteDevice(Device);
        return Status;
    }
    for (ULONG i = IRP_MJ_CREATE; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = Dispatch;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
