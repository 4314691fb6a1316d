/*
 * ke/event.c - events and semaphores.
 *
 * The Wait=TRUE form of a signal leaves the caller at DISPATCH_LEVEL with
 * WaitNext set; the KeWaitXxx that must follow restores the saved IRQL.
 */
#include "ke/ke.h"
#include "rtl/rtl.h"

static VOID KiCheckSignalIrql(BOOLEAN Wait, ULONG Rule)
{
    KIRQL Irql = KeGetCurrentIrql();
    KIRQL Max = Wait ? APC_LEVEL : DISPATCH_LEVEL;
    if (Irql > Max)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Rule, Irql, Max, (ULONG_PTR)__builtin_return_address(0));
}

/* Finish a signal: release the lock, either lowering IRQL or, for Wait=TRUE,
 * staying at DISPATCH_LEVEL for the wait that follows. */
static VOID KiFinishSignal(KIRQL OldIrql, BOOLEAN Wait)
{
    if (Wait) {
        KiReleaseDispatcherLockFromDpcLevel();
        KeSetWaitNext(OldIrql);
    } else {
        KiReleaseDispatcherLock(OldIrql);
    }
}

VOID KeSetWaitNext(KIRQL OldIrql)
{
    PKTHREAD Thread = KiCurrentThread();
    Thread->WaitNext = TRUE;
    Thread->WaitIrql = OldIrql;
}

/* ---- events --------------------------------------------------------------------- */

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    Event->Header.Type = Type == SynchronizationEvent ? EventSynchronizationObject : EventNotificationObject;
    Event->Header.Signalling = 0;
    Event->Header.Size = sizeof(KEVENT) / sizeof(LONG);
    Event->Header.Reserved1 = 0;
    Event->Header.SignalState = State ? 1 : 0;
    InitializeListHead(&Event->Header.WaitListHead);
}

/* Driver Verifier: KeSetEvent above DISPATCH_LEVEL is 0xC4/0x80 (P2 IRQL,
 * P3 the event); with Wait = TRUE above APC_LEVEL it breaks the
 * IrqlKeSetEvent rule (0x20016). */
static VOID KiCheckSetEventIrql(PRKEVENT Event, BOOLEAN Wait)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x80, Irql, (ULONG_PTR)Event, 0);
    if (Wait && Irql > APC_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20016, Irql, APC_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    KI_CHECK_OBJECT(Event, KI_EVENT_OBJECTS);
    KiKernelEntry();
    KiCheckSetEventIrql(Event, Wait);
    KiRaceRelease(Event);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    LONG Previous = Event->Header.SignalState;
    if (Previous == 0) {
        Event->Header.SignalState = 1;
        KiWaitTest(Event, Increment);
    }
    KiFinishSignal(OldIrql, Wait);
    return Previous;
}

LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    KI_CHECK_OBJECT(Event, KI_EVENT_OBJECTS);
    KiKernelEntry();
    KiCheckSetEventIrql(Event, Wait);
    KiRaceRelease(Event);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    LONG Previous = Event->Header.SignalState;
    if (Previous == 0) {
        Event->Header.SignalState = 1;
        KiWaitTest(Event, Increment);
    }
    Event->Header.SignalState = 0;
    KiFinishSignal(OldIrql, Wait);
    return Previous;
}

LONG KeResetEvent(PRKEVENT Event)
{
    KI_CHECK_OBJECT(Event, KI_EVENT_OBJECTS);
    KiKernelEntry();
    KiCheckSignalIrql(FALSE, 0x20011);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    LONG Previous = Event->Header.SignalState;
    Event->Header.SignalState = 0;
    KiReleaseDispatcherLock(OldIrql);
    return Previous;
}

VOID KeClearEvent(PRKEVENT Event)
{
    KI_CHECK_OBJECT(Event, KI_EVENT_OBJECTS);
    KiKernelEntry();     /* a scheduling point, as the other event calls are */
    KiCheckSignalIrql(FALSE, 0x20011);
    /* Under the dispatcher lock: the state is read and written there by
     * KeSetEvent and the wait paths. */
    KIRQL OldIrql = KiAcquireDispatcherLock();
    Event->Header.SignalState = 0;
    KiReleaseDispatcherLock(OldIrql);
}

LONG KeReadStateEvent(PRKEVENT Event)
{
    KI_CHECK_OBJECT(Event, KI_EVENT_OBJECTS);
    LONG State = __atomic_load_n(&Event->Header.SignalState, __ATOMIC_ACQUIRE);
    if (State != 0)
        KiRaceAcquire(Event);   /* a poll that sees the event set */
    return State;
}

/* ---- semaphores ------------------------------------------------------------------ */

VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
    Semaphore->Header.Type = SemaphoreObject;
    Semaphore->Header.Signalling = 0;
    Semaphore->Header.Size = sizeof(KSEMAPHORE) / sizeof(LONG);
    Semaphore->Header.Reserved1 = 0;
    Semaphore->Header.SignalState = Count;
    InitializeListHead(&Semaphore->Header.WaitListHead);
    Semaphore->Limit = Limit;
}

LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait)
{
    KI_CHECK_OBJECT(Semaphore, KI_SEMAPHORE_OBJECTS);
    KiKernelEntry();
    KiCheckSignalIrql(Wait, 0x20011);
    KiRaceRelease(Semaphore);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    LONG Previous = Semaphore->Header.SignalState;
    LONG New = (LONG)((ULONG)Previous + (ULONG)Adjustment);
    if (Adjustment <= 0 || New > Semaphore->Limit || New < Previous) {
        /* The count is left as it was and the caller gets the exception. */
        KiReleaseDispatcherLock(OldIrql);
        RtlRaiseStatus(STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    }
    Semaphore->Header.SignalState = New;
    if (Previous == 0)
        KiWaitTest(Semaphore, Increment);
    KiFinishSignal(OldIrql, Wait);
    return Previous;
}

LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore)
{
    KI_CHECK_OBJECT(Semaphore, KI_SEMAPHORE_OBJECTS);
    return __atomic_load_n(&Semaphore->Header.SignalState, __ATOMIC_ACQUIRE);
}
