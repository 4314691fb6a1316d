/*
 * ex/worker.c - system worker threads: ExQueueWorkItem, the queues and the
 * threads that run them.
 *
 * One queue per priority (1..31): a WORK_QUEUE_TYPE names a priority
 * (Delayed 12, Critical 13, ...; CustomPriorityWorkQueue + n names n), so
 * DelayedWorkQueue and CustomPriorityWorkQueue + 12 share a queue. Items
 * leave a queue in the order they entered it. Each queue's workers are
 * system threads of the System process running at the queue's priority;
 * none exists until work is queued. When an item is queued and every worker
 * of its queue is busy (more items waiting than idle workers), the manager
 * thread starts another, up to EXP_MAX_WORKERS_PER_QUEUE: routines that
 * wait for each other all get a thread, as Windows's dynamic worker
 * threads do. Workers stay until shutdown.
 *
 * A queued item is linked through List.Flink (the last one points at a
 * marker, so "queued" is Flink != NULL, as ExInitializeWorkItem's NULL
 * says); List.Blink holds its hidden state: the thread that queued it and
 * the EXP_WORK_* flags in the low bits (KTHREADs are 16-byte aligned), and
 * EXP_QUEUER_SERIAL of that thread in the top 16 bits (user-space addresses
 * leave them zero). A
 * worker takes the item off its queue and clears Flink before it calls the
 * routine, so the routine may free or requeue it.
 *
 * The checks made around each routine (ex/workcheck.c) and Io work items
 * (io/workitem.c) build on this.
 */
#include "ex/workerp.h"

NTSTATUS (*ExpCreateSystemThread)(PKSTART_ROUTINE StartRoutine, PVOID Context, PKTHREAD *Thread);
VOID (*ExpDereferenceThread)(PKTHREAD Thread);

EXP_WORK_QUEUE ExpWorkQueues[EXP_QUEUE_COUNT];
volatile LONG ExpQueuedItems;
KEVENT ExDriverWorkIdle;
KEVENT ExpWorkerProgress;
volatile LONG ExpProgressWaiters;
static volatile LONG ExpDriverWork;
static volatile BOOLEAN ExpWorkersReady;
static volatile BOOLEAN ExpManagerStop;
static KEVENT ExpManagerEvent;
static PKTHREAD ExpManagerThread;
static LIST_ENTRY ExpQueueEndMarker;

#define EXP_QUEUE_END (&ExpQueueEndMarker)
#define EXP_WORK_FLAGS (EXP_WORK_CHARGED | EXP_WORK_RAW)
#define EXP_SERIAL_SHIFT 48
#define EXP_MANAGER_PRIORITY HIGH_PRIORITY

/* Documented thread priorities of the queue types below MaximumWorkQueue. */
static const KPRIORITY ExpQueuePriorities[MaximumWorkQueue] = {
    [CriticalWorkQueue] = 13, [DelayedWorkQueue] = 12, [HyperCriticalWorkQueue] = 15, [NormalWorkQueue] = 8,
    [BackgroundWorkQueue] = 7, [RealTimeWorkQueue] = 18, [SuperCriticalWorkQueue] = 14,
};

static VOID ExpWorkerThread(PVOID Context);

/* ---- queueing ----------------------------------------------------------------------------------- */

KPRIORITY ExpValidateQueueType(PVOID Item, WORK_QUEUE_TYPE QueueType)
{
    ULONG Type = (ULONG)QueueType;
    if (Type < MaximumWorkQueue)
        return ExpQueuePriorities[Type];
    /* Windows 8.1 and later: CustomPriorityWorkQueue + a priority. Zero is
     * the zero-page thread's, not a worker's. */
    if (Type > CustomPriorityWorkQueue && Type <= CustomPriorityWorkQueue + HIGH_PRIORITY)
        return (KPRIORITY)(Type - CustomPriorityWorkQueue);
    KeBugCheckEx(WORKER_INVALID, 6, (ULONG_PTR)Item, Type, 0);   /* documented: an invalid queue type */
}

/* Documented as <= DISPATCH_LEVEL; Windows names no rule for work items, so
 * ntps raises the DDI-compliance IRQL rule of the caller's family. */
VOID ExpCheckWorkItemIrql(ULONG Rule, PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Rule, Irql, DISPATCH_LEVEL, (ULONG_PTR)Caller);
}

PKTHREAD ExpQueuingThread(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    return Prcb->DpcRoutineActive ? NULL : Prcb->CurrentThread;
}

/* An item waits and no worker is idle for it: ask for another (queue lock held). */
static BOOLEAN ExpNeedWorker(EXP_WORK_QUEUE *Queue)
{
    return !Queue->Shutdown && Queue->Depth > Queue->Idle + Queue->Requested &&
           Queue->Workers + Queue->Requested < EXP_MAX_WORKERS_PER_QUEUE;
}

VOID ExpDecodeQueuer(ULONG_PTR Hidden, PKTHREAD *Thread, USHORT *Serial)
{
    *Thread = (PKTHREAD)(Hidden & (((ULONG_PTR)1 << EXP_SERIAL_SHIFT) - 1) & ~(ULONG_PTR)EXP_WORK_FLAGS);
    *Serial = (USHORT)(Hidden >> EXP_SERIAL_SHIFT);
}

static VOID ExpInsertWorkItem(EXP_WORK_QUEUE *Queue, PWORK_QUEUE_ITEM Item, PKTHREAD QueuedBy, ULONG Flags)
{
    ExpAcquireSpinLock(&Queue->Lock);
    Item->List.Blink = (PLIST_ENTRY)((ULONG_PTR)QueuedBy | Flags |
                                     ((ULONG_PTR)EXP_QUEUER_SERIAL(QueuedBy) << EXP_SERIAL_SHIFT));
    if (Queue->Tail != NULL)
        __atomic_store_n(&Queue->Tail->List.Flink, &Item->List, __ATOMIC_RELAXED);
    else
        Queue->Head = Item;
    Queue->Tail = Item;
    Queue->Depth++;
    __atomic_add_fetch(&ExpQueuedItems, 1, __ATOMIC_RELAXED);
    BOOLEAN Start = ExpNeedWorker(Queue);
    if (Start)
        Queue->Requested++;
    ExpReleaseSpinLock(&Queue->Lock);
    /* No boost: a worker runs at its queue's priority. */
    KeReleaseSemaphore(&Queue->Ready, 0, 1, FALSE);
    if (Start)
        KeSetEvent(&ExpManagerEvent, 0, FALSE);
}

VOID ExpQueueWorkItem(PWORK_QUEUE_ITEM Item, WORK_QUEUE_TYPE QueueType, ULONG Flags, PVOID Caller)
{
    ExpCheckWorkItemIrql(0x20011, Caller);
    if (!__atomic_load_n(&ExpWorkersReady, __ATOMIC_ACQUIRE))    /* documented: queued before the queues exist */
        KeBugCheckEx(WORKER_INVALID, 5, (ULONG_PTR)Item, (ULONG)QueueType, (ULONG_PTR)-1);
    KPRIORITY Priority = ExpValidateQueueType(Item, QueueType);
    if (Item == NULL || Item->WorkerRoutine == NULL)              /* documented: an invalid worker routine */
        KeBugCheckEx(WORKER_INVALID, 7, (ULONG_PTR)Item, (ULONG)QueueType, 0);
    PLIST_ENTRY Expected = NULL;
    if (!__atomic_compare_exchange_n(&Item->List.Flink, &Expected, EXP_QUEUE_END, FALSE, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        KeBugCheckEx(WORKER_INVALID, 1, (ULONG_PTR)Item, (ULONG)QueueType, 0);   /* documented: queued twice */
    /* Counted before a worker can see it, so the count never dips to zero
     * while the item is on its way. */
    if (Flags & EXP_WORK_CHARGED)
        __atomic_add_fetch(&ExpDriverWork, 1, __ATOMIC_SEQ_CST);
    KiRaceRelease(Item);    /* the queuer's work happens before the routine */
    ExpInsertWorkItem(&ExpWorkQueues[Priority], Item, ExpQueuingThread(), Flags & EXP_WORK_FLAGS);
}

VOID ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType)
{
    /* A routine in a driver image is that driver's work: the host waits for
     * it before the unload, and the unload checks look for it. */
    ULONG Flags = 0;
    if (WorkItem != NULL && WorkItem->WorkerRoutine != NULL &&
        RtlpLookupModuleByAddress((PVOID)WorkItem->WorkerRoutine) != NULL)
        Flags |= EXP_WORK_CHARGED;
    ExpQueueWorkItem(WorkItem, QueueType, Flags, __builtin_return_address(0));
}

LONG ExDriverWorkInFlight(VOID)
{
    return __atomic_load_n(&ExpDriverWork, __ATOMIC_SEQ_CST);
}

/* ---- workers ------------------------------------------------------------------------------------- */

typedef struct _EXP_WORK {
    PWORK_QUEUE_ITEM Item;
    PWORKER_THREAD_ROUTINE Routine;
    PVOID Parameter;
    PKTHREAD QueuedBy;
    USHORT QueuedSerial;
    ULONG Flags;
} EXP_WORK;

/* The next item, off the queue before its routine runs; FALSE when the
 * queue is empty (the wake-up shutdown sends). */
static BOOLEAN ExpDequeue(EXP_WORK_QUEUE *Queue, EXP_WORKER *Worker, EXP_WORK *Work)
{
    ExpAcquireSpinLock(&Queue->Lock);
    PWORK_QUEUE_ITEM Item = Queue->Head;
    if (Item == NULL) {
        ExpReleaseSpinLock(&Queue->Lock);
        return FALSE;
    }
    PLIST_ENTRY Next = __atomic_load_n(&Item->List.Flink, __ATOMIC_RELAXED);
    Queue->Head = Next == EXP_QUEUE_END ? NULL : CONTAINING_RECORD(Next, WORK_QUEUE_ITEM, List);
    if (Queue->Head == NULL)
        Queue->Tail = NULL;
    Queue->Depth--;
    __atomic_sub_fetch(&ExpQueuedItems, 1, __ATOMIC_RELAXED);
    Queue->Idle--;
    ULONG_PTR Hidden = (ULONG_PTR)Item->List.Blink;
    Work->Item = Item;
    Work->Routine = Item->WorkerRoutine;
    Work->Parameter = Item->Parameter;
    ExpDecodeQueuer(Hidden, &Work->QueuedBy, &Work->QueuedSerial);
    Work->Flags = (ULONG)(Hidden & EXP_WORK_FLAGS);
    Worker->Item = Item;
    Worker->Routine = (PVOID)Work->Routine;
    Worker->Flags = Work->Flags;
    Worker->DequeueStamp = KiNextWaitStamp();   /* a wait stamped before began while the item was queued */
    ExpReleaseSpinLock(&Queue->Lock);
    Item->List.Blink = NULL;
    __atomic_store_n(&Item->List.Flink, NULL, __ATOMIC_RELEASE);    /* not queued any more */
    return TRUE;
}

static VOID ExpRunWorkItem(const EXP_WORK *Work)
{
    KiRaceAcquire(Work->Item);
    if (Work->Flags & EXP_WORK_RAW) {
        Work->Routine(Work->Parameter);     /* brackets its driver's routine itself */
    } else {
        EXP_WORK_FRAME Frame;
        ExpEnterWorkRoutine(&Frame, (PVOID)Work->Routine, Work->QueuedBy, Work->QueuedSerial);
        Work->Routine(Work->Parameter);
        ExpLeaveWorkRoutine(&Frame, (PVOID)Work->Routine, Work->Parameter, Work->Item);
    }
    KiRaceRelease(&KiRaceAllEnded);     /* the routine happens before an unload */
}

static VOID ExpFinishWorkItem(EXP_WORK_QUEUE *Queue, EXP_WORKER *Worker, const EXP_WORK *Work)
{
    ExpAcquireSpinLock(&Queue->Lock);
    Worker->Item = NULL;
    Worker->Routine = NULL;
    Worker->Flags = 0;
    Queue->Idle++;
    Queue->Completed++;
    ExpReleaseSpinLock(&Queue->Lock);
    if ((Work->Flags & EXP_WORK_CHARGED) && __atomic_sub_fetch(&ExpDriverWork, 1, __ATOMIC_SEQ_CST) == 0)
        KeSetEvent(&ExDriverWorkIdle, 0, FALSE);
    if (__atomic_load_n(&ExpProgressWaiters, __ATOMIC_SEQ_CST) != 0)
        KeSetEvent(&ExpWorkerProgress, 0, FALSE);
}

EXP_WORKER *ExpCurrentWorker(VOID)
{
    PKTHREAD Thread = KiCurrentThread();
    return Thread->StartRoutine == ExpWorkerThread ? Thread->StartContext : NULL;
}

static VOID ExpWorkerThread(PVOID Context)
{
    EXP_WORKER *Worker = Context;
    EXP_WORK_QUEUE *Queue = Worker->Queue;
    PKTHREAD Thread = KiCurrentThread();
    /* Every system thread starts in a critical region; routines run
     * outside one, with APCs enabled, as Windows runs them. */
    KeLeaveCriticalRegion();
    KeSetPriorityThread(Thread, Queue->Priority);
    for (;;) {
        KeWaitForSingleObject(&Queue->Ready, WrQueue, KernelMode, FALSE, NULL);
        EXP_WORK Work;
        if (!ExpDequeue(Queue, Worker, &Work))
            break;
        /* A boost, or a routine that changed its worker's priority, does
         * not carry over to the next item. */
        if (Thread->Priority != Queue->Priority || Thread->BasePriority != Queue->Priority)
            KeSetPriorityThread(Thread, Queue->Priority);
        ExpRunWorkItem(&Work);
        ExpFinishWorkItem(Queue, Worker, &Work);
    }
    __atomic_store_n(&Worker->RundownDone, TRUE, __ATOMIC_RELEASE);
}

BOOLEAN ExIsActiveWorkerThread(PKTHREAD Thread)
{
    if (Thread->StartRoutine != ExpWorkerThread)
        return FALSE;
    EXP_WORKER *Worker = Thread->StartContext;
    return !__atomic_load_n(&Worker->RundownDone, __ATOMIC_ACQUIRE);
}

/* ---- the manager: starts workers where items wait ---------------------------------------------- */

static VOID ExpStartWorker(EXP_WORK_QUEUE *Queue)
{
    EXP_WORKER *Worker = ExpAllocateKernel(sizeof(*Worker), 'krWx');
    NTSTATUS Status = STATUS_INSUFFICIENT_RESOURCES;
    PKTHREAD Thread = NULL;
    if (Worker != NULL) {
        Worker->Queue = Queue;
        Status = ExpCreateSystemThread(ExpWorkerThread, Worker, &Thread);
    }
    ExpAcquireSpinLock(&Queue->Lock);
    if (NT_SUCCESS(Status)) {
        Worker->Thread = Thread;
        InsertTailList(&Queue->WorkerList, &Worker->Link);
    } else {
        Queue->Workers--;
        Queue->Idle--;
    }
    ExpReleaseSpinLock(&Queue->Lock);
    if (!NT_SUCCESS(Status)) {
        if (Worker != NULL)
            ExpFreeKernel(Worker);
        RtlpReport("ntps: cannot start a worker thread for the priority %ld queue (0x%08X)\n", (long)Queue->Priority,
                   (ULONG)Status);
    }
}

static VOID ExpServeStartRequests(EXP_WORK_QUEUE *Queue)
{
    for (;;) {
        ExpAcquireSpinLock(&Queue->Lock);
        if (Queue->Requested == 0) {
            ExpReleaseSpinLock(&Queue->Lock);
            return;
        }
        Queue->Requested--;
        /* Still backed up? The workers may have caught up meanwhile. A new
         * worker counts as idle from now: it takes an item when it starts. */
        BOOLEAN Start = !Queue->Shutdown && Queue->Depth > Queue->Idle && Queue->Workers < EXP_MAX_WORKERS_PER_QUEUE;
        if (Start) {
            Queue->Workers++;
            Queue->Idle++;
        }
        ExpReleaseSpinLock(&Queue->Lock);
        if (Start)
            ExpStartWorker(Queue);
    }
}

/* Runs above every worker, so a queue whose workers spin waiting for
 * each other still gets its next thread. */
static VOID ExpWorkerManager(PVOID Context)
{
    KeSetPriorityThread(KiCurrentThread(), EXP_MANAGER_PRIORITY);
    KeSetEvent((PKEVENT)Context, 0, FALSE);     /* started: boot goes on */
    for (;;) {
        KeWaitForSingleObject(&ExpManagerEvent, WrQueue, KernelMode, FALSE, NULL);
        if (__atomic_load_n(&ExpManagerStop, __ATOMIC_ACQUIRE))
            break;
        for (ULONG i = 1; i < EXP_QUEUE_COUNT; i++)
            ExpServeStartRequests(&ExpWorkQueues[i]);
    }
}

/* ---- boot and shutdown ---------------------------------------------------------------------------- */

VOID ExInitializeWorkerThreads(VOID)
{
    for (ULONG i = 0; i < EXP_QUEUE_COUNT; i++) {
        EXP_WORK_QUEUE *Queue = &ExpWorkQueues[i];
        memset(Queue, 0, sizeof(*Queue));
        Queue->Priority = (KPRIORITY)i;
        KeInitializeSemaphore(&Queue->Ready, 0, MAXLONG);
        InitializeListHead(&Queue->WorkerList);
    }
    KeInitializeEvent(&ExpManagerEvent, SynchronizationEvent, FALSE);
    KeInitializeEvent(&ExDriverWorkIdle, NotificationEvent, TRUE);
    KeInitializeEvent(&ExpWorkerProgress, NotificationEvent, FALSE);
    ExpDriverWork = 0;
    ExpQueuedItems = 0;
    ExpProgressWaiters = 0;
    ExpManagerStop = FALSE;
    if (VfLevel != VfLevelOff)
        ExpRegisterWorkWaitHook();
    /* Started (and reported to the thread notify routines, as any system
     * thread) before the first driver loads. */
    KEVENT Started;
    KeInitializeEvent(&Started, NotificationEvent, FALSE);
    if (!NT_SUCCESS(ExpCreateSystemThread(ExpWorkerManager, &Started, &ExpManagerThread)))
        KiInternalError("cannot start the worker thread manager");
    KeWaitForSingleObject(&Started, Executive, KernelMode, FALSE, NULL);
    __atomic_store_n(&ExpWorkersReady, TRUE, __ATOMIC_RELEASE);
}

static VOID ExpJoinThread(PKTHREAD Thread)
{
    KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, NULL);
    ExpDereferenceThread(Thread);
}

VOID ExShutdownWorkerThreads(VOID)
{
    if (!__atomic_exchange_n(&ExpWorkersReady, FALSE, __ATOMIC_ACQ_REL))
        return;
    __atomic_store_n(&ExpManagerStop, TRUE, __ATOMIC_RELEASE);
    KeSetEvent(&ExpManagerEvent, 0, FALSE);
    ExpJoinThread(ExpManagerThread);
    ExpManagerThread = NULL;
    /* Each worker drains what is left, then takes one empty wake-up and ends. */
    for (ULONG i = 1; i < EXP_QUEUE_COUNT; i++) {
        EXP_WORK_QUEUE *Queue = &ExpWorkQueues[i];
        ExpAcquireSpinLock(&Queue->Lock);
        Queue->Shutdown = TRUE;
        LONG Workers = (LONG)Queue->Workers;
        ExpReleaseSpinLock(&Queue->Lock);
        if (Workers != 0)
            KeReleaseSemaphore(&Queue->Ready, 0, Workers, FALSE);
    }
    for (ULONG i = 1; i < EXP_QUEUE_COUNT; i++) {
        EXP_WORK_QUEUE *Queue = &ExpWorkQueues[i];
        while (!IsListEmpty(&Queue->WorkerList)) {
            EXP_WORKER *Worker = CONTAINING_RECORD(RemoveHeadList(&Queue->WorkerList), EXP_WORKER, Link);
            ExpJoinThread(Worker->Thread);
            ExpFreeKernel(Worker);
        }
    }
}
