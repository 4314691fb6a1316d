/*
 * The race detector reports nothing on data handed from one thread to
 * another through the dispatcher: written before an event is set and read
 * after the wait; before a semaphore release; before PsCreateSystemThread
 * and read by the new thread; by a thread before it ends and read after a
 * wait on the thread object; before a work item (ExQueueWorkItem and
 * IoQueueWorkItem) is queued and by its routine; before a DPC is queued
 * and by its routine; before a timer with a DPC is set; by protected work
 * before rundown protection is released and after the rundown wait.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --races=strict
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^ntps: races: 0 \(0 found\)$
// NTPS-TEST: reject ^RACE
#include <ntddk.h>
#include "ktest.h"

static KEVENT Ready, Done;
static KSEMAPHORE Semaphore;
static KDPC Dpc, TimerDpc;
static KTIMER Timer;
static WORK_QUEUE_ITEM WorkItem;
static PIO_WORKITEM IoWorkItem;
static EX_RUNDOWN_REF Rundown;
static LONG EventData, CreateData, ExitData, WorkData, IoWorkData, DpcData, TimerData;
static LONG RundownData[2];     /* one slot per protected thread: the rundown protects, it does not exclude */
static LONG Buffer[64];     /* whole-buffer copies (memset, memcpy) */

static VOID EventConsumer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KT_EQ(EventData, 1);
    EventData = 2;
    KT_EQ(Buffer[63], 7);
    RtlFillMemory(Buffer, sizeof(Buffer), 0);
    KeReleaseSemaphore(&Semaphore, 0, 1, FALSE);
}

static VOID CreateReader(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KT_EQ(CreateData, 5);
    ExitData = 6;   /* read after a wait on this thread */
}

static VOID WorkRoutine(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KT_EQ(WorkData, 1);
    WorkData = 2;
    KeSetEvent(&Done, 0, FALSE);
}

static VOID IoWorkRoutine(PDEVICE_OBJECT Device, PVOID Context)
{
    UNREFERENCED_PARAMETER(Device);
    UNREFERENCED_PARAMETER(Context);
    KT_EQ(IoWorkData, 1);
    IoWorkData = 2;
    KeSetEvent(&Done, 0, FALSE);
}

static VOID DpcRoutine(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    LONG *Data = Context;
    KT_EQ(*Data, 1);
    *Data = 2;
    KeSetEvent(&Done, 0, FALSE);
}

static VOID Protected(PVOID Context)
{
    LONG *Slot = Context;
    if (ExAcquireRundownProtection(&Rundown)) {
        *Slot = 1;
        ExReleaseRundownProtection(&Rundown);
    }
}

static VOID Wait(PVOID Object)
{
    KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, NULL);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Ready, NotificationEvent, FALSE);
    KeInitializeEvent(&Done, SynchronizationEvent, FALSE);
    KeInitializeSemaphore(&Semaphore, 0, 1);

    /* event set -> wait; semaphore release -> wait */
    PETHREAD T = KtStartThread(EventConsumer, NULL);
    EventData = 1;
    Buffer[63] = 7;
    KeSetEvent(&Ready, 0, FALSE);
    Wait(&Semaphore);
    KT_EQ(EventData, 2);
    KT_EQ(Buffer[0], 0);
    Wait(T);
    ObDereferenceObject(T);

    /* creation -> the new thread; its end -> the wait on it */
    CreateData = 5;
    T = KtStartThread(CreateReader, NULL);
    Wait(T);
    ObDereferenceObject(T);
    KT_EQ(ExitData, 6);

    /* work items */
    WorkData = 1;
    ExInitializeWorkItem(&WorkItem, WorkRoutine, NULL);
    ExQueueWorkItem(&WorkItem, DelayedWorkQueue);
    Wait(&Done);
    KT_EQ(WorkData, 2);
    PDEVICE_OBJECT Device;
    KT_EQ(IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device), STATUS_SUCCESS);
    IoWorkItem = IoAllocateWorkItem(Device);
    IoWorkData = 1;
    IoQueueWorkItem(IoWorkItem, IoWorkRoutine, DelayedWorkQueue, NULL);
    Wait(&Done);
    KT_EQ(IoWorkData, 2);

    /* DPC queue -> routine; timer set -> DPC */
    KeInitializeDpc(&Dpc, DpcRoutine, &DpcData);
    DpcData = 1;
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    Wait(&Done);
    KT_EQ(DpcData, 2);
    KeInitializeDpc(&TimerDpc, DpcRoutine, &TimerData);
    KeInitializeTimer(&Timer);
    TimerData = 1;
    LARGE_INTEGER Due = { .QuadPart = KT_MS(2) };
    KeSetTimer(&Timer, Due, &TimerDpc);
    Wait(&Done);
    KT_EQ(TimerData, 2);

    /* rundown protection */
    ExInitializeRundownProtection(&Rundown);
    PETHREAD P[2] = { KtStartThread(Protected, &RundownData[0]), KtStartThread(Protected, &RundownData[1]) };
    KtSleep(1);
    ExWaitForRundownProtectionRelease(&Rundown);
    LONG Seen = RundownData[0] + RundownData[1];  /* written before the wait ended, or never */
    KT_CHECK(Seen >= 0 && Seen <= 2);
    for (int i = 0; i < 2; i++) {
        Wait(P[i]);
        ObDereferenceObject(P[i]);
    }

    IoFreeWorkItem(IoWorkItem);
    IoDeleteDevice(Device);
    KT_DONE();
    return STATUS_SUCCESS;
}
