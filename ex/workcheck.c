/*
 * ex/workcheck.c - what Windows checks around a work item's routine, and
 * what is checked when a driver unloads with work still queued or running.
 *
 * Each routine (an Ex item's, or an Io item's through io/workitem.c) runs
 * inside a verifier callback frame that names it and the thread that
 * queued it. When it returns, in this order:
 *  - IRQL not PASSIVE_LEVEL: 0xE1 WORKER_THREAD_RETURNED_AT_BAD_IRQL
 *    (routine, IRQL, parameter, item). Windows documents ">= DISPATCH_LEVEL";
 *    ntps stops at APC_LEVEL too (a fast mutex still held), since the next
 *    item would run with APCs off;
 *  - a kernel mutex (or mutant) still owned: 0x39 SYSTEM_EXIT_OWNED_MUTEX
 *    (routine, parameter, item);
 *  - a critical or guarded region still open, or still attached to another
 *    process: 0x1 APC_INDEX_MISMATCH (routine, ApcStateIndex,
 *    CombinedApcDisable, 1 = a worker routine).
 * A routine that ends its worker (PsTerminateSystemThread) is stopped by
 * Ps with 0xE9 ACTIVE_EX_WORKER_THREAD_TERMINATION (ExIsActiveWorkerThread).
 */
#include "ex/workerp.h"

VOID ExpEnterWorkRoutine(EXP_WORK_FRAME *Frame, PVOID Routine, PKTHREAD QueuedBy, USHORT QueuedSerial)
{
    EXP_WORKER *Worker = ExpCurrentWorker();
    memset(Frame, 0, sizeof(*Frame));
    if (Worker != NULL) {
        ExpAcquireSpinLock(&Worker->Queue->Lock);
        Worker->Routine = Routine;
        Frame->DequeueStamp = Worker->DequeueStamp;
        ExpReleaseSpinLock(&Worker->Queue->Lock);
    }
    RtlpCountCallback(RtlpLookupModuleByAddress(Routine), VfCallbackWorkItem);
    VfEnterCallback(&Frame->Callback, VfCallbackWorkItem, Routine);
    Frame->Callback.QueuedBy = QueuedBy;
    Frame->QueuedSerial = QueuedSerial;
}

VOID ExpLeaveWorkRoutine(EXP_WORK_FRAME *Frame, PVOID Routine, PVOID Parameter, PVOID Item)
{
    if (Frame->Waiter != NULL)
        ExpReportWaitOnQueuedWork(Frame);
    PKTHREAD Thread = KiCurrentThread();
    char Name[160];
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL) {
        KiDescribeAddress(Routine, Name, sizeof(Name));
        KiBugCheckExplain(WORKER_THREAD_RETURNED_AT_BAD_IRQL, (ULONG_PTR)Routine, Irql, (ULONG_PTR)Parameter,
                          (ULONG_PTR)Item, "the work item routine %s returned at IRQL %u", Name, Irql);
    }
    if (Thread->MutexApcDisable != 0 || !IsListEmpty(&Thread->MutantListHead)) {
        KiDescribeAddress(Routine, Name, sizeof(Name));
        KiBugCheckExplain(SYSTEM_EXIT_OWNED_MUTEX, (ULONG_PTR)Routine, (ULONG_PTR)Parameter, (ULONG_PTR)Item, 0,
                          "the work item routine %s returned owning a mutex", Name);
    }
    ULONG_PTR Combined = (ULONG_PTR)(USHORT)Thread->KernelApcDisable |
                         ((ULONG_PTR)(USHORT)Thread->SpecialApcDisable << 16);
    if (Combined != 0 || Thread->ApcStateIndex != OriginalApcEnvironment) {
        KiDescribeAddress(Routine, Name, sizeof(Name));
        KiBugCheckExplain(APC_INDEX_MISMATCH, (ULONG_PTR)Routine, Thread->ApcStateIndex, Combined, 1,
                          "the work item routine %s returned %s", Name,
                          Combined != 0 ? "inside a critical or guarded region" : "attached to another process");
    }
    VfLeaveCallback(&Frame->Callback);
}

/* ---- a driver frees pool ------------------------------------------------------------------------ */

/* Documented for 0xE4 (parameter 1 = 0): memory freed while an executive
 * work item in it is still queued; its routine would run from freed pool.
 * An Io item freed while queued is IoFreeWorkItem's 0xE4 (2). */
VOID ExpCheckFreedWorkItems(PVOID Block, SIZE_T Size)
{
    if (__atomic_load_n(&ExpQueuedItems, __ATOMIC_RELAXED) == 0)
        return;
    PCHAR Start = Block, End = Start + Size;
    for (ULONG i = 1; i < EXP_QUEUE_COUNT; i++) {
        EXP_WORK_QUEUE *Queue = &ExpWorkQueues[i];
        PWORK_QUEUE_ITEM Found = NULL;
        ExpAcquireSpinLock(&Queue->Lock);
        for (PWORK_QUEUE_ITEM Item = Queue->Head; Item != NULL && Found == NULL;) {
            if ((PCHAR)Item < End && (PCHAR)(Item + 1) > Start)
                Found = Item;
            PLIST_ENTRY Next = __atomic_load_n(&Item->List.Flink, __ATOMIC_RELAXED);
            Item = Item == Queue->Tail ? NULL : CONTAINING_RECORD(Next, WORK_QUEUE_ITEM, List);
        }
        ExpReleaseSpinLock(&Queue->Lock);
        if (Found != NULL)
            KiBugCheckExplain(WORKER_INVALID, 0, (ULONG_PTR)Found, (ULONG_PTR)Start, (ULONG_PTR)End,
                              "pool block %p (%zu bytes) freed while the work item %p in it is still queued",
                              Block, (size_t)Size, (void *)Found);
    }
}

/* ---- a driver unloads -------------------------------------------------------------------------- */

static BOOLEAN ExpInModule(PVOID Address, PRTL_MODULE Module)
{
    return (PCHAR)Address >= (PCHAR)Module->Base && (PCHAR)Address < (PCHAR)Module->Base + Module->Size;
}

typedef struct _EXP_LEFTOVER {
    PVOID Item;
    PVOID Routine;
    KPRIORITY Priority;
} EXP_LEFTOVER;

#define EXP_LEFTOVERS_LISTED 16

/* The module's Ex items still queued (Io items are Io's to wait for). */
static ULONG ExpFindQueued(PRTL_MODULE Module, EXP_LEFTOVER *Found)
{
    ULONG Count = 0;
    for (ULONG i = 1; i < EXP_QUEUE_COUNT; i++) {
        EXP_WORK_QUEUE *Queue = &ExpWorkQueues[i];
        ExpAcquireSpinLock(&Queue->Lock);
        for (PWORK_QUEUE_ITEM Item = Queue->Head; Item != NULL;) {
            ULONG Flags = (ULONG)((ULONG_PTR)Item->List.Blink & (EXP_WORK_CHARGED | EXP_WORK_RAW));
            PVOID Routine = (PVOID)Item->WorkerRoutine;
            if (!(Flags & EXP_WORK_RAW) && (ExpInModule(Routine, Module) || ExpInModule(Item, Module))) {
                if (Count < EXP_LEFTOVERS_LISTED)
                    Found[Count] = (EXP_LEFTOVER){ Item, Routine, Queue->Priority };
                Count++;
            }
            PLIST_ENTRY Next = __atomic_load_n(&Item->List.Flink, __ATOMIC_RELAXED);
            Item = Item == Queue->Tail ? NULL : CONTAINING_RECORD(Next, WORK_QUEUE_ITEM, List);
        }
        ExpReleaseSpinLock(&Queue->Lock);
    }
    return Count;
}

/* A routine of the module an Ex worker runs now, or NULL. */
static PVOID ExpFindRunning(PRTL_MODULE Module)
{
    PVOID Found = NULL;
    for (ULONG i = 1; i < EXP_QUEUE_COUNT && Found == NULL; i++) {
        EXP_WORK_QUEUE *Queue = &ExpWorkQueues[i];
        ExpAcquireSpinLock(&Queue->Lock);
        for (PLIST_ENTRY E = Queue->WorkerList.Flink; E != &Queue->WorkerList && Found == NULL; E = E->Flink) {
            EXP_WORKER *Worker = CONTAINING_RECORD(E, EXP_WORKER, Link);
            if (Worker->Item != NULL && !(Worker->Flags & EXP_WORK_RAW) && ExpInModule(Worker->Routine, Module))
                Found = Worker->Routine;
        }
        ExpReleaseSpinLock(&Queue->Lock);
    }
    return Found;
}

/* Wait until no Ex worker runs the module's code; the first routine found
 * running, or NULL. */
static PVOID ExpWaitForRoutines(PRTL_MODULE Module)
{
    PVOID First = NULL;
    __atomic_add_fetch(&ExpProgressWaiters, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        KeClearEvent(&ExpWorkerProgress);
        PVOID Routine = ExpFindRunning(Module);
        if (Routine == NULL)
            break;
        if (First == NULL)
            First = Routine;
        KeWaitForSingleObject(&ExpWorkerProgress, Executive, KernelMode, FALSE, NULL);
    }
    __atomic_sub_fetch(&ExpProgressWaiters, 1, __ATOMIC_SEQ_CST);
    return First;
}

VOID ExCheckUnloadedWorkItems(PRTL_MODULE Module)
{
    EXP_LEFTOVER Found[EXP_LEFTOVERS_LISTED];
    ULONG Count = ExpFindQueued(Module, Found);
    char Name[160];
    if (Count != 0) {
        /* Its routine would run after the driver's code is gone. */
        RtlpReport("ntps: %s unloaded with %lu work item%s still queued:\n", Module->Name, (unsigned long)Count,
                   Count == 1 ? "" : "s");
        for (ULONG i = 0; i < Count && i < EXP_LEFTOVERS_LISTED; i++) {
            KiDescribeAddress(Found[i].Routine, Name, sizeof(Name));
            RtlpReport("  work item %p  routine %s  (queue of priority %ld)\n", Found[i].Item, Name,
                       (long)Found[i].Priority);
        }
        KiDescribeAddress(Found[0].Routine, Name, sizeof(Name));
        KiBugCheckExplain(DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, (ULONG_PTR)Found[0].Item, 0,
                          (ULONG_PTR)Found[0].Routine, 0,
                          "work item %p of the unloading driver is still queued (routine %s)", Found[0].Item, Name);
    }
    /* One still running: Windows would unmap its code under it (the race
     * Io work items exist to close). ntps lets it finish and says so. */
    PVOID Running = ExpWaitForRoutines(Module);
    if (Running != NULL) {
        KiDescribeAddress(Running, Name, sizeof(Name));
        VfReport("WorkItemRunningAtUnload", Running,
                 "the work item routine %s was still running when DriverUnload returned; use an Io work item, "
                 "which keeps the driver loaded until its routine returns", Name);
    }
}

/* ---- for a run that does not finish ---------------------------------------------------------- */

/* Without locks: the run is being stopped, and the reporting thread may be
 * a host thread outside the kernel. Counts may be a moment old. */
VOID ExDescribeWorkQueues(VOID)
{
    char Name[160];
    for (ULONG i = 1; i < EXP_QUEUE_COUNT; i++) {
        EXP_WORK_QUEUE *Queue = &ExpWorkQueues[i];
        ULONG Depth = __atomic_load_n(&Queue->Depth, __ATOMIC_RELAXED);
        ULONG Workers = __atomic_load_n(&Queue->Workers, __ATOMIC_RELAXED);
        if (Depth == 0 && Workers == 0)
            continue;
        RtlpReport("  work queue of priority %lu: %lu item%s queued, %lu worker%s, %lu idle\n", (unsigned long)i,
                   (unsigned long)Depth, Depth == 1 ? "" : "s", (unsigned long)Workers, Workers == 1 ? "" : "s",
                   (unsigned long)__atomic_load_n(&Queue->Idle, __ATOMIC_RELAXED));
        for (PLIST_ENTRY E = Queue->WorkerList.Flink; E != &Queue->WorkerList; E = E->Flink) {
            EXP_WORKER *Worker = CONTAINING_RECORD(E, EXP_WORKER, Link);
            PVOID Routine = __atomic_load_n(&Worker->Routine, __ATOMIC_RELAXED);
            if (Routine == NULL)
                continue;
            KiDescribeAddress(Routine, Name, sizeof(Name));
            RtlpReport("    worker thread %p runs %s\n", (void *)Worker->Thread, Name);
        }
    }
}
