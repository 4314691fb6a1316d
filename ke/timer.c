/*
 * ke/timer.c - timers: the DDIs, one list ordered by due (interrupt) time,
 * and expiry, which runs at DISPATCH_LEVEL from the processor's DPC
 * processing after a clock interrupt found a timer due.
 */
#include "ke/ke.h"

static LIST_ENTRY KiTimerList;              /* ordered by DueTime */
static volatile ULONGLONG KiNextTimerDue = ~0ULL;
static volatile ULONG KiNextTimerProcessor;
LONGLONG KiBootSystemTime;                  /* system time at interrupt time 0 */

VOID KiInitializeTimers(VOID)
{
    InitializeListHead(&KiTimerList);
    __atomic_store_n(&KiNextTimerDue, ~0ULL, __ATOMIC_RELEASE);
}

/* Read without the dispatcher lock by the clock and idle loops. */
ULONGLONG KiNextTimerDueTime(VOID)
{
    return __atomic_load_n(&KiNextTimerDue, __ATOMIC_ACQUIRE);
}

ULONG KiNextTimerProcessorNumber(VOID)
{
    return __atomic_load_n(&KiNextTimerProcessor, __ATOMIC_RELAXED);
}

/* Timeouts and due times: negative = relative (100 ns), positive or zero =
 * absolute system time. Returns an interrupt time. */
ULONGLONG KiDueTimeFromTimeout(LARGE_INTEGER Timeout)
{
    ULONGLONG Now = KiQueryInterruptTime();
    if (Timeout.QuadPart < 0) {
        ULONGLONG Relative = (ULONGLONG)-Timeout.QuadPart;
        return Relative > ~0ULL - Now ? ~0ULL - 1 : Now + Relative;
    }
    if (Timeout.QuadPart <= KiBootSystemTime)
        return 0;   /* already in the past */
    return (ULONGLONG)(Timeout.QuadPart - KiBootSystemTime);
}

static VOID KiUpdateNextTimer(VOID)
{
    if (IsListEmpty(&KiTimerList)) {
        __atomic_store_n(&KiNextTimerDue, ~0ULL, __ATOMIC_RELEASE);
        return;
    }
    PKTIMER First = CONTAINING_RECORD(KiTimerList.Flink, KTIMER, TimerListEntry);
    __atomic_store_n(&KiNextTimerProcessor, First->Processor, __ATOMIC_RELAXED);
    __atomic_store_n(&KiNextTimerDue, First->DueTime.QuadPart, __ATOMIC_RELEASE);
}

VOID KiProgramClock(ULONGLONG Due);

VOID KiInsertTimerAt(PKTIMER Timer, ULONGLONG DueTime)
{
    Timer->DueTime.QuadPart = DueTime;
    Timer->Processor = KeGetCurrentPrcb()->Number;
    PLIST_ENTRY E = KiTimerList.Blink;
    while (E != &KiTimerList && CONTAINING_RECORD(E, KTIMER, TimerListEntry)->DueTime.QuadPart > DueTime)
        E = E->Blink;
    /* insert after E: FIFO among equal due times */
    Timer->TimerListEntry.Flink = E->Flink;
    Timer->TimerListEntry.Blink = E;
    E->Flink->Blink = &Timer->TimerListEntry;
    E->Flink = &Timer->TimerListEntry;
    if (KiTimerList.Flink == &Timer->TimerListEntry) {
        KiUpdateNextTimer();
        KiProgramClock(DueTime);
    }
}

BOOLEAN KiRemoveTimer(PKTIMER Timer)
{
    if (Timer->TimerListEntry.Flink == NULL)
        return FALSE;
    BOOLEAN WasFirst = KiTimerList.Flink == &Timer->TimerListEntry;
    RemoveEntryList(&Timer->TimerListEntry);
    Timer->TimerListEntry.Flink = Timer->TimerListEntry.Blink = NULL;
    if (WasFirst)
        KiUpdateNextTimer();
    return TRUE;
}

/* KTIMER.Period counts milliseconds (KeSetTimerEx); a negative value is the
 * period of an Ex high-resolution timer in 100 ns units (KiSetTimerInterval). */
static inline ULONGLONG KiTimerInterval(PKTIMER Timer)
{
    return Timer->Period > 0 ? (ULONGLONG)Timer->Period * 10000 : (ULONGLONG)-(LONGLONG)Timer->Period;
}

/* Expire every timer due by Now: signal it, re-arm a periodic one, queue
 * its DPC with the due (system) time as the system arguments. */
VOID KiExpireTimers(PKPRCB Prcb, ULONGLONG Now)
{
    (void)Prcb;
    KiAcquireDispatcherLockAtDpcLevel();
    while (!IsListEmpty(&KiTimerList)) {
        PKTIMER Timer = CONTAINING_RECORD(KiTimerList.Flink, KTIMER, TimerListEntry);
        if (Timer->DueTime.QuadPart > Now)
            break;
        ULONGLONG Due = Timer->DueTime.QuadPart;
        KiRemoveTimer(Timer);
        if (Timer->Period != 0) {
            ULONGLONG Interval = KiTimerInterval(Timer), Next = Due + Interval;
            KiInsertTimerAt(Timer, Next > Now ? Next : Now + Interval);
        }
        if (KiConfig.Simulation)
            KiSimTrace(KI_TRACE_TIMER, (ULONG_PTR)Due, Timer->Period);
        KiSignalObject(&Timer->Header, TIMER_EXPIRE_INCREMENT);
        if (Timer->Dpc != NULL) {
            /* The DPC gets the due time as a system time, low and high parts:
             * for an absolute due time exactly what the driver passed. */
            ULONGLONG SystemDue = (ULONGLONG)KiBootSystemTime + Due;
            KeInsertQueueDpc(Timer->Dpc, (PVOID)(ULONG_PTR)(ULONG)SystemDue, (PVOID)(ULONG_PTR)(ULONG)(SystemDue >> 32));
        }
    }
    KiReleaseDispatcherLockFromDpcLevel();
}

/* ---- DDIs ---------------------------------------------------------------------- */

static VOID KiCheckTimerIrql(VOID)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
}

VOID KiInitializeTimerObject(PKTIMER Timer, TIMER_TYPE Type)
{
    Timer->Header.Type = Type == SynchronizationTimer ? TimerSynchronizationObject : TimerNotificationObject;
    Timer->Header.Size = sizeof(KTIMER) / sizeof(LONG);
    Timer->Header.SignalState = 0;
    InitializeListHead(&Timer->Header.WaitListHead);
    Timer->DueTime.QuadPart = 0;
    Timer->TimerListEntry.Flink = Timer->TimerListEntry.Blink = NULL;
    Timer->Dpc = NULL;
    Timer->Period = 0;
    Timer->Processor = 0;
}

VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    KiCheckTimerIrql();
    KiInitializeTimerObject(Timer, Type);
}

VOID KeInitializeTimer(PKTIMER Timer)
{
    KeInitializeTimerEx(Timer, NotificationTimer);
}

static BOOLEAN KiSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    /* the setter's work happens before the expiry's waiters and DPC */
    KiRaceRelease(Timer);
    if (Dpc != NULL)
        KiRaceRelease(Dpc);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    /* A queued timer is cancelled first, with a DPC it had queued. */
    BOOLEAN WasQueued = KiRemoveTimer(Timer);
    if (WasQueued && Timer->Dpc != NULL)
        KeRemoveQueueDpc(Timer->Dpc);
    Timer->Header.SignalState = 0;
    Timer->Dpc = Dpc;
    Timer->Period = Period;
    KiInsertTimerAt(Timer, KiDueTimeFromTimeout(DueTime));
    KiReleaseDispatcherLock(OldIrql);
    return WasQueued;
}

/* The DPC is checked now: the timer's expiry queues it holding the
 * dispatcher lock. */
static VOID KiCheckTimerArguments(PKTIMER Timer, PKDPC Dpc, PCSTR Routine, PVOID Caller)
{
    KiCheckObject(Timer, KI_TIMER_OBJECTS, Routine, Caller);
    if (Dpc != NULL)
        KiCheckObject(Dpc, KI_DPC_OBJECTS, Routine, Caller);
}

BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    KiCheckTimerArguments(Timer, Dpc, __func__, __builtin_return_address(0));
    KiKernelEntry();
    KiCheckTimerIrql();
    if (Period < 0)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, (ULONG_PTR)Timer, (ULONG_PTR)Period, 0);
    return KiSetTimer(Timer, DueTime, Period, Dpc);
}

/* For Ex high-resolution timers (ex/timer.c): a period in 100 ns units. */
BOOLEAN KiSetTimerInterval(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Interval, PKDPC Dpc)
{
    KiCheckTimerArguments(Timer, Dpc, __func__, __builtin_return_address(0));
    KiKernelEntry();
    KiCheckTimerIrql();
    return KiSetTimer(Timer, DueTime, Interval > 0 ? -Interval : 0, Dpc);
}

BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    KiCheckTimerArguments(Timer, Dpc, __func__, __builtin_return_address(0));
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

/* The system may expire the timer up to TolerableDelay ms late to coalesce
 * it with others; on time is within that tolerance. Period is unsigned here. */
BOOLEAN KeSetCoalescableTimer(PKTIMER Timer, LARGE_INTEGER DueTime, ULONG Period, ULONG TolerableDelay, PKDPC Dpc)
{
    KiCheckTimerArguments(Timer, Dpc, __func__, __builtin_return_address(0));
    (void)TolerableDelay;
    return KeSetTimerEx(Timer, DueTime, Period > MAXLONG ? MAXLONG : (LONG)Period, Dpc);
}

BOOLEAN KeCancelTimer(PKTIMER Timer)
{
    KI_CHECK_OBJECT(Timer, KI_TIMER_OBJECTS);
    KiKernelEntry();
    KiCheckTimerIrql();
    KIRQL OldIrql = KiAcquireDispatcherLock();
    BOOLEAN WasQueued = KiRemoveTimer(Timer);
    if (WasQueued && Timer->Dpc != NULL)
        KeRemoveQueueDpc(Timer->Dpc);
    KiReleaseDispatcherLock(OldIrql);
    return WasQueued;
}

/* Is the timer in the timer list (set, not yet expired or cancelled)? */
BOOLEAN KiIsTimerSet(PKTIMER Timer)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    BOOLEAN Set = Timer->TimerListEntry.Flink != NULL;
    KiReleaseDispatcherLock(OldIrql);
    return Set;
}

BOOLEAN KeReadStateTimer(PKTIMER Timer)
{
    KI_CHECK_OBJECT(Timer, KI_TIMER_OBJECTS);
    KiCheckTimerIrql();
    return Timer->Header.SignalState > 0;
}

/* The caller (expiry) decides where the timer lists stand at shutdown. */
ULONG KiQueuedTimerCount(VOID)
{
    ULONG Count = 0;
    for (PLIST_ENTRY E = KiTimerList.Flink; E != &KiTimerList; E = E->Flink)
        Count++;
    return Count;
}


static BOOLEAN KiInRange(PVOID Address, PVOID Base, SIZE_T Size)
{
    return (PCHAR)Address >= (PCHAR)Base && (PCHAR)Address < (PCHAR)Base + Size;
}

/* A driver image is about to go away: nothing queued may still point into
 * it (a timer, a DPC, or their routines). */
VOID KiCheckUnloadedModule(PVOID Base, SIZE_T Size)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    for (PLIST_ENTRY E = KiTimerList.Flink; E != &KiTimerList; E = E->Flink) {
        PKTIMER Timer = CONTAINING_RECORD(E, KTIMER, TimerListEntry);
        PVOID Routine = Timer->Dpc != NULL ? (PVOID)Timer->Dpc->DeferredRoutine : NULL;
        if (KiInRange(Timer, Base, Size) || (Routine != NULL && KiInRange(Routine, Base, Size)))
            KiBugCheckExplain(0xCE, (ULONG_PTR)Timer, 0, (ULONG_PTR)Routine, 0,
                              "a timer %p of the unloading driver is still set (DPC routine %p)",
                              (void *)Timer, Routine);
    }
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        PKPRCB Prcb = KiProcessorBlock[i];
        for (PLIST_ENTRY E = Prcb->DpcListHead.Flink; E != &Prcb->DpcListHead; E = E->Flink) {
            PKDPC Dpc = CONTAINING_RECORD(E, KDPC, DpcListEntry);
            if (KiInRange(Dpc, Base, Size) || KiInRange((PVOID)Dpc->DeferredRoutine, Base, Size))
                KiBugCheckExplain(0xCE, (ULONG_PTR)Dpc, 0, (ULONG_PTR)Dpc->DeferredRoutine, 0,
                                  "a DPC %p of the unloading driver is still queued", (void *)Dpc);
        }
    }
    KiReleaseDispatcherLock(OldIrql);
}
