/*
 * io_workitem_churn.c - the clean way to use Io work items, under process
 * churn: a process notify routine queues an Io work item for every process
 * created and ended (allocated there, freed by its own routine), a thread
 * requeues one IoInitializeWorkItem item from its routine, and DriverUnload
 * drains everything (rundown protection taken per queued item, released at
 * the end of the routine) before it deletes its device. No verifier report,
 * no leak, and every item ran exactly once.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: reject ^VERIFIER
// NTPS-TEST: reject ^ntps: leak
// NTPS-TEST: timeout 120
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

#define PROCESSES 60
#define REQUEUES 500

static PDEVICE_OBJECT Device;
static EX_RUNDOWN_REF Rundown;
static volatile LONG Queued, Ran, WrongDevice, AllocFailures, Requeued;
static volatile LONG NotPassive;
static UCHAR ChainStorage[256];
static PIO_WORKITEM Chain = (PIO_WORKITEM)ChainStorage;
static KEVENT ChainDone;
static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\conhost.exe");

static IO_WORKITEM_ROUTINE_EX NotifyWork;
static VOID NotifyWork(PVOID IoObject, PVOID Context, PIO_WORKITEM Item)
{
    if (IoObject != Device || Context != (PVOID)Device)
        InterlockedIncrement(&WrongDevice);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        InterlockedIncrement(&NotPassive);
    InterlockedIncrement(&Ran);
    IoFreeWorkItem(Item);       /* dequeued before the routine runs: ours to free */
    ExReleaseRundownProtection(&Rundown);
}

static VOID QueueOne(VOID)
{
    if (!ExAcquireRundownProtection(&Rundown))
        return;
    PIO_WORKITEM Item = IoAllocateWorkItem(Device);
    if (Item == NULL) {
        InterlockedIncrement(&AllocFailures);
        ExReleaseRundownProtection(&Rundown);
        return;
    }
    InterlockedIncrement(&Queued);
    IoQueueWorkItemEx(Item, NotifyWork, DelayedWorkQueue, Device);
}

static VOID Notify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    UNREFERENCED_PARAMETER(Process); UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(CreateInfo);
    QueueOne();
}

/* One item requeued from its own routine REQUEUES times. */
static IO_WORKITEM_ROUTINE ChainWork;
static VOID ChainWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (DeviceObject != Device)
        InterlockedIncrement(&WrongDevice);
    if (InterlockedIncrement(&Requeued) < REQUEUES)
        IoQueueWorkItem(Chain, ChainWork, (Requeued & 1) ? DelayedWorkQueue : CriticalWorkQueue, NULL);
    else
        KeSetEvent(&ChainDone, 0, FALSE);
}

static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return 0;
}

static VOID Churn(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    IoQueueWorkItem(Chain, ChainWork, DelayedWorkQueue, NULL);
    for (ULONG i = 0; i < PROCESSES; i++) {
        KtRunProcess(&Image, NULL, SubsystemInformationTypeWin32, UserMain, NULL, NULL);
        QueueOne();
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsSetCreateProcessNotifyRoutineEx(Notify, TRUE);
    ExWaitForRundownProtectionRelease(&Rundown);
    KeWaitForSingleObject(&ChainDone, Executive, KernelMode, FALSE, NULL);
    IoUninitializeWorkItem(Chain);
    KT_EQ(Ran, Queued);
    KT_CHECK(Queued >= PROCESSES * 3);
    KT_EQ(Requeued, REQUEUES);
    KT_EQ(WrongDevice, 0);
    KT_EQ(NotPassive, 0);
    KT_EQ(AllocFailures, 0);
    IoDeleteDevice(Device);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\WorkChurn");
    NTSTATUS Status = IoCreateDevice(DriverObject, 64, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    KT_CHECK(DriverObject->DeviceObject == Device);
    KT_CHECK(Device->DriverObject == DriverObject);
    KT_CHECK(Device->DeviceExtension != NULL);
    KT_CHECK(IoSizeofWorkItem() <= sizeof(ChainStorage));
    KeInitializeEvent(&ChainDone, NotificationEvent, FALSE);
    ExInitializeRundownProtection(&Rundown);
    IoInitializeWorkItem(Device, Chain);
    DriverObject->DriverUnload = Unload;
    Status = PsSetCreateProcessNotifyRoutineEx(Notify, FALSE);
    KT_CHECK(NT_SUCCESS(Status));
    HANDLE Thread;
    Status = PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, Churn, NULL);
    KT_CHECK(NT_SUCCESS(Status));
    if (NT_SUCCESS(Status))
        ZwClose(Thread);
    return STATUS_SUCCESS;
}
