/*
 * ke/mutex.c - mutexes (KMUTEX) and mutants. One object serves both: a
 * kernel mutex disables normal kernel APCs while owned (ApcDisable = 1)
 * and may not be held at thread exit; a mutant is abandoned instead.
 *
 * SignalState: 1 = free, 0 = owned once, 1 - n = owned n times.
 *
 * The APCs a kernel mutex holds off are counted in the owner's
 * MutexApcDisable, not in KernelApcDisable as Windows does: the two act the
 * same for APC delivery and KeAreApcsDisabled, and a thread that ends
 * owning a KMUTEX then reaches the documented bug check 0x4000008A instead
 * of stopping at Ps's check of the critical-region count (0x20).
 */
#include "ke/ke.h"
#include "rtl/rtl.h"

/* Header.Reserved1 of a mutant: it was acquired at DISPATCH_LEVEL, so it
 * must be released at DISPATCH_LEVEL (and one acquired below, below). */
#define KI_MUTANT_DISPATCH_OWNED(Mutant) ((Mutant)->Header.Reserved1)

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
        KI_MUTANT_DISPATCH_OWNED(Mutant) = FALSE;   /* KiWait marks one taken at DISPATCH_LEVEL */
        InsertHeadList(&Thread->MutantListHead, &Mutant->MutantListEntry);
        Thread->MutexApcDisable -= Mutant->ApcDisable;
        if (KiLockHooks.Acquired != NULL)
            KiLockHooks.Acquired(Thread, Mutant, KiLockMutex);
    }
    Mutant->Header.SignalState--;
    return Abandoned;
}

/* A wait at DISPATCH_LEVEL (zero timeout) just made Thread the owner. */
VOID KiMarkMutantDispatchOwned(PKMUTANT Mutant, PKTHREAD Thread)
{
    if (Mutant->OwnerThread == Thread && Mutant->Header.SignalState == 0)
        KI_MUTANT_DISPATCH_OWNED(Mutant) = TRUE;
}

/* Would another acquisition by Thread pass the documented recursion limit? */
BOOLEAN KiMutantAtLimit(PKMUTANT Mutant, PKTHREAD Thread)
{
    return Mutant->OwnerThread == Thread && Mutant->Header.SignalState == (LONG)MINLONG;
}

static VOID KiDropOwnership(PKMUTANT Mutant)
{
    PKTHREAD Owner = Mutant->OwnerThread;
    if (KiLockHooks.Released != NULL)
        KiLockHooks.Released(Owner, Mutant);
    RemoveEntryList(&Mutant->MutantListEntry);
    Mutant->MutantListEntry.Flink = Mutant->MutantListEntry.Blink = NULL;
    Owner->MutexApcDisable += Mutant->ApcDisable;
    if (Owner->ApcState.KernelApcPending && Owner->State == Running && KiApcDeliverable(Owner))
        KiRequestSoftwareInterrupt(KiProcessorBlock[Owner->NextProcessor], KI_REQUEST_APC);
    Mutant->OwnerThread = NULL;
}

LONG KeReleaseMutant(PKMUTANT Mutant, KPRIORITY Increment, BOOLEAN Abandon, BOOLEAN Wait)
{
    KI_CHECK_OBJECT(Mutant, KI_MUTANT_OBJECTS);
    KiKernelEntry();
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL || (Wait && Irql > APC_LEVEL))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    KiRaceRelease(Mutant);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    LONG Previous = Mutant->Header.SignalState;
    if (Abandon) {
        Mutant->Header.SignalState = 1;
        Mutant->Abandoned = TRUE;
    } else {
        /* Only the owner may release it, and at the IRQL class it was
         * acquired at (DISPATCH_LEVEL, or below it): documented. */
        if (Mutant->OwnerThread != KiCurrentThread() ||
            (BOOLEAN)(Irql == DISPATCH_LEVEL) != KI_MUTANT_DISPATCH_OWNED(Mutant)) {
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
    KI_CHECK_OBJECT(Mutex, KI_MUTANT_OBJECTS);
    return KeReleaseMutant(Mutex, MUTANT_INCREMENT, FALSE, Wait);
}

LONG KeReadStateMutex(PRKMUTEX Mutex)
{
    KI_CHECK_OBJECT(Mutex, KI_MUTANT_OBJECTS);
    return __atomic_load_n(&Mutex->Header.SignalState, __ATOMIC_ACQUIRE);
}

/* Thread is ending: a kernel mutex it still owns is bug check 0x4000008A
 * (checked first, before anything of the thread is run down). */
VOID KiCheckHeldMutexes(PKTHREAD Thread)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    for (PLIST_ENTRY E = Thread->MutantListHead.Flink; E != &Thread->MutantListHead; E = E->Flink) {
        PKMUTANT Mutant = CONTAINING_RECORD(E, KMUTANT, MutantListEntry);
        if (Mutant->ApcDisable != 0) {
            KiReleaseDispatcherLockFromDpcLevel();
            KeBugCheckEx(THREAD_TERMINATE_HELD_MUTEX, (ULONG_PTR)Thread, (ULONG_PTR)Mutant, 0, 0);
        }
    }
    KiReleaseDispatcherLock(OldIrql);
}

/* Thread is ending (dispatcher lock held): the mutants it still owns are
 * abandoned, and their next waiters get STATUS_ABANDONED. */
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
