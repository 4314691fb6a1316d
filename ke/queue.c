/*
 * ke/queue.c - kernel queue objects (KQUEUE): KeInitializeQueue,
 * KeInsertQueue, KeInsertHeadQueue, KeRemoveQueue, KeRundownQueue,
 * KeReadStateQueue.
 *
 * A queue is a dispatcher object whose signal state is its number of
 * entries; a KeWaitFor* on it is satisfied while it has some and takes
 * none. KeRemoveQueue waits on it with the common wait (wait.c), which asks
 * KiQueueSignaledFor and KiQueueConsume about the queue: entries leave FIFO
 * (KeInsertHeadQueue puts one first), waiters are released LIFO (their wait
 * blocks go first in the list).
 *
 * Concurrency control: a thread that calls KeRemoveQueue is associated with
 * the queue until it calls it on another one, the queue is run down or the
 * thread ends. CurrentCount counts the associated threads that are not
 * waiting; an entry goes to a waiter only while CurrentCount < MaximumCount.
 * The wait path calls KiQueueThreadBlocking when an associated thread
 * blocks on anything (the count drops, a waiter may take an entry) and
 * KiQueueThreadReady when it is readied (the count rises); a thread with no
 * queue pays a NULL check. A KeRemoveQueue caller is not counted against
 * itself: its own slot is the one it asks to reuse.
 */
#include "ke/ke.h"

/* Header.Reserved1 of a queue: KeRundownQueue ran; every wait on it ends
 * with STATUS_ABANDONED until KeInitializeQueue. */
#define KI_QUEUE_RUN_DOWN(Queue) ((Queue)->Header.Reserved1)

VOID KeInitializeQueue(PRKQUEUE Queue, ULONG Count)
{
    Queue->Header.Type = QueueObject;
    Queue->Header.Signalling = 0;
    Queue->Header.Size = sizeof(KQUEUE) / sizeof(LONG);
    Queue->Header.Reserved1 = 0;
    Queue->Header.SignalState = 0;
    InitializeListHead(&Queue->Header.WaitListHead);
    InitializeListHead(&Queue->EntryListHead);
    InitializeListHead(&Queue->ThreadListHead);
    Queue->CurrentCount = 0;
    Queue->MaximumCount = Count != 0 ? Count : (ULONG)KeNumberProcessors;   /* documented: 0 = processors */
}

/* ---- the wait path's side (dispatcher lock held) ----------------------------------- */

static BOOLEAN KiIsRemover(PKQUEUE Queue, PKTHREAD Thread)
{
    return Thread->QueueRemoving && Thread->Queue == Queue;
}

BOOLEAN KiQueueSignaledFor(PKQUEUE Queue, PKTHREAD Thread)
{
    if (KI_QUEUE_RUN_DOWN(Queue))
        return TRUE;
    if (Queue->Header.SignalState <= 0)
        return FALSE;
    if (!KiIsRemover(Queue, Thread))
        return TRUE;
    ULONG Others = Queue->CurrentCount - (Thread->QueueCounted ? 1 : 0);
    return Others < Queue->MaximumCount;
}

static VOID KiQueueCount(PKQUEUE Queue, PKTHREAD Thread)
{
    if (!Thread->QueueCounted) {
        Thread->QueueCounted = TRUE;
        Queue->CurrentCount++;
    }
}

BOOLEAN KiQueueConsume(PKQUEUE Queue, PKTHREAD Thread)
{
    if (KI_QUEUE_RUN_DOWN(Queue))
        return TRUE;    /* STATUS_ABANDONED */
    if (!KiIsRemover(Queue, Thread))
        return FALSE;   /* a KeWaitFor* on the queue takes no entry */
    Thread->QueueEntry = RemoveHeadList(&Queue->EntryListHead);
    Queue->Header.SignalState--;
    KiQueueCount(Queue, Thread);
    return FALSE;
}

/* A slot may have freed up: hand entries to waiters while the limit allows. */
static VOID KiActivateQueue(PKQUEUE Queue)
{
    if (Queue->Header.SignalState > 0 && Queue->CurrentCount < Queue->MaximumCount &&
        !IsListEmpty(&Queue->Header.WaitListHead))
        KiWaitTest(Queue, 0);
}

VOID KiQueueThreadBlocking(PKTHREAD Thread)
{
    PKQUEUE Queue = Thread->Queue;
    if (!Thread->QueueCounted)
        return;
    Thread->QueueCounted = FALSE;
    Queue->CurrentCount--;
    if (!Thread->QueueRemoving)     /* a remover that blocks could not take an entry itself */
        KiActivateQueue(Queue);
}

VOID KiQueueThreadReady(PKTHREAD Thread)
{
    KiQueueCount(Thread->Queue, Thread);
}

static VOID KiDisassociate(PKTHREAD Thread, BOOLEAN Activate)
{
    PKQUEUE Queue = Thread->Queue;
    if (Thread->QueueCounted)
        Queue->CurrentCount--;
    Thread->QueueCounted = FALSE;
    RemoveEntryList(&Thread->QueueListEntry);
    Thread->Queue = NULL;
    if (Activate)
        KiActivateQueue(Queue);
}

VOID KiQueueThreadExit(PKTHREAD Thread)
{
    KiDisassociate(Thread, TRUE);
}

/* ---- DDIs ------------------------------------------------------------------------- */

/* Above DISPATCH_LEVEL: IrqlKeDispatchLte (0xC4/0x20011). */
static VOID KiCheckQueueIrql(PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL, (ULONG_PTR)Caller);
}

static LONG KiInsertQueue(PRKQUEUE Queue, PLIST_ENTRY Entry, BOOLEAN Head, PVOID Caller)
{
    KiKernelEntry();
    KiCheckQueueIrql(Caller);
    KiRaceRelease(Queue);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    LONG Previous = Queue->Header.SignalState;
    if (Head)
        InsertHeadList(&Queue->EntryListHead, Entry);
    else
        InsertTailList(&Queue->EntryListHead, Entry);
    Queue->Header.SignalState++;
    if (!IsListEmpty(&Queue->Header.WaitListHead))
        KiWaitTest(Queue, 0);
    KiReleaseDispatcherLock(OldIrql);
    return Previous;
}

LONG KeInsertQueue(PRKQUEUE Queue, PLIST_ENTRY Entry)
{
    KI_CHECK_OBJECT(Queue, KI_QUEUE_OBJECTS);
    return KiInsertQueue(Queue, Entry, FALSE, __builtin_return_address(0));
}

LONG KeInsertHeadQueue(PRKQUEUE Queue, PLIST_ENTRY Entry)
{
    KI_CHECK_OBJECT(Queue, KI_QUEUE_OBJECTS);
    return KiInsertQueue(Queue, Entry, TRUE, __builtin_return_address(0));
}

/* The caller becomes associated with Queue (leaving its previous queue,
 * which may then release a waiter) and counted as running. */
static VOID KiAssociate(PKTHREAD Thread, PKQUEUE Queue)
{
    if (Thread->Queue == Queue)
        return;
    if (Thread->Queue != NULL)
        KiDisassociate(Thread, TRUE);
    Thread->Queue = Queue;
    InsertTailList(&Queue->ThreadListHead, &Thread->QueueListEntry);
    KiQueueCount(Queue, Thread);
}

PLIST_ENTRY KeRemoveQueue(PRKQUEUE Queue, KPROCESSOR_MODE WaitMode, PLARGE_INTEGER Timeout)
{
    KI_CHECK_OBJECT(Queue, KI_QUEUE_OBJECTS);
    KiCheckWaitIrqlFor(Queue, Timeout);     /* <= APC_LEVEL, or DISPATCH_LEVEL with a zero timeout */
    PKTHREAD Thread = KiCurrentThread();
    KIRQL OldIrql = KiAcquireDispatcherLock();
    if (KI_QUEUE_RUN_DOWN(Queue)) {     /* no association with a dead queue */
        KiReleaseDispatcherLock(OldIrql);
        if (Thread->WaitNext) {
            Thread->WaitNext = FALSE;
            KeLowerIrql(Thread->WaitIrql);
        }
        return (PLIST_ENTRY)(ULONG_PTR)STATUS_ABANDONED;
    }
    KiAssociate(Thread, Queue);
    Thread->QueueRemoving = TRUE;
    KiReleaseDispatcherLock(OldIrql);
    NTSTATUS Status = KeWaitForSingleObject(Queue, WrQueue, WaitMode, FALSE, Timeout);
    Thread->QueueRemoving = FALSE;  /* read by others only while its wait block is queued */
    if (Status == STATUS_WAIT_0)
        return Thread->QueueEntry;
    return (PLIST_ENTRY)(ULONG_PTR)Status;  /* STATUS_TIMEOUT, STATUS_USER_APC, STATUS_ABANDONED */
}

/* Waiters end with STATUS_ABANDONED, associated threads are let go; the
 * entries are returned as a ring without the list head. */
PLIST_ENTRY KeRundownQueue(PRKQUEUE Queue)
{
    KI_CHECK_OBJECT(Queue, KI_QUEUE_OBJECTS);
    KiKernelEntry();
    KiCheckQueueIrql(__builtin_return_address(0));
    KiRaceRelease(Queue);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    PLIST_ENTRY First = NULL;
    if (!IsListEmpty(&Queue->EntryListHead)) {
        First = Queue->EntryListHead.Flink;
        RemoveEntryList(&Queue->EntryListHead);
        InitializeListHead(&Queue->EntryListHead);
    }
    Queue->Header.SignalState = 0;
    KI_QUEUE_RUN_DOWN(Queue) = 1;
    while (!IsListEmpty(&Queue->Header.WaitListHead)) {
        PKWAIT_BLOCK Block = CONTAINING_RECORD(Queue->Header.WaitListHead.Flink, KWAIT_BLOCK, WaitListEntry);
        KiUnwaitThread(Block->Thread, STATUS_ABANDONED_WAIT_0 + Block->WaitKey, 0);
    }
    while (!IsListEmpty(&Queue->ThreadListHead))
        KiDisassociate(CONTAINING_RECORD(Queue->ThreadListHead.Flink, KTHREAD, QueueListEntry), FALSE);
    KiReleaseDispatcherLock(OldIrql);
    return First;
}

LONG KeReadStateQueue(PRKQUEUE Queue)
{
    KI_CHECK_OBJECT(Queue, KI_QUEUE_OBJECTS);
    LONG State = __atomic_load_n(&Queue->Header.SignalState, __ATOMIC_ACQUIRE);
    if (State != 0)
        KiRaceAcquire(Queue);   /* a poll that sees entries */
    return State;
}
