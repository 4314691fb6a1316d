/*
 * ke/attach.c - attaching a thread to another process's context
 * (KeStackAttachProcess / KeUnstackDetachProcess, KeIsAttachedProcess).
 *
 * The thread's current process (what PsGetCurrentProcess and handle
 * look-ups see) becomes the target until the matching detach, and the
 * thread gets a fresh APC environment for it (Thread->ApcState is always
 * the current one; ke/apc.c). APCs queued to the environment left behind
 * wait in it and become deliverable at the detach.
 *
 *  - First attach: the thread's own environment moves to SavedApcState;
 *    ApcStatePointer[0] = &SavedApcState, [1] = &ApcState, index 1.
 *  - Nested attach (already attached): the current environment moves into
 *    the caller's KAPC_STATE instead; pointers and index stay.
 *  - Attach to the process the thread is in now: nothing changes.
 * Moving an environment moves its list heads: the first and last APC of
 * each list are relinked to the new head.
 *
 * What the caller's KAPC_STATE holds after the attach (our encoding; NT
 * has its own) is told by its Process field:
 *    KI_ATTACH_SAME_PROCESS   the attach changed nothing: the detach neither
 *    KI_ATTACH_FIRST_LEVEL    the saved environment is Thread->SavedApcState
 *    a process                a nested attach: the buffer holds the saved
 *                             environment, whose process this is
 *    NULL                     spent by its detach (a second one is 0x6)
 * Detaches must come in the reverse order of the attaches.
 */
#include "ke/ke.h"


#define KI_ATTACH_SAME_PROCESS ((PRKPROCESS)1)
#define KI_ATTACH_FIRST_LEVEL ((PRKPROCESS)2)

/* Destination takes Source's contents and Source is left empty. */
static VOID KiMoveApcState(PKAPC_STATE Destination, PKAPC_STATE Source)
{
    for (int Mode = KernelMode; Mode <= UserMode; Mode++) {
        PLIST_ENTRY From = &Source->ApcListHead[Mode], To = &Destination->ApcListHead[Mode];
        if (IsListEmpty(From)) {
            InitializeListHead(To);
            continue;
        }
        To->Flink = From->Flink;
        To->Blink = From->Blink;
        To->Flink->Blink = To;
        To->Blink->Flink = To;
        InitializeListHead(From);
    }
    Destination->Process = Source->Process;
    Destination->InProgressFlags = Source->InProgressFlags;
    Destination->KernelApcPending = Source->KernelApcPending;
    Destination->UserApcPending = Source->UserApcPending;
    Source->Process = NULL;
    Source->InProgressFlags = Source->KernelApcPending = Source->UserApcPending = FALSE;
}

/* Thread->ApcState has just become the current environment (its process
 * set): APCs already in it are pending now, and the APC request makes the
 * IRQL drop on the way out deliver them. KTHREAD.KernelApcInProgress
 * belongs to the current environment; the saved ones keep theirs in
 * InProgressFlags. */
static VOID KiEnterEnvironment(PKTHREAD Thread)
{
    __atomic_store_n(&Thread->KernelApcInProgress, Thread->ApcState.InProgressFlags, __ATOMIC_RELAXED);
    Thread->ApcState.InProgressFlags = FALSE;
    BOOLEAN Pending = !IsListEmpty(&Thread->ApcState.ApcListHead[KernelMode]);
    __atomic_store_n(&Thread->ApcState.KernelApcPending, Pending, __ATOMIC_RELAXED);
    if (Pending)
        KiRequestSoftwareInterrupt(KeGetCurrentPrcb(), KI_REQUEST_APC);
}

/* Move the current environment to Saved, with its in-progress flag. */
static VOID KiSaveEnvironment(PKTHREAD Thread, PKAPC_STATE Saved)
{
    KiMoveApcState(Saved, &Thread->ApcState);
    Saved->InProgressFlags = __atomic_load_n(&Thread->KernelApcInProgress, __ATOMIC_RELAXED);
}

VOID KeStackAttachProcess(PRKPROCESS Process, PRKAPC_STATE ApcState)
{
    KI_CHECK_OBJECT(Process, KI_PROCESS_OBJECTS);
    (void)*(volatile PRKPROCESS *)&ApcState->Process;     /* it is written under the lock */
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD Thread = Prcb->CurrentThread;
    if (Prcb->DpcRoutineActive)     /* documented parameters; P4 nonzero: in a DPC */
        KeBugCheckEx(INVALID_PROCESS_ATTACH_ATTEMPT, (ULONG_PTR)Process, (ULONG_PTR)Thread->ApcState.Process,
                     Thread->ApcStateIndex, 1);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    if (Thread->ApcState.Process == Process) {
        ApcState->Process = KI_ATTACH_SAME_PROCESS;
        KiReleaseDispatcherLock(OldIrql);
        return;
    }
    if (Thread->ApcStateIndex == OriginalApcEnvironment) {
        /* The own environment goes to SavedApcState; what was parked there
         * (APCs queued to the attached environment of a thread that was
         * not attached) becomes the new environment's. */
        KAPC_STATE Own;
        KiSaveEnvironment(Thread, &Own);
        KiMoveApcState(&Thread->ApcState, &Thread->SavedApcState);
        KiMoveApcState(&Thread->SavedApcState, &Own);
        Thread->ApcStatePointer[OriginalApcEnvironment] = &Thread->SavedApcState;
        Thread->ApcStatePointer[AttachedApcEnvironment] = &Thread->ApcState;
        __atomic_store_n(&Thread->ApcStateIndex, AttachedApcEnvironment, __ATOMIC_RELAXED);
        ApcState->Process = KI_ATTACH_FIRST_LEVEL;
    } else {
        KiSaveEnvironment(Thread, ApcState);
    }
    Thread->ApcState.Process = Process;
    Thread->ApcState.InProgressFlags = FALSE;
    Thread->ApcState.UserApcPending = FALSE;
    KiEnterEnvironment(Thread);
    KiReleaseDispatcherLock(OldIrql);
}

/* INVALID_PROCESS_DETACH_ATTEMPT has no documented parameters: we give
 * those of 0x5 (INVALID_PROCESS_ATTACH_ATTEMPT): P1 the process the detach
 * would return to, P2 the current one, P3 the APC state index, P4 nonzero
 * in a DPC; the report's message says what was wrong. */
static DECLSPEC_NORETURN VOID KiInvalidDetach(PKTHREAD Thread, PRKAPC_STATE ApcState, BOOLEAN InDpc, PCSTR Why)
{
    PRKPROCESS Target = ApcState->Process == KI_ATTACH_FIRST_LEVEL ? Thread->SavedApcState.Process : ApcState->Process;
    KiBugCheckExplain(INVALID_PROCESS_DETACH_ATTEMPT, (ULONG_PTR)Target, (ULONG_PTR)Thread->ApcState.Process,
                      Thread->ApcStateIndex, InDpc, "INVALID_PROCESS_DETACH_ATTEMPT: %s", Why);
}

VOID KeUnstackDetachProcess(PRKAPC_STATE ApcState)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD Thread = Prcb->CurrentThread;
    PRKPROCESS Saved = ApcState->Process;
    if (Prcb->DpcRoutineActive)
        KiInvalidDetach(Thread, ApcState, TRUE, "KeUnstackDetachProcess in a DPC routine");
    if (Saved == NULL)
        KiInvalidDetach(Thread, ApcState, FALSE, "this KAPC_STATE is not from an attach, or was detached already");
    if (Saved == KI_ATTACH_SAME_PROCESS) {
        ApcState->Process = NULL;
        return;
    }
    KIRQL OldIrql = KiAcquireDispatcherLock();
    PCSTR Why = NULL;
    if (Thread->ApcStateIndex != AttachedApcEnvironment)
        Why = "the thread is not attached to a process";
    else if (__atomic_load_n(&Thread->KernelApcInProgress, __ATOMIC_RELAXED))
        Why = "a kernel APC of the attached process's environment is in progress";
    else if (!IsListEmpty(&Thread->ApcState.ApcListHead[KernelMode]))
        Why = "kernel APCs are still queued to the attached process's environment";
    else if (!IsListEmpty(&Thread->ApcState.ApcListHead[UserMode]))
        Why = "user APCs are still queued to the attached process's environment";
    if (Why != NULL) {
        KiReleaseDispatcherLock(OldIrql);
        KiInvalidDetach(Thread, ApcState, FALSE, Why);
    }
    if (Saved == KI_ATTACH_FIRST_LEVEL) {
        KiMoveApcState(&Thread->ApcState, &Thread->SavedApcState);
        Thread->ApcStatePointer[OriginalApcEnvironment] = &Thread->ApcState;
        Thread->ApcStatePointer[AttachedApcEnvironment] = &Thread->SavedApcState;
        __atomic_store_n(&Thread->ApcStateIndex, OriginalApcEnvironment, __ATOMIC_RELAXED);
    } else {
        KiMoveApcState(&Thread->ApcState, ApcState);
    }
    ApcState->Process = NULL;
    KiEnterEnvironment(Thread);
    KiReleaseDispatcherLock(OldIrql);   /* delivers what waited, if IRQL allows */
}

BOOLEAN KeIsAttachedProcess(VOID)
{
    return KiCurrentThread()->ApcStateIndex == AttachedApcEnvironment;
}
