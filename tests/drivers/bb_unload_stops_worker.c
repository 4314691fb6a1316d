// NTPS-TEST: modes rt1 rt2 sim1 sim2 sim2@5
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect every thread is waiting and no timer is set: unloading
/*
 * The most common shape of a driver with a thread: DriverEntry starts a
 * worker that waits for work or for a stop event; DriverUnload sets the stop
 * event and waits for the thread object. Nothing but the unload can end such
 * a thread, so the run must reach DriverUnload once the system is quiet,
 * and not before: two threads ping-pong an event without timeouts, a one-shot
 * timer's DPC feeds the worker's semaphore-fed queue, and all of it is done
 * when DriverUnload runs.
 */
#include <ntddk.h>
#include "ktest.h"

#define ROUNDS 2000

typedef struct _WORK { LIST_ENTRY Link; ULONG Value; } WORK, *PWORK;

static KEVENT StopEvent, Ping, Pong;
static KSEMAPHORE QueueCount;
static KSPIN_LOCK QueueLock;
static LIST_ENTRY Queue;
static PETHREAD Worker, Pinger, Ponger;
static volatile LONG Handled, PingPongs;
static KTIMER Timer;
static KDPC TimerDpc;

static KSTART_ROUTINE WorkerThread;
static VOID WorkerThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PVOID Objects[2] = { &StopEvent, &QueueCount };
    for (;;) {
        NTSTATUS Status = KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
        if (Status == STATUS_WAIT_0)
            break;
        KT_EQ(Status, STATUS_WAIT_1);
        PLIST_ENTRY Entry = ExInterlockedRemoveHeadList(&Queue, &QueueLock);
        KT_CHECK(Entry != NULL);
        if (Entry != NULL) {
            InterlockedIncrement(&Handled);
            ExFreePoolWithTag(CONTAINING_RECORD(Entry, WORK, Link), 'krWb');
        }
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID Enqueue(ULONG Value)
{
    PWORK Work = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(WORK), 'krWb');
    if (Work == NULL)
        return;
    Work->Value = Value;
    ExInterlockedInsertTailList(&Queue, &Work->Link, &QueueLock);
    KeReleaseSemaphore(&QueueCount, SEMAPHORE_INCREMENT, 1, FALSE);
}

static KDEFERRED_ROUTINE TimerRoutine;
static VOID TimerRoutine(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    Enqueue(1000);
}

static KSTART_ROUTINE PingThread, PongThread;
static VOID PingThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ROUNDS; i++) {
        KeSetEvent(&Ping, 0, FALSE);
        KeWaitForSingleObject(&Pong, Executive, KernelMode, FALSE, NULL);
    }
    /* the last item arrives from a timer 30 ms from now */
    LARGE_INTEGER Due;
    Due.QuadPart = KT_MS(30);
    KeSetTimer(&Timer, Due, &TimerDpc);
}
static VOID PongThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ROUNDS; i++) {
        KeWaitForSingleObject(&Ping, Executive, KernelMode, FALSE, NULL);
        InterlockedIncrement(&PingPongs);
        if (i % 100 == 0)
            Enqueue((ULONG)i);
        KeSetEvent(&Pong, 0, FALSE);
    }
}

static DRIVER_UNLOAD Unload;
static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    KT_EQ(PingPongs, ROUNDS);
    KT_EQ(Handled, ROUNDS / 100 + 1);
    KT_EQ(KeReadStateTimer(&Timer), TRUE);
    KeSetEvent(&StopEvent, IO_NO_INCREMENT, FALSE);
    KtJoin(Worker);
    KtJoin(Pinger);
    KtJoin(Ponger);
    KeCancelTimer(&Timer);
    KeFlushQueuedDpcs();
    KT_CHECK(IsListEmpty(&Queue));
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&StopEvent, NotificationEvent, FALSE);
    KeInitializeEvent(&Ping, SynchronizationEvent, FALSE);
    KeInitializeEvent(&Pong, SynchronizationEvent, FALSE);
    KeInitializeSemaphore(&QueueCount, 0, MAXLONG);
    KeInitializeSpinLock(&QueueLock);
    InitializeListHead(&Queue);
    KeInitializeTimer(&Timer);
    KeInitializeDpc(&TimerDpc, TimerRoutine, NULL);
    Worker = KtStartThread(WorkerThread, NULL);
    Ponger = KtStartThread(PongThread, NULL);
    Pinger = KtStartThread(PingThread, NULL);
    if (Worker == NULL || Pinger == NULL || Ponger == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
