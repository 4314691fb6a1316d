/*
 * workers - handing work to system worker threads the right way. A notify
 * routine must not wait or do slow work (the verifier reports it: it runs
 * in the creating thread, holding up every process creation): this one
 * only allocates an Io work item, takes a rundown reference and queues it.
 * The work item routine runs later on a system worker thread at
 * PASSIVE_LEVEL, where waiting is fine, does the "slow" part (here: it
 * looks the process up and takes its time), frees its item and drops its
 * reference. DriverUnload waits for the rundown, so no item of the driver
 * runs after it is gone, then deletes the device the items belong to.
 */
#include <ntifs.h>

static PDEVICE_OBJECT Device;
static EX_RUNDOWN_REF Rundown;
static volatile LONG Queued, Done, Missed;

static IO_WORKITEM_ROUTINE_EX Work;
static VOID Work(PVOID IoObject, PVOID Context, PIO_WORKITEM Item)
{
    UNREFERENCED_PARAMETER(IoObject);
    HANDLE ProcessId = Context;
    PEPROCESS Process;
    /* The slow part, allowed here: a look-up and a short wait. */
    if (NT_SUCCESS(PsLookupProcessByProcessId(ProcessId, &Process))) {
        ObDereferenceObject(Process);
    }
    LARGE_INTEGER Delay = { .QuadPart = -10 * 1000 };      /* 1 ms */
    KeDelayExecutionThread(KernelMode, FALSE, &Delay);
    InterlockedIncrement(&Done);
    IoFreeWorkItem(Item);
    ExReleaseRundownProtection(&Rundown);
}

static VOID ProcessNotify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    UNREFERENCED_PARAMETER(Process);
    if (CreateInfo == NULL)
        return;
    if (!ExAcquireRundownProtection(&Rundown))
        return;     /* unloading */
    PIO_WORKITEM Item = IoAllocateWorkItem(Device);
    if (Item == NULL) {
        InterlockedIncrement(&Missed);
        ExReleaseRundownProtection(&Rundown);
        return;
    }
    InterlockedIncrement(&Queued);
    IoQueueWorkItemEx(Item, Work, DelayedWorkQueue, ProcessId);    /* never wait here */
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsSetCreateProcessNotifyRoutineEx(ProcessNotify, TRUE);
    ExWaitForRundownProtectionRelease(&Rundown);     /* every queued item has run */
    IoDeleteDevice(Device);
    DbgPrint("workers: %ld work items queued from the notify routine, %ld done on worker threads, %ld missed\n",
             Queued, Done, Missed);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeRundownProtection(&Rundown);
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = PsSetCreateProcessNotifyRoutineEx(ProcessNotify, FALSE);
    if (!NT_SUCCESS(Status)) {
        DbgPrint("workers: PsSetCreateProcessNotifyRoutineEx failed 0x%08X (built with --integritycheck?)\n",
                 (unsigned)Status);
        IoDeleteDevice(Device);
        return Status;
    }
    DriverObject->DriverUnload = Unload;
    DbgPrint("workers: each new process gets a work item on a system worker thread\n");
    return STATUS_SUCCESS;
}
