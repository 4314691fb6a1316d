/*
 * ke/sim.c - simulation mode: every processor on one host thread, a
 * virtual clock, and one seeded choice source for every decision the
 * kernel makes that Windows leaves to timing.
 *
 * The virtual clock (100 ns units) advances by a fixed cost at each
 * preemption point and kernel entry, and jumps to the next timer when every
 * processor is idle; so quantum ends and timer expiries fall at the same
 * point on every replay. Seeded decisions:
 *   - which processor steps next: after a seeded number of points the
 *     running processor hands the host thread to a seeded choice among the
 *     processors that have work;
 *   - early quantum ends: after a seeded number of points, a thread below
 *     DISPATCH_LEVEL yields to a ready thread of its own priority, as a real
 *     quantum end could have made it;
 *   - ties: which of several idle processors takes a readied thread.
 * Both counts are drawn uniformly from [1, 2*mean - 1]. A hash of every
 * switch, step, choice and timer expiry (with the virtual time) proves that
 * two runs took the same path.
 */
#include "ke/ke.h"

#define KI_SIM_SPIN_COST 10     /* a spin-lock spin costs 1 us of virtual time */

static ULONGLONG KiSimClock;
static ULONGLONG KiSimState[4];     /* xoshiro256** */
static LONG KiSimStepCountdown;
static ULONG KiSimRunLength;        /* points since the host thread last changed processor */
static LONG KiSimPreemptCountdown[MAXIMUM_PROCESSORS];
static ULONGLONG KiSimHash = 0xcbf29ce484222325ULL;
static ULONGLONG KiSimEventCount;
static BOOLEAN KiSimStopped[MAXIMUM_PROCESSORS];
HAL_CONTEXT KiSimHostContext;
VOID (*KiStallHook)(VOID);

static ULONGLONG KiSplitMix(ULONGLONG *X)
{
    ULONGLONG Z = (*X += 0x9E3779B97F4A7C15ULL);
    Z = (Z ^ (Z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    Z = (Z ^ (Z >> 27)) * 0x94D049BB133111EBULL;
    return Z ^ (Z >> 31);
}

static inline ULONGLONG KiRotl(ULONGLONG X, int K)
{
    return (X << K) | (X >> (64 - K));
}

static ULONGLONG KiSimNext(VOID)
{
    ULONGLONG *S = KiSimState;
    ULONGLONG Result = KiRotl(S[1] * 5, 7) * 9;
    ULONGLONG T = S[1] << 17;
    S[2] ^= S[0];
    S[3] ^= S[1];
    S[1] ^= S[2];
    S[0] ^= S[3];
    S[2] ^= T;
    S[3] = KiRotl(S[3], 45);
    return Result;
}

VOID KiSimTrace(ULONG Kind, ULONG_PTR A, ULONG_PTR B)
{
    ULONGLONG Words[4] = { Kind, A, B, KiSimClock };
    const UCHAR *Bytes = (const UCHAR *)Words;
    for (SIZE_T i = 0; i < sizeof(Words); i++) {
        KiSimHash ^= Bytes[i];
        KiSimHash *= 0x100000001b3ULL;
    }
    KiSimEventCount++;
}

/* A choice among Bound alternatives; Candidates: the thread each would
 * run, for exploration's policies (NULL: a tie with no thread to weigh). */
static ULONGLONG KiSimChooseAmong(ULONGLONG Bound, PKTHREAD const *Candidates)
{
    if (Bound <= 1)
        return 0;
    ULONGLONG Choice = KiSimScheduleActive ? KiSimDecide((ULONG)Bound, Candidates, FALSE) : KiSimNext() % Bound;
    KiSimTrace(KI_TRACE_CHOICE, (ULONG_PTR)Bound, (ULONG_PTR)Choice);
    return Choice;
}

static LONG KiSimDraw(ULONG Mean)
{
    if (Mean <= 1)
        return 1;
    return (LONG)(1 + KiSimNext() % (2ULL * Mean - 1));
}

ULONGLONG KiSimChoose(ULONGLONG Bound)
{
    return KiSimChooseAmong(Bound, NULL);
}

ULONGLONG KiSimTraceHash(VOID) { return KiSimHash; }
ULONGLONG KiSimTraceEvents(VOID) { return KiSimEventCount; }
ULONGLONG KiSimNow(VOID) { return KiSimClock; }

VOID KiSimInitialize(VOID)
{
    ULONGLONG X = KiConfig.Seed;
    for (int i = 0; i < 4; i++)
        KiSimState[i] = KiSplitMix(&X);
    KiSimClock = 0;
    KiSimScheduleActive = FALSE;
    KiSimRunLength = 0;
    KiSimHash = 0xcbf29ce484222325ULL;
    KiSimEventCount = 0;
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++)
        KiSimStopped[i] = FALSE;
    KiSimStepCountdown = KiSimDraw(KiConfig.SimStepMean);
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++)
        KiSimPreemptCountdown[i] = KiSimDraw(KiConfig.SimPreemptMean);
}

VOID KiSimWakeProcessor(PKPRCB Prcb)
{
    __atomic_store_n(&Prcb->Sleeping, FALSE, __ATOMIC_RELAXED);
}

/* Hand the host thread to processor To, which resumes wherever it was. */
static VOID KiSimSwitchProcessor(PKPRCB From, PKPRCB To)
{
    if (From == To)
        return;
    PKTHREAD Current = From->CurrentThread, Next = To->CurrentThread;
    KiSimTrace(KI_TRACE_STEP, To->Number, Next->Serial);
    KiSimRunLength = 0;
    KiSetCurrentPrcb(To);
    HalSwitchContext(&Current->Context, &Next->Context);
}

/* The processors that have something to do, besides Exclude. */
static KAFFINITY KiSimRunnable(PKPRCB Exclude)
{
    KAFFINITY Set = 0;
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        PKPRCB Prcb = KiProcessorBlock[i];
        if (Prcb != Exclude && !Prcb->Sleeping && !KiSimStopped[i])
            Set |= Prcb->SetMember;
    }
    return Set;
}

/* The thread a processor would run if it stepped (NULL: its idle thread). */
static PKTHREAD KiSimRunning(PKPRCB Prcb)
{
    return Prcb->CurrentThread == Prcb->IdleThread ? NULL : Prcb->CurrentThread;
}

static PKPRCB KiSimPick(KAFFINITY Set)
{
    PKTHREAD Candidates[MAXIMUM_PROCESSORS];
    ULONG Count = 0;
    for (KAFFINITY Rest = Set; Rest != 0; Rest &= Rest - 1)
        Candidates[Count++] = KiSimRunning(KiProcessorBlock[__builtin_ctzl(Rest)]);
    ULONG Pick = (ULONG)KiSimChooseAmong(Count, Candidates);
    while (Pick--)
        Set &= Set - 1;
    return KiProcessorBlock[__builtin_ctzl(Set)];
}

/* Let a seeded choice of the runnable processors (this one included) step. */
static VOID KiSimStep(PKPRCB Prcb)
{
    KAFFINITY Set = KiSimRunnable(NULL) | Prcb->SetMember;
    if (__builtin_popcountl(Set) > 1)
        KiSimSwitchProcessor(Prcb, KiSimPick(Set));
}

/* Time passes: charge the running thread's quantum and notice due timers. */
static VOID KiSimAdvance(PKPRCB Prcb, ULONG Cost)
{
    KiSimClock += Cost;
    PKTHREAD Thread = Prcb->CurrentThread;
    if (Thread->InUserMode)
        Thread->UserTime += Cost;
    else
        Thread->KernelTime += Cost;
    if (Thread != Prcb->IdleThread && Prcb->Irql < CLOCK_LEVEL) {
        Thread->QuantumRemaining -= Cost;
        if (Thread->QuantumRemaining <= 0)
            KiRequestSoftwareInterrupt(Prcb, KI_REQUEST_QUANTUM);
    }
    if (Prcb->DpcRoutineActive)
        KiCheckDpcWatchdog(Prcb, KiSimClock);
    if (KiSimClock >= KiNextTimerDueTime()) {
        ULONG Target = KiNextTimerProcessorNumber();
        PKPRCB TimerPrcb = Target < KeNumberProcessors ? KiProcessorBlock[Target] : Prcb;
        if (!(TimerPrcb->InterruptRequest & KI_REQUEST_DPC))
            KiRequestSoftwareInterrupt(TimerPrcb, KI_REQUEST_DPC);
    }
}

/* Exploration: a processor that ran this many points while others had work
 * hands over (round robin, not a decision), so a policy that never
 * preempts cannot starve a thread that another one spins for. */
#define KI_SIM_FAIR_POINTS 4096

/* A point under an exploration schedule: one decision among going on,
 * stepping another runnable processor, and yielding to a ready thread of
 * the same priority. Returns the processor the caller now runs on. */
static PKPRCB KiSimSchedulePoint(PKPRCB Prcb, BOOLEAN NoChoice)
{
    if (KiSimRecorder != NULL)
        KiSimRecorder->Points++;
    PKPRCB Others[MAXIMUM_PROCESSORS];
    PKTHREAD Candidates[MAXIMUM_PROCESSORS + 2];
    ULONG Count = 0;
    Candidates[0] = KiSimRunning(Prcb);
    if (KeNumberProcessors > 1)
        for (KAFFINITY Set = KiSimRunnable(Prcb); Set != 0; Set &= Set - 1) {
            Others[Count] = KiProcessorBlock[__builtin_ctzl(Set)];
            if (KiSimRunning(Others[Count]) == NULL && Others[Count]->InterruptRequest == 0)
                continue;   /* idle with nothing to do: stepping it only puts it to sleep */
            Candidates[Count + 1] = KiSimRunning(Others[Count]);
            Count++;
        }
    PKTHREAD Ready = NULL;
    if (Prcb->Irql < DISPATCH_LEVEL && Candidates[0] != NULL) {
        Ready = KiPeekReadyThread(Prcb, Prcb->CurrentThread->Priority);
        if (Ready != NULL && Ready->Priority != Prcb->CurrentThread->Priority)
            Ready = NULL;
    }
    ULONG Bound = 1 + Count + (Ready != NULL);
    if (Ready != NULL)
        Candidates[Bound - 1] = Ready;
    ULONG Choice = 0;
    if (Count != 0 && ++KiSimRunLength >= KI_SIM_FAIR_POINTS) {
        Choice = 1;     /* the next processor after this one, round robin */
        for (ULONG i = 0; i < Count; i++)
            if (Others[i]->Number > Prcb->Number) {
                Choice = i + 1;
                break;
            }
    } else if (Bound > 1 && !NoChoice) {
        Choice = KiSimDecide(Bound, Candidates, TRUE);
        if (Choice != 0)
            KiSimNotePreemption();
    }
    if (Choice == 0)
        return Prcb;
    if (Choice <= Count) {
        KiSimSwitchProcessor(Prcb, Others[Choice - 1]);
        return KeGetCurrentPrcb();
    }
    KIRQL OldIrql = KiAcquireDispatcherLock();
    if (!KiYieldIfReady(KiCurrentThread(), KeGetCurrentPrcb()))
        KiReleaseDispatcherLockFromDpcLevel();
    KeLowerIrql(OldIrql);
    return KeGetCurrentPrcb();
}

BOOLEAN KiSimPointNoChoice;

/* A preemption point or kernel entry in simulation. */
VOID KiSimPoint(PKPRCB Prcb, ULONG Cost)
{
    BOOLEAN NoChoice = KiSimPointNoChoice;     /* this point's, before anything can switch */
    KiSimPointNoChoice = FALSE;
    if (__atomic_load_n(&KiBugCheckActive, __ATOMIC_RELAXED))
        return;     /* the bug check's callbacks run: no other processor steps */
    if (KiDispatcherLockHeld())
        KiInternalError("preemption point reached with the dispatcher lock held");
    KiSimAdvance(Prcb, Cost);
    if (KiSimScheduleActive) {
        Prcb = KiSimSchedulePoint(Prcb, NoChoice);
        if (Prcb->InterruptRequest != 0)
            KiDeliverInterrupts(Prcb);
        return;
    }

    LONG *Countdown = &KiSimPreemptCountdown[Prcb->Number];
    if (KiConfig.SimPreemptMean != 0 && --*Countdown <= 0) {
        *Countdown = KiSimDraw(KiConfig.SimPreemptMean);
        if (Prcb->Irql < DISPATCH_LEVEL && Prcb->CurrentThread != Prcb->IdleThread &&
            KiReadyThreadExists(Prcb, Prcb->CurrentThread->Priority)) {
            KIRQL OldIrql = KiAcquireDispatcherLock();
            PKTHREAD Current = KiCurrentThread();
            if (!KiYieldIfReady(Current, KeGetCurrentPrcb()))
                KiReleaseDispatcherLockFromDpcLevel();
            KeLowerIrql(OldIrql);
            Prcb = KeGetCurrentPrcb();
        }
    }
    if (KeNumberProcessors > 1 && --KiSimStepCountdown <= 0) {
        KiSimStepCountdown = KiSimDraw(KiConfig.SimStepMean);
        KiSimStep(Prcb);
        Prcb = KeGetCurrentPrcb();
    }
    if (Prcb->InterruptRequest != 0)
        KiDeliverInterrupts(Prcb);
}

/* A processor spins on a held spin lock: time passes and another
 * processor gets the host thread, so the holder can release it. */
VOID KiSimSpin(PKPRCB Prcb)
{
    if (__atomic_load_n(&KiBugCheckActive, __ATOMIC_RELAXED))
        return;
    KiSimAdvance(Prcb, KI_SIM_SPIN_COST);
    KAFFINITY Others = KiSimRunnable(Prcb);
    if (Others != 0)
        KiSimSwitchProcessor(Prcb, KiSimPick(Others));
}

static DECLSPEC_NORETURN VOID KiSimStall(VOID)
{
    if (KiStallHook != NULL)
        KiStallHook();
    KiInternalError("simulation stalled: every thread waits and no timer is set");
}

/* The idle loop of Prcb found nothing to do: halt it and step another
 * processor; when none has work, jump the clock to the next timer. */
VOID KiSimIdle(PKPRCB Prcb)
{
    Prcb->Sleeping = TRUE;
    for (;;) {
        KAFFINITY Set = KiSimRunnable(NULL);
        if (Set != 0) {
            KiSimSwitchProcessor(Prcb, KiSimPick(Set));
            return;     /* resumed: something woke this processor */
        }
        if (__atomic_load_n(&KiShutdownRequested, __ATOMIC_ACQUIRE)) {
            Prcb->Sleeping = FALSE;
            return;
        }
        ULONGLONG Due = KiNextTimerDueTime();
        if (Due == ~0ULL && KiSimQuiet())
            continue;   /* the host made something happen */
        if (Due == ~0ULL)
            KiSimStall();
        if (Due > KiSimClock)
            KiSimClock = Due;
        ULONG Target = KiNextTimerProcessorNumber();
        KiRequestSoftwareInterrupt(KiProcessorBlock[Target < KeNumberProcessors ? Target : 0], KI_REQUEST_DPC);
    }
}

/* Processor Prcb leaves the simulation at shutdown; the last one returns
 * to the host thread that booted the kernel. */
VOID KiSimProcessorExit(PKPRCB Prcb)
{
    KiSimStopped[Prcb->Number] = TRUE;
    KAFFINITY Set = 0;
    for (ULONG i = 0; i < KeNumberProcessors; i++)
        if (!KiSimStopped[i])
            Set |= KiProcessorBlock[i]->SetMember;
    if (Set != 0) {
        PKPRCB Next = KiSimPick(Set);
        Next->Sleeping = FALSE;
        KiSetCurrentPrcb(Next);
        HalSwitchContext(&Prcb->IdleThread->Context, &Next->CurrentThread->Context);
    } else {
        HalSwitchContext(&Prcb->IdleThread->Context, &KiSimHostContext);
    }
    KiInternalError("a stopped processor resumed");
}
