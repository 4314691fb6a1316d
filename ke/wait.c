/*
 * ke/wait.c - waiting on dispatcher objects: KeWaitForSingleObject,
 * KeWaitForMultipleObjects, KeDelayExecutionThread, and the two halves
 * every signal uses, KiWaitTest and KiUnwaitThread.
 *
 * A WaitAll is satisfied only when every object is, and then all side
 * effects are applied together under the dispatcher lock: no object is
 * consumed by a wait that does not complete.
 */
#include "ke/ke.h"
#include "rtl/rtl.h"

BOOLEAN KiAcquireMutant(PKMUTANT Mutant, PKTHREAD Thread);
BOOLEAN KiMutantAtLimit(PKMUTANT Mutant, PKTHREAD Thread);
VOID KiMarkMutantDispatchOwned(PKMUTANT Mutant, PKTHREAD Thread);
NTSTATUS KiYieldExecution(BOOLEAN AnyPriority);

static VOID KiEndWaitNext(VOID);

/* KiTrySatisfy: a mutant the thread owns cannot be acquired once more. */
#define KI_WAIT_MUTANT_LIMIT ((NTSTATUS)0x7FFFFFFF)

/* Read outside the lock (ke/object.c): a bad pointer faults in the caller. */
static BOOLEAN KiIsDispatcherObject(PDISPATCHER_HEADER Header)
{
    return KiIsObjectOfKind(Header, KI_WAITABLE_OBJECTS);
}

/* Can Thread's wait on Header be satisfied now? */
static BOOLEAN KiObjectSignaledFor(PDISPATCHER_HEADER Header, PKTHREAD Thread)
{
    if (Header->Type == MutantObject) {
        PKMUTANT Mutant = (PKMUTANT)Header;
        return Header->SignalState > 0 || Mutant->OwnerThread == Thread;
    }
    if (Header->Type == QueueObject)
        return KiQueueSignaledFor((PKQUEUE)Header, Thread);
    return Header->SignalState > 0;
}

/* Apply a satisfied wait's side effect. Returns TRUE for an abandoned mutant. */
static BOOLEAN KiConsumeObject(PDISPATCHER_HEADER Header, PKTHREAD Thread)
{
    switch (Header->Type) {
    case EventSynchronizationObject:
    case TimerSynchronizationObject:
        Header->SignalState = 0;
        return FALSE;
    case SemaphoreObject:
        Header->SignalState--;
        return FALSE;
    case MutantObject:
        return KiAcquireMutant((PKMUTANT)Header, Thread);
    case QueueObject:
        return KiQueueConsume((PKQUEUE)Header, Thread);
    default:
        return FALSE;   /* notification objects, threads, processes */
    }
}

/* ---- the waker's side ---------------------------------------------------------- */

VOID KiUnwaitThread(PKTHREAD Thread, NTSTATUS WaitStatus, KPRIORITY Increment)
{
    PKWAIT_BLOCK Block = Thread->WaitBlockList;
    for (ULONG i = 0; i < Thread->WaitCount; i++)
        RemoveEntryList(&Block[i].WaitListEntry);
    Thread->WaitCount = 0;
    if (Thread->TimeoutQueued) {
        RemoveEntryList(&Thread->WaitBlock[THREAD_WAIT_OBJECTS].WaitListEntry);
        KiRemoveTimer(&Thread->Timer);
        Thread->TimeoutQueued = FALSE;
    }
    Thread->WaitStatus = WaitStatus;
    if (Thread->Queue != NULL)
        KiQueueThreadReady(Thread);     /* it runs again: its queue counts it */
    KiBoostPriority(Thread, Increment);
    KiReadyThread(Thread);
}

VOID (*KiWakeHook)(PKTHREAD Waiter, PVOID Object);
static volatile ULONGLONG KiWaitStampCounter;

/* Only what is compared with a wait stamp advances the counter (a work
 * item leaving its queue, ex/worker.c); a wait reads it: a wait that began
 * after an item's dequeue has a stamp >= the item's, one that began before
 * has a smaller one. A read keeps the waits of different processors from
 * bouncing the counter's cache line between them. */
ULONGLONG KiNextWaitStamp(VOID)
{
    return __atomic_add_fetch(&KiWaitStampCounter, 1, __ATOMIC_SEQ_CST);
}

static inline VOID KiStampWait(PKTHREAD Thread, PVOID Caller)
{
    Thread->WaitStamp = __atomic_load_n(&KiWaitStampCounter, __ATOMIC_SEQ_CST);
    Thread->WaitCaller = Caller;
}

/* Is every object of Thread's WaitAll satisfiable now? */
static BOOLEAN KiWaitAllSatisfiable(PKTHREAD Thread)
{
    PKWAIT_BLOCK Block = Thread->WaitBlockList;
    for (ULONG i = 0; i < Thread->WaitCount; i++)
        if (!KiObjectSignaledFor(Block[i].Object, Thread))
            return FALSE;
    return TRUE;
}

static NTSTATUS KiConsumeAll(PKTHREAD Thread)
{
    NTSTATUS Status = STATUS_SUCCESS;
    PKWAIT_BLOCK Block = Thread->WaitBlockList;
    for (ULONG i = 0; i < Thread->WaitCount; i++)
        if (KiConsumeObject(Block[i].Object, Thread))
            Status = STATUS_ABANDONED_WAIT_0 + i;
    return Status;
}

/* Object may have become signaled: satisfy the waits it can, in the
 * order the waiters queued. */
VOID KiWaitTest(PVOID Object, KPRIORITY Increment)
{
    PDISPATCHER_HEADER Header = Object;
restart:
    for (PLIST_ENTRY E = Header->WaitListHead.Flink; E != &Header->WaitListHead; E = E->Flink) {
        if (Header->SignalState <= 0)
            return;
        PKWAIT_BLOCK Block = CONTAINING_RECORD(E, KWAIT_BLOCK, WaitListEntry);
        PKTHREAD Thread = Block->Thread;
        NTSTATUS Status;
        if (Block->WaitType == WaitAny) {
            if (!KiObjectSignaledFor(Header, Thread))
                continue;   /* a KeRemoveQueue waiter held back by its queue's concurrency limit */
            if (Block->WaitKey == (USHORT)STATUS_TIMEOUT) {
                Status = STATUS_TIMEOUT;
            } else {
                Status = STATUS_WAIT_0 + Block->WaitKey;
                if (KiConsumeObject(Header, Thread))
                    Status = STATUS_ABANDONED_WAIT_0 + Block->WaitKey;
            }
        } else {
            if (!KiWaitAllSatisfiable(Thread))
                continue;
            Status = KiConsumeAll(Thread);
        }
        if (KiWakeHook != NULL && Status != STATUS_TIMEOUT)
            KiWakeHook(Thread, Header);
        KiUnwaitThread(Thread, Status, Increment);
        goto restart;   /* the unwait removed entries from this list */
    }
}

VOID KiSignalObject(PDISPATCHER_HEADER Header, KPRIORITY Increment)
{
    Header->SignalState = 1;
    if (!IsListEmpty(&Header->WaitListHead))
        KiWaitTest(Header, Increment);
}

/* ---- the waiter's side ----------------------------------------------------------- */

/* Driver Verifier's 0xC4 0x120/0x121/0x122: P2 the IRQL, P3 the object
 * (the array for a multiple wait), P4 the timeout. */
static VOID KiCheckWaitIrql(PKTHREAD Thread, PKPRCB Prcb, PLARGE_INTEGER Timeout, PVOID Object)
{
    if (Thread->WaitNext)
        return;     /* a Ke*(Wait=TRUE) left us at DISPATCH_LEVEL on purpose */
    KIRQL Irql = Prcb->Irql;
    BOOLEAN Poll = Timeout != NULL && Timeout->QuadPart == 0;
    if (Irql < DISPATCH_LEVEL || (Irql == DISPATCH_LEVEL && Poll))
        return;
    if (Prcb->DpcRoutineActive && !Poll)     /* P3: the stack address of the original thread */
        KeBugCheckEx(ATTEMPTED_SWITCH_FROM_DPC, (ULONG_PTR)Thread, 0, (ULONG_PTR)__builtin_frame_address(0), 0);
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x120, Irql, (ULONG_PTR)Object, (ULONG_PTR)Timeout);
    KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Timeout == NULL ? 0x121 : 0x122, Irql,
                 (ULONG_PTR)Object, (ULONG_PTR)Timeout);
}

VOID KiCheckWaitIrqlFor(PVOID Object, PLARGE_INTEGER Timeout)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    KiCheckWaitIrql(Prcb->CurrentThread, Prcb, Timeout, Object);
}

/* Try to satisfy the wait at once. Returns STATUS_PENDING if it must block. */
static NTSTATUS KiTrySatisfy(PKTHREAD Thread, ULONG Count, PVOID Object[], WAIT_TYPE WaitType)
{
    if (WaitType == WaitAny) {
        for (ULONG i = 0; i < Count; i++) {
            if (KiObjectSignaledFor(Object[i], Thread)) {
                if (((PDISPATCHER_HEADER)Object[i])->Type == MutantObject && KiMutantAtLimit(Object[i], Thread))
                    return KI_WAIT_MUTANT_LIMIT;
                return KiConsumeObject(Object[i], Thread) ? STATUS_ABANDONED_WAIT_0 + i : STATUS_WAIT_0 + i;
            }
        }
        return STATUS_PENDING;
    }
    for (ULONG i = 0; i < Count; i++)
        if (!KiObjectSignaledFor(Object[i], Thread))
            return STATUS_PENDING;
    for (ULONG i = 0; i < Count; i++)
        if (((PDISPATCHER_HEADER)Object[i])->Type == MutantObject && KiMutantAtLimit(Object[i], Thread))
            return KI_WAIT_MUTANT_LIMIT;
    NTSTATUS Status = STATUS_SUCCESS;
    for (ULONG i = 0; i < Count; i++)
        if (KiConsumeObject(Object[i], Thread))
            Status = STATUS_ABANDONED_WAIT_0 + i;
    return Status;
}

/* Alerts and user APCs that end an alertable wait before it blocks. */
static NTSTATUS KiTestAlert(PKTHREAD Thread, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable)
{
    if (!Alertable)
        return STATUS_PENDING;
    if (Thread->Alerted[(int)WaitMode]) {
        Thread->Alerted[(int)WaitMode] = FALSE;
        return STATUS_ALERTED;
    }
    if (WaitMode != KernelMode && !IsListEmpty(&Thread->ApcState.ApcListHead[UserMode])) {
        Thread->ApcState.UserApcPending = TRUE;
        return STATUS_USER_APC;
    }
    if (Thread->Alerted[KernelMode]) {
        Thread->Alerted[KernelMode] = FALSE;
        return STATUS_ALERTED;
    }
    return STATUS_PENDING;
}

/* A poll at DISPATCH_LEVEL acquired mutexes: they must be released at
 * DISPATCH_LEVEL too. */
static VOID KiNoteDispatchAcquisitions(PKTHREAD Thread, ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                       NTSTATUS Status)
{
    if (Status == STATUS_ALERTED || Status == STATUS_USER_APC)
        return;
    for (ULONG i = 0; i < Count; i++) {
        if (WaitType == WaitAny && i != ((ULONG)Status & 0x3F))
            continue;
        if (((PDISPATCHER_HEADER)Object[i])->Type == MutantObject)
            KiMarkMutantDispatchOwned(Object[i], Thread);
    }
}

static VOID KiQueueWaitBlocks(PKTHREAD Thread, ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                              PKWAIT_BLOCK Blocks)
{
    for (ULONG i = 0; i < Count; i++) {
        PKWAIT_BLOCK Block = &Blocks[i];
        Block->Thread = Thread;
        Block->Object = Object[i];
        Block->WaitKey = (USHORT)i;
        Block->WaitType = (UCHAR)WaitType;
        Block->BlockState = 1;
        if (Thread->QueueRemoving && Object[i] == Thread->Queue)    /* KeRemoveQueue's: LIFO */
            InsertHeadList(&((PDISPATCHER_HEADER)Object[i])->WaitListHead, &Block->WaitListEntry);
        else
            InsertTailList(&((PDISPATCHER_HEADER)Object[i])->WaitListHead, &Block->WaitListEntry);
    }
    Thread->WaitBlockList = Blocks;
    Thread->WaitCount = Count;
}

static VOID KiQueueTimeout(PKTHREAD Thread, ULONGLONG DueTime)
{
    PKWAIT_BLOCK Block = &Thread->WaitBlock[THREAD_WAIT_OBJECTS];
    Block->Thread = Thread;
    Block->Object = &Thread->Timer;
    Block->WaitKey = (USHORT)STATUS_TIMEOUT;
    Block->WaitType = WaitAny;
    Thread->Timer.Header.SignalState = 0;
    InsertTailList(&Thread->Timer.Header.WaitListHead, &Block->WaitListEntry);
    KiInsertTimerAt(&Thread->Timer, DueTime);
    Thread->TimeoutQueued = TRUE;
}

KI_VERIFIER_HOOKS KiVerifierHooks;

/* Called with the dispatcher lock held by a wait about to block; returns
 * with it released and the wait's entry state restored (a Ke*(Wait=TRUE)
 * wait stays at DISPATCH_LEVEL and keeps its atomicity with the signal). */
static VOID KiVerifyBlockingWait(PKTHREAD Thread, KIRQL OldIrql, BOOLEAN WaitNext, ULONG Count, PVOID Object[],
                                 KWAIT_REASON WaitReason, PLARGE_INTEGER Timeout)
{
    if (WaitNext)
        KiReleaseDispatcherLockFromDpcLevel();
    else
        KiReleaseDispatcherLock(OldIrql);
    KiVerifierHooks.BlockingWait(Count, Object, WaitReason, Timeout);
    if (WaitNext) {
        Thread->WaitIrql = OldIrql;
        Thread->WaitNext = TRUE;
    }
}

/* The wait returned Status: the objects that satisfied it pass on what
 * their signalers did (the race detector's happens-before edges). */
static VOID KiRaceWaitSatisfied(ULONG Count, PVOID Object[], WAIT_TYPE WaitType, NTSTATUS Status)
{
    if (KiRaceHooks.Acquire == NULL || Count == 0)
        return;
    ULONG Index = (ULONG)Status;
    if (Index >= (ULONG)STATUS_ABANDONED_WAIT_0 && Index < (ULONG)STATUS_ABANDONED_WAIT_0 + Count)
        Index -= (ULONG)STATUS_ABANDONED_WAIT_0;
    if (Index >= Count)
        return;
    if (WaitType == WaitAll)
        for (ULONG i = 0; i < Count; i++)
            KiRaceHooks.Acquire(Object[i]);
    else
        KiRaceHooks.Acquire(Object[Index]);
}

/*
 * The common wait. Count == 0 is a pure delay. Returns the documented
 * status; kernel APCs that arrive while blocked run and the wait resumes.
 * *Verified is set once the verifier has looked at the wait.
 */
static NTSTATUS KiWaitLoop(ULONG Count, PVOID Object[], WAIT_TYPE WaitType, KWAIT_REASON WaitReason,
                           KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                           PKWAIT_BLOCK Blocks, BOOLEAN *Verified)
{
    KiKernelEntry();
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD Thread = Prcb->CurrentThread;
    KiCheckWaitIrql(Thread, Prcb, Timeout, Count == 1 ? Object[0] : (PVOID)Object);

    BOOLEAN Poll = Timeout != NULL && Timeout->QuadPart == 0;
    ULONGLONG DueTime = (Timeout != NULL && !Poll) ? KiDueTimeFromTimeout(*Timeout) : 0;

    for (;;) {
        KIRQL OldIrql;
        BOOLEAN WaitNext = Thread->WaitNext;
        if (WaitNext) {
            Thread->WaitNext = FALSE;
            OldIrql = Thread->WaitIrql;
            KiAcquireDispatcherLockAtDpcLevel();
        } else {
            OldIrql = KiAcquireDispatcherLock();
        }
        Prcb = KeGetCurrentPrcb();

        /* A kernel APC that may run now does so before we block. */
        if (OldIrql == PASSIVE_LEVEL && Thread->ApcState.KernelApcPending && KiApcDeliverable(Thread)) {
            KiReleaseDispatcherLock(OldIrql);
            continue;
        }
        /* Documented ("Waits and APCs"): termination interrupts a UserMode
         * wait, alertable or not, with STATUS_USER_APC, so that the service
         * completes and returns to user mode, where the thread ends. */
        if (WaitMode != KernelMode && Thread->TerminationPending) {
            KiReleaseDispatcherLock(OldIrql);
            return STATUS_USER_APC;
        }
        NTSTATUS Status = KiTestAlert(Thread, WaitMode, Alertable);
        if (Status == STATUS_PENDING && Count != 0)
            Status = KiTrySatisfy(Thread, Count, Object, WaitType);
        if (Status == STATUS_PENDING && (Poll || (Timeout != NULL && KiQueryInterruptTime() >= DueTime)))
            Status = Count == 0 ? STATUS_SUCCESS : STATUS_TIMEOUT;
        if (Status == KI_WAIT_MUTANT_LIMIT) {
            /* documented: recursion past MINLONG raises this exception */
            KiReleaseDispatcherLock(OldIrql);
            RtlRaiseStatus(STATUS_MUTANT_LIMIT_EXCEEDED);
        }
        if (Status != STATUS_PENDING) {
            if (OldIrql == DISPATCH_LEVEL && Status != STATUS_TIMEOUT && Count != 0)
                KiNoteDispatchAcquisitions(Thread, Count, Object, WaitType, Status);
            KiReleaseDispatcherLock(OldIrql);
            KiRaceWaitSatisfied(Count, Object, WaitType, Status);
            return Status;
        }

        if (!*Verified && Thread->VerifierCallbacks != NULL && KiVerifierHooks.BlockingWait != NULL) {
            /* Inside a driver callback: the verifier looks at the wait
             * without the lock, then it is tried again from the start. */
            *Verified = TRUE;
            KiVerifyBlockingWait(Thread, OldIrql, WaitNext, Count, Object, WaitReason, Timeout);
            continue;
        }
        if (Thread->Queue != NULL)
            KiQueueThreadBlocking(Thread);  /* its queue may release another waiter */
        KiQueueWaitBlocks(Thread, Count, Object, WaitType, Blocks);
        if (Timeout != NULL)
            KiQueueTimeout(Thread, DueTime);
        Thread->WaitIrql = OldIrql;
        Thread->WaitMode = WaitMode;
        Thread->WaitReason = (UCHAR)WaitReason;
        Thread->Alertable = Alertable;
        Thread->WaitType = (UCHAR)WaitType;
        Thread->WaitStatus = STATUS_PENDING;
        Thread->State = Waiting;
        if (KiLockHooks.Blocking != NULL)
            KiLockHooks.Blocking(Thread);   /* a wait-for cycle ends the run (vf/deadlock.c) */
        Status = KiSwapThread(Thread, Prcb);
        /* Back at DISPATCH_LEVEL, lock released, maybe on another processor. */
        KeLowerIrql(OldIrql);
        if (Status == STATUS_KERNEL_APC)
            continue;   /* the APC ran as IRQL dropped; wait again */
        if (Status == STATUS_TIMEOUT && Count == 0)
            Status = STATUS_SUCCESS;    /* a delay that elapsed */
        KiRaceWaitSatisfied(Count, Object, WaitType, Status);
        return Status;
    }
}

/* The common wait; a wait the verifier looked at (a driver callback about
 * to block) tells it when it ends. */
static NTSTATUS KiWait(ULONG Count, PVOID Object[], WAIT_TYPE WaitType, KWAIT_REASON WaitReason,
                       KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                       PKWAIT_BLOCK Blocks)
{
    BOOLEAN Verified = FALSE;
    NTSTATUS Status = KiWaitLoop(Count, Object, WaitType, WaitReason, WaitMode, Alertable, Timeout, Blocks,
                                 &Verified);
    if (Verified && KiVerifierHooks.BlockingWaitEnded != NULL)
        KiVerifierHooks.BlockingWaitEnded(Status);
    return Status;
}

/* A UserMode wait lets the kernel stack be paged out, so its objects may
 * not live on it: Driver Verifier's 0xC4/0x123 (P2 the object). */
static VOID KiCheckUserModeWaitObject(PVOID Object)
{
    PKTHREAD Thread = KiCurrentThread();
    if ((PCHAR)Object >= (PCHAR)Thread->Stack.Limit && (PCHAR)Object < (PCHAR)Thread->Stack.Base)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x123, (ULONG_PTR)Object, 0, 0);
}

NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType, KWAIT_REASON WaitReason,
                                  KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PKWAIT_BLOCK WaitBlockArray)
{
    if (Count > MAXIMUM_WAIT_OBJECTS || (Count > THREAD_WAIT_OBJECTS && WaitBlockArray == NULL))
        KeBugCheckEx(MAXIMUM_WAIT_OBJECTS_EXCEEDED, Count, (ULONG_PTR)WaitBlockArray, 0, 0);
    NTSTATUS Invalid = STATUS_SUCCESS;
    if (Count == 0 || Object == NULL)
        Invalid = STATUS_INVALID_PARAMETER;
    else if (WaitType != WaitAll && WaitType != WaitAny)
        Invalid = STATUS_INVALID_PARAMETER_3;
    for (ULONG i = 0; Invalid == STATUS_SUCCESS && i < Count; i++) {
        if (Object[i] == NULL || !KiIsDispatcherObject(Object[i]))
            KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE1, (ULONG_PTR)Object[i], i, 0);
        if (WaitType == WaitAll)
            for (ULONG j = 0; j < i; j++)
                if (Object[j] == Object[i])
                    Invalid = STATUS_INVALID_PARAMETER_MIX;
    }
    if (Invalid != STATUS_SUCCESS) {
        KiEndWaitNext();
        return Invalid;
    }
    if (WaitMode != KernelMode)
        for (ULONG i = 0; i < Count; i++)
            KiCheckUserModeWaitObject(Object[i]);
    PKWAIT_BLOCK Blocks = WaitBlockArray;
    if (Blocks == NULL)
        Blocks = KiCurrentThread()->WaitBlock;
    KiStampWait(KiCurrentThread(), __builtin_return_address(0));
    return KiWait(Count, Object, WaitType, WaitReason, WaitMode, Alertable, Timeout, Blocks);
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    KiCheckObject(Object, KI_WAITABLE_OBJECTS, __func__, __builtin_return_address(0));
    if (WaitMode != KernelMode)
        KiCheckUserModeWaitObject(Object);
    KiStampWait(KiCurrentThread(), __builtin_return_address(0));
    if (KiLockHooks.Acquire != NULL && ((PDISPATCHER_HEADER)Object)->Type == MutantObject &&
        (Timeout == NULL || Timeout->QuadPart != 0))
        KiLockHooks.Acquire(Object, KiLockMutex);      /* lock order (vf/lockdep.c) */
    return KiWait(1, &Object, WaitAny, WaitReason, WaitMode, Alertable, Timeout,
                  KiCurrentThread()->WaitBlock);
}

/* A wait that ends before it starts after a Ke*(Wait=TRUE): restore the
 * IRQL that call left raised. */
static VOID KiEndWaitNext(VOID)
{
    PKTHREAD Thread = KiCurrentThread();
    if (Thread->WaitNext) {
        Thread->WaitNext = FALSE;
        KeLowerIrql(Thread->WaitIrql);
    }
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    if (Interval == NULL) {
        KiEndWaitNext();
        return STATUS_INVALID_PARAMETER;
    }
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb->Irql > APC_LEVEL && !Prcb->CurrentThread->WaitNext) {
        if (Prcb->DpcRoutineActive)
            KeBugCheckEx(ATTEMPTED_SWITCH_FROM_DPC, (ULONG_PTR)Prcb->CurrentThread, 0,
                         (ULONG_PTR)__builtin_frame_address(0), 0);
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3B, Prcb->Irql, (ULONG_PTR)Interval, 0);
    }
    if (Interval->QuadPart == 0) {
        /* A zero delay: an alertable one ends at once for a pending alert
         * or user APC; otherwise the thread gives up the rest of its time
         * slice to any other thread ready to run on this processor (Sleep(0)
         * as documented since Windows Server 2003), if there is one. */
        KiKernelEntry();
        PKTHREAD Thread = KiCurrentThread();
        NTSTATUS Status = STATUS_PENDING;
        if (Alertable) {
            KIRQL OldIrql = KiAcquireDispatcherLock();
            Status = KiTestAlert(Thread, WaitMode, Alertable);
            KiReleaseDispatcherLockFromDpcLevel();
            KeLowerIrql(OldIrql);
        }
        KiEndWaitNext();
        if (Status != STATUS_PENDING)
            return Status;
        KiYieldExecution(TRUE);
        return STATUS_SUCCESS;
    }
    return KiWait(0, NULL, WaitAny, DelayExecution, WaitMode, Alertable, Interval, NULL);
}
