/*
 * ke/apc.c - asynchronous procedure calls, critical and guarded regions,
 * and alerts.
 *
 * Kernel APCs: a special APC (no normal routine) runs at APC_LEVEL unless
 * the thread is in a guarded region; a normal kernel APC runs its kernel
 * routine at APC_LEVEL and then its normal routine at PASSIVE_LEVEL, unless
 * the thread is in a critical or guarded region or already runs one.
 * User APCs end an alertable user-mode wait with STATUS_USER_APC and run
 * when the thread returns to user mode.
 *
 * Environments: an APC belongs to the original environment (index 0, the
 * thread's own process) or the attached one (index 1, see ke/attach.c),
 * and sits in Thread->ApcStatePointer[index]. Thread->ApcState is always
 * the current environment: only its APCs are pending or deliverable; the
 * other's wait for the detach (or the next attach).
 */
#include "ke/ke.h"

#define KI_APC_ROUTINE_KERNEL 0
#define KI_APC_ROUTINE_RUNDOWN 1
#define KI_APC_ROUTINE_NORMAL 2

static inline PKKERNEL_ROUTINE KiApcKernelRoutine(PKAPC Apc) { return (PKKERNEL_ROUTINE)Apc->Reserved[KI_APC_ROUTINE_KERNEL]; }
static inline PKRUNDOWN_ROUTINE KiApcRundownRoutine(PKAPC Apc) { return (PKRUNDOWN_ROUTINE)Apc->Reserved[KI_APC_ROUTINE_RUNDOWN]; }
static inline PKNORMAL_ROUTINE KiApcNormalRoutine(PKAPC Apc) { return (PKNORMAL_ROUTINE)Apc->Reserved[KI_APC_ROUTINE_NORMAL]; }

static VOID KiInitializeEnvironment(PKAPC_STATE State, PKPROCESS Process)
{
    InitializeListHead(&State->ApcListHead[KernelMode]);
    InitializeListHead(&State->ApcListHead[UserMode]);
    State->Process = Process;
    State->InProgressFlags = FALSE;
    State->KernelApcPending = FALSE;
    State->UserApcPending = FALSE;
}

VOID KiInitializeApcState(PKTHREAD Thread, PKPROCESS Process)
{
    KiInitializeEnvironment(&Thread->ApcState, Process);
    KiInitializeEnvironment(&Thread->SavedApcState, NULL);
    Thread->ApcStatePointer[0] = &Thread->ApcState;
    Thread->ApcStatePointer[1] = &Thread->SavedApcState;
    Thread->ApcStateIndex = OriginalApcEnvironment;
    Thread->ApcQueueable = TRUE;
}

NTPS_EXPORT VOID KeInitializeApc(PKAPC Apc, PKTHREAD Thread, KAPC_ENVIRONMENT Environment,
                                 PKKERNEL_ROUTINE KernelRoutine, PKRUNDOWN_ROUTINE RundownRoutine,
                                 PKNORMAL_ROUTINE NormalRoutine, KPROCESSOR_MODE ApcMode, PVOID NormalContext)
{
    KI_CHECK_OBJECT(Thread, KI_THREAD_OBJECTS);
    Apc->Type = ApcObject;
    Apc->Size = sizeof(KAPC);
    Apc->Thread = Thread;
    /* Original and Attached are kept, Current is the thread's environment
     * now (read without the lock: the caller may be another thread, and
     * the answer is as good as the moment), Insert is resolved by
     * KeInsertQueueApc. */
    if (Environment == CurrentApcEnvironment)
        Environment = __atomic_load_n(&Thread->ApcStateIndex, __ATOMIC_RELAXED);
    Apc->ApcStateIndex = (CCHAR)Environment;
    Apc->Reserved[KI_APC_ROUTINE_KERNEL] = (PVOID)KernelRoutine;
    Apc->Reserved[KI_APC_ROUTINE_RUNDOWN] = (PVOID)RundownRoutine;
    Apc->Reserved[KI_APC_ROUTINE_NORMAL] = (PVOID)NormalRoutine;
    if (NormalRoutine != NULL) {
        Apc->ApcMode = ApcMode;
        Apc->NormalContext = NormalContext;
    } else {
        Apc->ApcMode = KernelMode;      /* a special kernel APC */
        Apc->NormalContext = NULL;
    }
    Apc->Inserted = FALSE;
}

static BOOLEAN KiIsSpecialApc(PKAPC Apc)
{
    return KiApcNormalRoutine(Apc) == NULL;
}

/* The region counts and the in-progress flag belong to the thread, which
 * changes them without the dispatcher lock; other processors read them
 * (under the lock) when they queue an APC to it. Relaxed atomics: the APC
 * request makes the thread look again anyway. */
static inline SHORT KiRead(volatile SHORT *Count) { return __atomic_load_n(Count, __ATOMIC_RELAXED); }

static inline VOID KiSetKernelApcPending(PKTHREAD Thread, BOOLEAN Pending)
{
    __atomic_store_n(&Thread->ApcState.KernelApcPending, Pending, __ATOMIC_RELAXED);
}

/* Could the first pending kernel APC of Thread run now (at PASSIVE_LEVEL)?
 * The dispatcher lock is held (the APC list is shared). */
BOOLEAN KiApcDeliverable(PKTHREAD Thread)
{
    PLIST_ENTRY Head = &Thread->ApcState.ApcListHead[KernelMode];
    if (IsListEmpty(Head) || KiRead(&Thread->SpecialApcDisable) != 0)
        return FALSE;
    PKAPC First = CONTAINING_RECORD(Head->Flink, KAPC, ApcListEntry);
    if (KiIsSpecialApc(First))
        return TRUE;
    return KiRead(&Thread->KernelApcDisable) == 0 && Thread->MutexApcDisable == 0 &&
           !__atomic_load_n(&Thread->KernelApcInProgress, __ATOMIC_RELAXED);
}

/* The same question from the interrupt delivery loop, at PASSIVE_LEVEL and
 * without the lock: take it for the look, and restore the IRQL without
 * delivering anything (the loop goes on). */
BOOLEAN KiApcDeliverableNow(PKTHREAD Thread)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    KIRQL OldIrql = Prcb->Irql;
    Prcb->Irql = DISPATCH_LEVEL;
    KiAcquireDispatcherLockAtDpcLevel();
    BOOLEAN Deliverable = KiApcDeliverable(Thread);
    KiReleaseDispatcherLockFromDpcLevel();
    Prcb->Irql = OldIrql;
    return Deliverable;
}

static VOID KiQueueApcToList(PKAPC_STATE State, PKAPC Apc)
{
    PLIST_ENTRY Head = &State->ApcListHead[(int)Apc->ApcMode];
    if (Apc->ApcMode == KernelMode && KiIsSpecialApc(Apc)) {
        /* special APCs run before normal ones, in the order they came */
        PLIST_ENTRY E = Head->Flink;
        while (E != Head && KiIsSpecialApc(CONTAINING_RECORD(E, KAPC, ApcListEntry)))
            E = E->Flink;
        InsertTailList(E, &Apc->ApcListEntry);
    } else {
        InsertTailList(Head, &Apc->ApcListEntry);
    }
}

/* KeInsertQueueApc with the dispatcher lock held (also ke/suspend.c). */
BOOLEAN KiInsertQueueApc(PKAPC Apc, PVOID SystemArgument1, PVOID SystemArgument2, KPRIORITY Increment)
{
    PKTHREAD Thread = Apc->Thread;
    if (Apc->Inserted || !Thread->ApcQueueable || Thread->State == Terminated)
        return FALSE;
    if (Apc->ApcStateIndex == InsertApcEnvironment)
        Apc->ApcStateIndex = (CCHAR)Thread->ApcStateIndex;
    if (Apc->ApcStateIndex != OriginalApcEnvironment && Apc->ApcStateIndex != AttachedApcEnvironment)
        return FALSE;   /* not a KAPC_ENVIRONMENT: there is no list to put it on */
    Apc->SystemArgument1 = SystemArgument1;
    Apc->SystemArgument2 = SystemArgument2;
    Apc->Inserted = TRUE;
    KiQueueApcToList(Thread->ApcStatePointer[(int)Apc->ApcStateIndex], Apc);
    if (Apc->ApcStateIndex != Thread->ApcStateIndex)
        return TRUE;    /* the other environment: it waits for the detach */

    if (Apc->ApcMode == KernelMode) {
        KiSetKernelApcPending(Thread, TRUE);
        if (Thread->State == Running) {
            KiRequestSoftwareInterrupt(KiProcessorBlock[Thread->NextProcessor], KI_REQUEST_APC);
        } else if (Thread->State == Waiting && Thread->WaitIrql == PASSIVE_LEVEL && KiApcDeliverable(Thread)) {
            KiUnwaitThread(Thread, STATUS_KERNEL_APC, Increment);
        }
    } else if (Thread->State == Waiting && Thread->Alertable && Thread->WaitMode == UserMode) {
        Thread->ApcState.UserApcPending = TRUE;
        KiUnwaitThread(Thread, STATUS_USER_APC, Increment);
    }
    return TRUE;
}

NTPS_EXPORT BOOLEAN KeInsertQueueApc(PKAPC Apc, PVOID SystemArgument1, PVOID SystemArgument2, KPRIORITY Increment)
{
    KI_CHECK_OBJECT(Apc, KI_APC_OBJECTS);
    KiCheckObject(Apc->Thread, KI_THREAD_OBJECTS, __func__, __builtin_return_address(0));
    KiKernelEntry();
    KiRaceRelease(Apc);     /* the queuer's work happens before the APC's routines */
    KIRQL OldIrql = KiAcquireDispatcherLock();
    BOOLEAN Inserted = KiInsertQueueApc(Apc, SystemArgument1, SystemArgument2, Increment);
    KiReleaseDispatcherLock(OldIrql);
    return Inserted;
}

/* The APC may sit in either environment (or in a KAPC_STATE a nested
 * attach saved): unlinking works the same; only the current environment
 * has pending flags to keep right. */
NTPS_EXPORT BOOLEAN KeRemoveQueueApc(PKAPC Apc)
{
    KI_CHECK_OBJECT(Apc, KI_APC_OBJECTS);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    BOOLEAN Removed = Apc->Inserted;
    if (Removed) {
        PKTHREAD Thread = Apc->Thread;
        RemoveEntryList(&Apc->ApcListEntry);
        Apc->Inserted = FALSE;
        if (IsListEmpty(&Thread->ApcState.ApcListHead[KernelMode]))
            KiSetKernelApcPending(Thread, FALSE);
        if (IsListEmpty(&Thread->ApcState.ApcListHead[UserMode]))
            Thread->ApcState.UserApcPending = FALSE;
    }
    KiReleaseDispatcherLock(OldIrql);
    return Removed;
}

/* Run the current thread's deliverable kernel APCs (called at PASSIVE_LEVEL). */
VOID KiDeliverApc(KPROCESSOR_MODE Mode)
{
    (void)Mode;
    KIRQL OldIrql = KfRaiseIrql(APC_LEVEL);
    PKTHREAD Thread = KiCurrentThread();
    PLIST_ENTRY Head = &Thread->ApcState.ApcListHead[KernelMode];
    for (;;) {
        KIRQL ApcIrql = KiAcquireDispatcherLock();      /* from APC_LEVEL */
        if (!KiApcDeliverable(Thread)) {
            KiSetKernelApcPending(Thread, !IsListEmpty(Head));
            KiReleaseDispatcherLock(ApcIrql);
            break;
        }
        PKAPC Apc = CONTAINING_RECORD(RemoveHeadList(Head), KAPC, ApcListEntry);
        Apc->Inserted = FALSE;
        PKKERNEL_ROUTINE KernelRoutine = KiApcKernelRoutine(Apc);
        PKNORMAL_ROUTINE NormalRoutine = KiApcNormalRoutine(Apc);
        PVOID NormalContext = Apc->NormalContext;
        PVOID Arg1 = Apc->SystemArgument1, Arg2 = Apc->SystemArgument2;
        BOOLEAN Special = NormalRoutine == NULL;
        if (!Special)
            __atomic_store_n(&Thread->KernelApcInProgress, TRUE, __ATOMIC_RELAXED);
        KiReleaseDispatcherLock(ApcIrql);
        KiRaceAcquire(Apc);

        /* The kernel routine may change or cancel the normal routine. */
        KernelRoutine(Apc, &NormalRoutine, &NormalContext, &Arg1, &Arg2);
        if (!Special) {
            if (NormalRoutine != NULL) {
                KeLowerIrql(PASSIVE_LEVEL);
                NormalRoutine(NormalContext, Arg1, Arg2);
                KfRaiseIrql(APC_LEVEL);
            }
            __atomic_store_n(&Thread->KernelApcInProgress, FALSE, __ATOMIC_RELAXED);
        }
    }
    KeLowerIrql(OldIrql);
}

/* A thread ends with APCs still queued, in either environment (it cannot
 * be attached any more: KeTerminateThread checks): their rundown routines
 * run, or the APC is simply dropped. */
VOID KiRundownApcs(PKTHREAD Thread)
{
    for (int Index = OriginalApcEnvironment; Index <= AttachedApcEnvironment; Index++) {
        for (int Mode = KernelMode; Mode <= UserMode; Mode++) {
            PLIST_ENTRY Head = &Thread->ApcStatePointer[Index]->ApcListHead[Mode];
            for (;;) {
                KIRQL OldIrql = KiAcquireDispatcherLock();
                if (IsListEmpty(Head)) {
                    KiReleaseDispatcherLock(OldIrql);
                    break;
                }
                PKAPC Apc = CONTAINING_RECORD(RemoveHeadList(Head), KAPC, ApcListEntry);
                Apc->Inserted = FALSE;
                KiReleaseDispatcherLock(OldIrql);
                if (KiApcRundownRoutine(Apc) != NULL)
                    KiApcRundownRoutine(Apc)(Apc);
            }
        }
    }
    KiSetKernelApcPending(Thread, FALSE);
    Thread->ApcState.UserApcPending = FALSE;
}

/* ---- critical and guarded regions ------------------------------------------------ */

/* Critical regions: Driver Verifier's 0xC4/0x11A (enter) and 0x11B (leave)
 * above APC_LEVEL, P2 the IRQL; guarded regions: rule IrqlKeApcLte2. */
static VOID KiCheckRegionIrql(ULONG Code)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL) {
        if (Code == 0x20010)
            KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Code, Irql, APC_LEVEL,
                         (ULONG_PTR)__builtin_return_address(0));
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Code, Irql, 0, 0);
    }
}

/* KiDeliverApc looks at the list under the lock and delivers what it may. */
static VOID KiMaybeDeliverApcs(PKTHREAD Thread)
{
    if (__atomic_load_n(&Thread->ApcState.KernelApcPending, __ATOMIC_RELAXED) && KeGetCurrentIrql() == PASSIVE_LEVEL)
        KiDeliverApc(KernelMode);
}

VOID KeEnterCriticalRegion(VOID)
{
    KiCheckRegionIrql(0x11A);
    __atomic_sub_fetch(&KiCurrentThread()->KernelApcDisable, 1, __ATOMIC_RELAXED);
}

VOID KeLeaveCriticalRegion(VOID)
{
    KiCheckRegionIrql(0x11B);
    PKTHREAD Thread = KiCurrentThread();
    if (Thread->KernelApcDisable >= 0)      /* verifier: leave without enter */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3E, (ULONG_PTR)Thread, Thread->KernelApcDisable, 0);
    if (__atomic_add_fetch(&Thread->KernelApcDisable, 1, __ATOMIC_RELAXED) == 0)
        KiMaybeDeliverApcs(Thread);
}

VOID KeEnterGuardedRegion(VOID)
{
    KiCheckRegionIrql(0x20010);
    __atomic_sub_fetch(&KiCurrentThread()->SpecialApcDisable, 1, __ATOMIC_RELAXED);
}

VOID KeLeaveGuardedRegion(VOID)
{
    KiCheckRegionIrql(0x20010);
    PKTHREAD Thread = KiCurrentThread();
    if (Thread->SpecialApcDisable >= 0)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x4000E, (ULONG_PTR)Thread, Thread->SpecialApcDisable, 0);
    if (__atomic_add_fetch(&Thread->SpecialApcDisable, 1, __ATOMIC_RELAXED) == 0)
        KiMaybeDeliverApcs(Thread);
}

BOOLEAN KeAreApcsDisabled(VOID)
{
    PKTHREAD Thread = KiCurrentThread();
    return Thread->KernelApcDisable != 0 || Thread->MutexApcDisable != 0 || Thread->SpecialApcDisable != 0;
}

BOOLEAN KeAreAllApcsDisabled(VOID)
{
    return KiCurrentThread()->SpecialApcDisable != 0 || KeGetCurrentIrql() >= APC_LEVEL;
}

/* ---- alerts --------------------------------------------------------------------------- */

NTPS_EXPORT BOOLEAN KeAlertThread(PKTHREAD Thread, KPROCESSOR_MODE AlertMode)
{
    KI_CHECK_OBJECT(Thread, KI_THREAD_OBJECTS);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    BOOLEAN Previous = Thread->Alerted[(int)AlertMode];
    if (!Previous) {
        if (Thread->State == Waiting && Thread->Alertable && AlertMode <= Thread->WaitMode)
            KiUnwaitThread(Thread, STATUS_ALERTED, 0);
        else
            Thread->Alerted[(int)AlertMode] = TRUE;
    }
    KiReleaseDispatcherLock(OldIrql);
    return Previous;
}

NTPS_EXPORT BOOLEAN KeTestAlertThread(KPROCESSOR_MODE AlertMode)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    PKTHREAD Thread = KiCurrentThread();
    BOOLEAN Alerted = Thread->Alerted[(int)AlertMode];
    if (Alerted)
        Thread->Alerted[(int)AlertMode] = FALSE;
    else if (AlertMode == UserMode && !IsListEmpty(&Thread->ApcState.ApcListHead[UserMode]))
        Thread->ApcState.UserApcPending = TRUE;
    KiReleaseDispatcherLock(OldIrql);
    return Alerted;
}
