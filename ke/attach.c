/*
 * ke/attach.c - attaching a thread to another process's context
 * (KeStackAttachProcess / KeUnstackDetachProcess).
 *
 * The thread's current process (what PsGetCurrentProcess and handle
 * look-ups see) becomes the target until the matching detach; the caller's
 * KAPC_STATE keeps what to restore, so attaches nest. APCs keep running in
 * the thread's one APC environment (Windows holds APCs queued to the
 * original environment until detach; that distinction is not kept here).
 */
#include "ke/ke.h"

VOID KeStackAttachProcess(PRKPROCESS Process, PRKAPC_STATE ApcState)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb->DpcRoutineActive)
        KeBugCheckEx(INVALID_PROCESS_ATTACH_ATTEMPT, (ULONG_PTR)Process,
                     (ULONG_PTR)Prcb->CurrentThread->ApcState.Process, 0, 1);
    PKTHREAD Thread = Prcb->CurrentThread;
    KIRQL OldIrql = KiAcquireDispatcherLock();
    ApcState->Process = Thread->ApcState.Process;
    ApcState->InProgressFlags = Thread->ApcStateIndex;
    ApcState->KernelApcPending = FALSE;
    ApcState->UserApcPending = FALSE;
    InitializeListHead(&ApcState->ApcListHead[KernelMode]);
    InitializeListHead(&ApcState->ApcListHead[UserMode]);
    Thread->ApcState.Process = Process;
    Thread->ApcStateIndex = AttachedApcEnvironment;
    KiReleaseDispatcherLock(OldIrql);
}

VOID KeUnstackDetachProcess(PRKAPC_STATE ApcState)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD Thread = Prcb->CurrentThread;
    if (Prcb->DpcRoutineActive || ApcState->Process == NULL)
        KeBugCheckEx(0x6 /* INVALID_PROCESS_DETACH_ATTEMPT */, (ULONG_PTR)ApcState->Process,
                     (ULONG_PTR)Thread->ApcState.Process, 0, Prcb->DpcRoutineActive);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    Thread->ApcState.Process = ApcState->Process;
    Thread->ApcStateIndex = ApcState->InProgressFlags;
    ApcState->Process = NULL;
    KiReleaseDispatcherLock(OldIrql);
}
