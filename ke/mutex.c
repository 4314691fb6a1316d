/*
 * ke/mutex.c - mutexes (KMUTEX) and mutants. One object serves both: a
 * kernel mutex disables normal kernel APCs while owned (ApcDisable = 1)
 * and may not be held at thread exit; a mutant is abandoned instead.
 *
 * SignalState: 1 = free, 0 = owned once, 1 - n = owned n times.
 */
#include "ke/ke.h"
#include "rtl/rtl.h"

static VOID KiInitializeMutantObject(PKMUTANT Mutant, UCHAR ApcDisable)
{
    Mutant->Header.Type = MutantObject;
    Mutant->Header.Signalling = 0;
    Mutant->Header.Size = sizeof(KMUTANT) / sizeof(LONG);
    Mutant->Header.Reserved1 = 0;
    Mutant->Header.SignalState = 1;
    InitializeListHead(&Mutant->Header.WaitListHead);
    Mutant->MutantListEntry.Flink = Mutant->MutantListEntry.Blink = NULL;
    Mutant->OwnerThread = NULL;
    Mutant->Abandoned = FALSE;
    Mutant->ApcDisable = ApcDisable;
}

VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    (void)Level;    /* reserved */
    KiInitializeMutantObject(Mutex, 1);
}

/* A user-mode style mutant (Nt/ZwCreateMutant): abandoned, not fatal, when
 * its owner ends. */
VOID KeInitializeMutant(PKMUTANT Mutant, BOOLEAN InitialOwner)
{
    KiInitializeMutantObject(Mutant, 0);
    if (InitialOwner) {
        KIRQL OldIrql = KiAcquireDispatcherLock();
        PKTHREAD Thread = KiCurrentThread();
        Mutant->OwnerThread = Thread;
        Mutant->Header.SignalState = 0;
        InsertHeadList(&Thread->MutantListHead, &Mutant->MutantListEntry);
        KiReleaseDispatcherLock(OldIrql);
    }
}

/* A wait on Mutant is satisfied for Thread (dispatcher lock held).
 * Returns TRUE if the mutant had been abandoned. */
BOOLEAN KiAcquireMutant(PKMUTANT Mutant, PKTHREAD Thread)
{
    BOOLEAN Abandoned = FALSE;
    if (Mutant->OwnerThread != Thread) {
        Abandoned = Mutant->Abandoned;
        Mutant->Abandoned = FALSE;
        Mutant->OwnerThread = Thread;
        InsertHeadList(&Thread->MutantListHead, &Mutant->MutantListEntry);
        Thread->KernelApcDisable -= Mutant->ApcDisable;
    }
    Mutant->Header.SignalState--;
    return Abandoned;
}

/* Would another acquisition by Thread pass the documented recursion limit? */
BOOLEAN KiMutantAtLimit(PKMUTANT Mutant, PKTHREAD Thread)
{
    return Mutant->OwnerThread == Thread && Mutant->Header.SignalState == (LONG)MINLONG;
}

static VOID KiDropOwnership(PKMUTANT Mutant)
{
    PKTHREAD Owner = Mutant->OwnerThread;
    RemoveEntryList(&Mutant->MutantListEntry);
    Mutant->MutantListEntry.Flink = Mutant->MutantListEntry.Blink = NULL;
    Owner->KernelApcDisable += Mutant->ApcDisable;
    if (Owner->KernelApcDisable == 0 && Owner->ApcState.KernelApcPending && Owner->State == Running)
        KiRequestSoftwareInterrupt(KiProcessorBlock[Owner->NextProcessor], KI_REQUEST_APC);
    Mutant->OwnerThread = NULL;
}

LONG KeReleaseMutant(PKMUTANT Mutant, KPRIORITY Increment, BOOLEAN Abandon, BOOLEAN Wait)
{
    KiKernelEntry();
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL || (Wait && Irql > APC_LEVEL))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    KIRQL OldIrql = KiAcquireDispatcherLock();
    LONG Previous = Mutant->Header.SignalState;
    if (Abandon) {
        Mutant->Header.SignalState = 1;
        Mutant->Abandoned = TRUE;
    } else {
        if (Mutant->OwnerThread != KiCurrentThread()) {
            NTSTATUS Status = Mutant->Abandoned ? STATUS_ABANDONED : STATUS_MUTANT_NOT_OWNED;
            KiReleaseDispatcherLock(OldIrql);
            RtlRaiseStatus(Status);
        }
        Mutant->Header.SignalState++;
    }
    if (Mutant->Header.SignalState == 1) {
        if (Mutant->OwnerThread != NULL)
            KiDropOwnership(Mutant);
        KiWaitTest(Mutant, Increment);
    }
    if (Wait) {
        KiReleaseDispatcherLockFromDpcLevel();
        KeSetWaitNext(OldIrql);
    } else {
        KiReleaseDispatcherLock(OldIrql);
    }
    return Previous;
}

LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    return KeReleaseMutant(Mutex, MUTANT_INCREMENT, FALSE, Wait);
}

LONG KeReadStateMutex(PRKMUTEX Mutex)
{
    return __atomic_load_n(&Mutex->Header.SignalState, __ATOMIC_ACQUIRE);
}

/* Thread is ending (dispatcher lock held): a kernel mutex it still owns is
 * a bug check; a mutant is abandoned and its next waiter gets
 * STATUS_ABANDONED. */
VOID KiRundownMutants(PKTHREAD Thread)
{
    while (!IsListEmpty(&Thread->MutantListHead)) {
        PKMUTANT Mutant = CONTAINING_RECORD(Thread->MutantListHead.Flink, KMUTANT, MutantListEntry);
        if (Mutant->ApcDisable != 0)
            KeBugCheckEx(THREAD_TERMINATE_HELD_MUTEX, (ULONG_PTR)Thread, (ULONG_PTR)Mutant, 0, 0);
        KiDropOwnership(Mutant);
        Mutant->Header.SignalState = 1;
        Mutant->Abandoned = TRUE;
        KiWaitTest(Mutant, MUTANT_INCREMENT);
    }
}
