/*
 * ke/sched.c - the scheduler: 32 FIFO ready queues with a summary bitmap,
 * choosing a processor for a readied thread, preemption, quantum end,
 * priority boosts and their decay, yielding, and the context switch.
 *
 * Everything here runs with the dispatcher lock held at DISPATCH_LEVEL.
 */
#include "ke/ke.h"

static LIST_ENTRY KiReadyQueue[32];
static ULONG KiReadySummary;        /* bit n: queue n is not empty */
static KAFFINITY KiIdleSummary;     /* processors running their idle thread */

VOID KiInitializeScheduler(VOID)
{
    for (int i = 0; i < 32; i++)
        InitializeListHead(&KiReadyQueue[i]);
    KiReadySummary = 0;
    KiIdleSummary = 0;
}

static VOID KiInsertReadyQueue(PKTHREAD Thread)
{
    PLIST_ENTRY Queue = &KiReadyQueue[Thread->Priority];
    if (Thread->Preempted)
        InsertHeadList(Queue, &Thread->ReadyListEntry);
    else
        InsertTailList(Queue, &Thread->ReadyListEntry);
    Thread->Preempted = FALSE;
    KiReadySummary |= 1u << Thread->Priority;
}

static VOID KiRemoveReadyQueue(PKTHREAD Thread)
{
    if (RemoveEntryList(&Thread->ReadyListEntry))
        KiReadySummary &= ~(1u << Thread->Priority);
}

/* The first ready thread, in priority then FIFO order, that may run on
 * Prcb and has at least MinPriority. It stays queued. */
static PKTHREAD KiFindReadyThread(PKPRCB Prcb, LONG MinPriority)
{
    if (MinPriority > 31)
        return NULL;
    ULONG Summary = KiReadySummary & ~((1u << MinPriority) - 1);
    while (Summary != 0) {
        ULONG Priority = 31 - __builtin_clz(Summary);
        PLIST_ENTRY Queue = &KiReadyQueue[Priority];
        for (PLIST_ENTRY E = Queue->Flink; E != Queue; E = E->Flink) {
            PKTHREAD Thread = CONTAINING_RECORD(E, KTHREAD, ReadyListEntry);
            if (Thread->Affinity & Prcb->SetMember)
                return Thread;
        }
        Summary &= ~(1u << Priority);
    }
    return NULL;
}

static ULONG KiPickProcessor(KAFFINITY Set, ULONG Preferred)
{
    if (Set & ((KAFFINITY)1 << Preferred))
        return Preferred;
    if (KiConfig.Simulation) {
        /* Which of several equally good processors: a seeded choice. */
        ULONG Count = __builtin_popcountl(Set);
        ULONG Pick = (ULONG)KiSimChoose(Count);
        while (Pick--)
            Set &= Set - 1;
    }
    return __builtin_ctzl(Set);
}

/* Make Thread ready and get a processor to look at it: an idle one if any
 * may run it, else the one running the lowest-priority thread below it. */
VOID KiReadyThread(PKTHREAD Thread)
{
    Thread->State = Ready;
    KiInsertReadyQueue(Thread);

    KAFFINITY Candidates = Thread->Affinity & KeActiveProcessors;
    KAFFINITY Idle = KiIdleSummary & Candidates;
    if (Idle != 0) {
        ULONG Target = KiPickProcessor(Idle, Thread->NextProcessor);
        KiIdleSummary &= ~((KAFFINITY)1 << Target);    /* claimed for this thread */
        KiRequestSoftwareInterrupt(KiProcessorBlock[Target], KI_REQUEST_DISPATCH);
        return;
    }
    PKPRCB Lowest = NULL;
    for (KAFFINITY Set = Candidates; Set != 0; Set &= Set - 1) {
        PKPRCB Prcb = KiProcessorBlock[__builtin_ctzl(Set)];
        SCHAR Running = Prcb->CurrentThread->Priority;
        if (Running >= Thread->Priority)
            continue;
        if (Lowest == NULL || Running < Lowest->CurrentThread->Priority ||
            (Running == Lowest->CurrentThread->Priority && Prcb->Number == Thread->NextProcessor))
            Lowest = Prcb;
    }
    if (Lowest != NULL)
        KiRequestSoftwareInterrupt(Lowest, KI_REQUEST_DISPATCH);
}

/* ---- the context switch --------------------------------------------------------- */

VOID (*KiTraceSwitchHook)(PKPRCB Prcb, PKTHREAD Old, PKTHREAD New);

/* Runs first thing on the thread that was switched to: the switcher left
 * the dispatcher lock held so that nobody could resume the old thread
 * before its context was saved. */
VOID KiAfterSwitch(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD Reap = Prcb->DeferredReap;
    Prcb->DeferredReap = NULL;
    KiReleaseDispatcherLockFromDpcLevel();
    if (Reap != NULL)
        KiThreadReaper(Reap);
}

static VOID KiSwitchTo(PKPRCB Prcb, PKTHREAD Old, PKTHREAD New)
{
    /* Run time is charged by the clock interrupt to whichever thread it
     * finds running, as NT's tick accounting does: no clock read here. */
    New->State = Running;
    New->NextProcessor = (UCHAR)Prcb->Number;
    if (New->QuantumRemaining <= 0)
        New->QuantumRemaining = (LONGLONG)KiConfig.Quantum;
    Prcb->CurrentThread = New;
    if (New == Prcb->IdleThread)
        KiIdleSummary |= Prcb->SetMember;
    else
        KiIdleSummary &= ~Prcb->SetMember;
    Prcb->ContextSwitches++;
    New->ContextSwitches++;
    if (New->ApcState.KernelApcPending)
        __atomic_or_fetch(&Prcb->InterruptRequest, KI_REQUEST_APC, __ATOMIC_RELAXED);
    if (__builtin_expect(KiTraceSwitchHook != NULL, 0))
        KiTraceSwitchHook(Prcb, Old, New);
    if (KiConfig.Simulation)
        KiSimTrace(KI_TRACE_SWITCH, Prcb->Number, New->Serial);
    else if ((Old->VerifierCallbacks != NULL || New->VerifierCallbacks != NULL) && KiVerifierHooks.SwitchThread)
        KiVerifierHooks.SwitchThread(Old, New);    /* the run time of a callback (vf) */

    if (Old->State == Terminated) {
        Prcb->DeferredReap = Old;
        HalSwitchContextFinal(&Old->Context, &New->Context);
    }
    HalSwitchContext(&Old->Context, &New->Context);
    KiAfterSwitch();
}

/* Current has been made Waiting, Ready (and queued) or Terminated: run the
 * best thread for this processor, which may be Current itself. Returns on
 * whatever processor Current resumes on, lock released, at DISPATCH_LEVEL. */
NTSTATUS KiSwapThread(PKTHREAD Current, PKPRCB Prcb)
{
    PKTHREAD Next = KiFindReadyThread(Prcb, 0);
    if (Next != NULL)
        KiRemoveReadyQueue(Next);
    else
        Next = Prcb->IdleThread;
    if (Next == Current) {
        Current->State = Running;
        KiReleaseDispatcherLockFromDpcLevel();
        return Current->WaitStatus;
    }
    KiSwitchTo(Prcb, Current, Next);
    return Current->WaitStatus;
}

/* The idle thread looks for work; returns TRUE if it ran something. */
BOOLEAN KiIdleSchedule(PKPRCB Prcb)
{
    KiAcquireDispatcherLockAtDpcLevel();
    PKTHREAD Next = KiFindReadyThread(Prcb, 0);
    if (Next == NULL) {
        KiIdleSummary |= Prcb->SetMember;
        KiReleaseDispatcherLockFromDpcLevel();
        return FALSE;
    }
    KiRemoveReadyQueue(Next);
    KiSwitchTo(Prcb, Prcb->IdleThread, Next);
    return TRUE;
}

/* ---- quantum, preemption, priorities ---------------------------------------------------- */

static VOID KiDecayPriority(PKTHREAD Thread)
{
    if (Thread->Priority > Thread->BasePriority && Thread->Priority < LOW_REALTIME_PRIORITY)
        Thread->Priority--;
}

/* DISPATCH_LEVEL software interrupt: a better thread may be ready, or the
 * current thread's quantum ended. */
VOID KiDispatchInterrupt(PKPRCB Prcb, LONG Requests)
{
    KiAcquireDispatcherLockAtDpcLevel();
    PKTHREAD Current = Prcb->CurrentThread;
    if (Current == Prcb->IdleThread) {
        KiReleaseDispatcherLockFromDpcLevel();  /* the idle loop schedules */
        return;
    }
    if (!(Current->Affinity & Prcb->SetMember)) {
        /* Its affinity no longer includes this processor: it must move. */
        PKTHREAD Next = KiFindReadyThread(Prcb, 0);
        if (Next != NULL)
            KiRemoveReadyQueue(Next);
        else
            Next = Prcb->IdleThread;
        KiReadyThread(Current);
        KiSwitchTo(Prcb, Current, Next);
        return;
    }
    BOOLEAN QuantumEnd = (Requests & KI_REQUEST_QUANTUM) && Current->QuantumRemaining <= 0;
    if (QuantumEnd) {
        KiDecayPriority(Current);
        Current->QuantumRemaining = (LONGLONG)KiConfig.Quantum;
    }
    /* Quantum end yields to an equal priority; otherwise only a higher one preempts. */
    PKTHREAD Next = KiFindReadyThread(Prcb, Current->Priority + (QuantumEnd ? 0 : 1));
    if (Next == NULL) {
        KiReleaseDispatcherLockFromDpcLevel();
        return;
    }
    KiRemoveReadyQueue(Next);
    Current->Preempted = !QuantumEnd;
    /* Readied, not only queued: an idle processor it may run on takes it
     * (otherwise a thread that spins at DISPATCH_LEVEL here would keep it
     * from running while another processor idles). */
    KiReadyThread(Current);
    KiSwitchTo(Prcb, Current, Next);
}

/* An early quantum end chosen by the simulation's seed: switch to a ready
 * thread of the same priority, as a real quantum end would. */
/* Current gives the processor to Next and goes to the tail of its ready
 * queue with a fresh quantum, as at a quantum end. */
static VOID KiYieldTo(PKPRCB Prcb, PKTHREAD Current, PKTHREAD Next)
{
    KiRemoveReadyQueue(Next);
    Current->Preempted = FALSE;
    Current->QuantumRemaining = (LONGLONG)KiConfig.Quantum;
    KiReadyThread(Current);     /* an idle processor may take it */
    KiSwitchTo(Prcb, Current, Next);
}

BOOLEAN KiYieldIfReady(PKTHREAD Current, PKPRCB Prcb)
{
    PKTHREAD Next = KiFindReadyThread(Prcb, Current->Priority);
    if (Next == NULL || Next->Priority != Current->Priority)
        return FALSE;
    KiYieldTo(Prcb, Current, Next);
    return TRUE;
}

/* A satisfied wait boosts a variable-priority thread by Increment, up to
 * 15; the boost decays by one level each quantum end. */
VOID KiBoostPriority(PKTHREAD Thread, KPRIORITY Increment)
{
    if (Thread->BasePriority >= LOW_REALTIME_PRIORITY || Increment <= 0)
        return;
    LONG Boosted = Thread->BasePriority + Increment;
    if (Boosted > LOW_REALTIME_PRIORITY - 1)
        Boosted = LOW_REALTIME_PRIORITY - 1;
    if (Boosted > Thread->Priority) {
        Thread->Priority = (SCHAR)Boosted;
        Thread->QuantumRemaining = (LONGLONG)KiConfig.Quantum;
    }
}

/* Change a thread's priority wherever it is: requeue a ready thread,
 * reschedule if the change lets another thread run. */
VOID KiSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority)
{
    if (Thread->Priority == Priority)
        return;
    SCHAR Old = Thread->Priority;
    switch (Thread->State) {
    case Ready:
        KiRemoveReadyQueue(Thread);
        Thread->Priority = (SCHAR)Priority;
        KiReadyThread(Thread);
        break;
    case Running: {
        Thread->Priority = (SCHAR)Priority;
        if (Priority < Old)     /* lowering may let a ready thread in */
            KiRequestSoftwareInterrupt(KiProcessorBlock[Thread->NextProcessor], KI_REQUEST_DISPATCH);
        break;
    }
    default:
        Thread->Priority = (SCHAR)Priority;
        break;
    }
}

/* A running thread whose affinity no longer includes its processor moves. */
VOID KiCheckAffinity(PKTHREAD Thread)
{
    if (Thread->State == Running && !(Thread->Affinity & KiProcessorBlock[Thread->NextProcessor]->SetMember))
        KiRequestSoftwareInterrupt(KiProcessorBlock[Thread->NextProcessor], KI_REQUEST_DISPATCH);
    else if (Thread->State == Ready) {
        KiRemoveReadyQueue(Thread);
        KiReadyThread(Thread);
    }
}

/* Is any thread of at least MinPriority ready that Prcb could run? */
BOOLEAN KiReadyThreadExists(PKPRCB Prcb, LONG MinPriority)
{
    return KiFindReadyThread(Prcb, MinPriority) != NULL;
}

/* The thread a yield at MinPriority would run (exploration's candidates). */
PKTHREAD KiPeekReadyThread(PKPRCB Prcb, LONG MinPriority)
{
    return KiFindReadyThread(Prcb, MinPriority);
}

/* ZwYieldExecution (AnyPriority) hands the processor to any ready thread
 * that may run here; a zero delay (not AnyPriority) only to one of the same
 * or higher priority. The yielder goes to the tail of its ready queue. */
NTSTATUS KiYieldExecution(BOOLEAN AnyPriority)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD Current = Prcb->CurrentThread;
    PKTHREAD Next = KiFindReadyThread(Prcb, AnyPriority ? 0 : Current->Priority);
    if (Next == NULL) {
        KiReleaseDispatcherLock(OldIrql);
        return STATUS_NO_YIELD_PERFORMED;
    }
    KiYieldTo(Prcb, Current, Next);
    KeLowerIrql(OldIrql);
    return STATUS_SUCCESS;
}
