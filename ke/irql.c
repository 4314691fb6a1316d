/*
 * ke/irql.c - the processor the code runs on, IRQL, the dispatcher lock,
 * and the delivery of pending software interrupts when IRQL allows it.
 *
 * IRQL is per processor. A thread switch only happens at DISPATCH_LEVEL, so
 * a thread's own IRQL is whatever it lowered to after it resumed.
 */
#include "ke/ke.h"
#include "rtl/rtl.h"

#if defined(NTPS_ASAN)
#include <sanitizer/asan_interface.h>
#endif

#include <sched.h>

KI_CONFIGURATION KiConfig;
ULONG KeNumberProcessors;
KPRCB *KiProcessorBlock[MAXIMUM_PROCESSORS];
KAFFINITY KeActiveProcessors;
volatile BOOLEAN KiShutdownRequested;

/* The processor block of the host thread. A fiber can move between host
 * threads, so the address of this variable must never be computed once and
 * reused across a switch: only KeGetCurrentPrcb reads it. */
__thread PKPRCB KiTlsPrcb;           /* read inline by KiCurrentIrql (ke.h) */

__attribute__((noinline, noipa)) PKPRCB KeGetCurrentPrcb(VOID)
{
    PKPRCB Prcb;
    __asm__ volatile("" ::: "memory");
    Prcb = KiTlsPrcb;
    return Prcb;
}

__attribute__((noinline, noipa)) VOID KiSetCurrentPrcb(PKPRCB Prcb)
{
    KiTlsPrcb = Prcb;
}

/* ---- IRQL ---------------------------------------------------------------- */

/* Out of line like KeGetCurrentPrcb, for the same reason, and reading the
 * processor block itself: it is on every DDI's IRQL check. */
__attribute__((noinline, noipa)) KIRQL KeGetCurrentIrql(VOID)
{
    PKPRCB Prcb;
    __asm__ volatile("" ::: "memory");
    Prcb = KiTlsPrcb;
    return Prcb != NULL ? Prcb->Irql : PASSIVE_LEVEL;     /* host code runs "at PASSIVE" */
}

KIRQL KfRaiseIrql(KIRQL NewIrql)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    KIRQL Old = Prcb->Irql;
    if (NewIrql < Old || NewIrql > HIGH_LEVEL)     /* verifier: KeRaiseIrql to a lower (or no) level */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x30, Old, NewIrql, 0);
    Prcb->Irql = NewIrql;
    return Old;
}

KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
    return KfRaiseIrql(DISPATCH_LEVEL);
}

KIRQL KeRaiseIrqlToSynchLevel(VOID)
{
    return KfRaiseIrql(SYNCH_LEVEL);
}

static inline BOOLEAN KiWorkPendingBelow(PKPRCB Prcb, KIRQL NewIrql)
{
    if (NewIrql < IPI_LEVEL && (__atomic_load_n(&Prcb->InterruptRequest, __ATOMIC_RELAXED) & KI_REQUEST_IPI))
        return TRUE;
    if (NewIrql >= DISPATCH_LEVEL)
        return FALSE;
    if (__atomic_load_n(&Prcb->InterruptRequest, __ATOMIC_RELAXED) != 0)
        return TRUE;
    return NewIrql == PASSIVE_LEVEL && Prcb->CurrentThread != NULL &&
           __atomic_load_n(&Prcb->CurrentThread->ApcState.KernelApcPending, __ATOMIC_RELAXED);
}

VOID KeLowerIrql(KIRQL NewIrql)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (NewIrql > Prcb->Irql)   /* verifier: KeLowerIrql to a higher level */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x31, Prcb->Irql, NewIrql, 0);
    if (NewIrql < DISPATCH_LEVEL && Prcb->DpcRoutineActive)    /* ... or below DISPATCH_LEVEL in a DPC */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x31, Prcb->Irql, NewIrql, 1);
    Prcb->Irql = NewIrql;
    if (KiWorkPendingBelow(Prcb, NewIrql))
        KiDeliverInterrupts(Prcb);
}

/* ---- the dispatcher lock ---------------------------------------------------- */

/* Holds the owning processor's number + 1, so that "does this processor
 * hold it" has an exact answer (a fault in kernel code under the lock is
 * an internal error, not an exception). */
static volatile LONG KiDispatcherLock;

static inline LONG KiLockOwnerValue(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    return Prcb != NULL ? (LONG)Prcb->Number + 1 : MAXIMUM_PROCESSORS + 1;
}

/* Prcb: the caller's processor (NULL: a host thread). */
static inline VOID KiAcquireDispatcherLockFor(PKPRCB Prcb)
{
    LONG Mine = Prcb != NULL ? (LONG)Prcb->Number + 1 : MAXIMUM_PROCESSORS + 1;
    if (KiConfig.Simulation) {
        /* One host thread: the lock is never held when another processor
         * steps, so contention here is a kernel bug. */
        if (KiDispatcherLock)
            KiInternalError("dispatcher lock contended in simulation");
        KiDispatcherLock = Mine;
        return;
    }
    for (ULONG Spins = 0;; Spins++) {
        LONG Free = 0;
        if (__atomic_compare_exchange_n(&KiDispatcherLock, &Free, Mine, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
        while (__atomic_load_n(&KiDispatcherLock, __ATOMIC_RELAXED)) {
            __builtin_ia32_pause();
            if (++Spins > 1024) {
                sched_yield();  /* the holder's host thread is descheduled */
                Spins = 0;
            }
        }
    }
}

VOID KiAcquireDispatcherLockAtDpcLevel(VOID)
{
    KiAcquireDispatcherLockFor(KeGetCurrentPrcb());
}

VOID KiReleaseDispatcherLockFromDpcLevel(VOID)
{
    __atomic_store_n(&KiDispatcherLock, 0, __ATOMIC_RELEASE);
}

/* Does the current processor hold the dispatcher lock? */
BOOLEAN KiDispatcherLockHeld(VOID)
{
    return __atomic_load_n(&KiDispatcherLock, __ATOMIC_RELAXED) == KiLockOwnerValue();
}

/* KfRaiseIrql(DISPATCH_LEVEL) and the lock, with one look at the
 * processor: the hot path of every signal and wait. */
KIRQL KiAcquireDispatcherLock(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    KIRQL Old = Prcb->Irql;
    if (Old > DISPATCH_LEVEL)   /* as KfRaiseIrql: raising to a lower level */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x30, Old, DISPATCH_LEVEL, 0);
    Prcb->Irql = DISPATCH_LEVEL;
    KiAcquireDispatcherLockFor(Prcb);
    return Old;
}

VOID KiReleaseDispatcherLock(KIRQL OldIrql)
{
    KiReleaseDispatcherLockFromDpcLevel();
    KeLowerIrql(OldIrql);
}

/* ---- software interrupts ------------------------------------------------------ */

/* Nonzero while some processor has work for its next preemption point.
 * Driver code compiled by `ntps cc` tests this word at every point; in
 * simulation the top bit stays set so that every point reaches the kernel. */
NTPS_EXPORT volatile ULONG_PTR __ntps_poll;
#define KI_POLL_SIMULATION ((ULONG_PTR)1 << 63)
/* --races: every point reaches the detector; the sign bit, as in
 * simulation, so that code built with both bodies runs the one with
 * memory points (ntps_points mode dual) */
#define KI_POLL_RACES KI_POLL_SIMULATION

VOID KiRequestSoftwareInterrupt(PKPRCB Prcb, LONG Request)
{
    __atomic_or_fetch(&Prcb->InterruptRequest, Request, __ATOMIC_SEQ_CST);
    __atomic_or_fetch(&__ntps_poll, Prcb->SetMember, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&Prcb->Sleeping, __ATOMIC_SEQ_CST)) {
        if (KiConfig.Simulation) {
            KiSimWakeProcessor(Prcb);
        } else {
            __atomic_add_fetch(&Prcb->IdleWord, 1, __ATOMIC_SEQ_CST);
            HalIdleWake(&Prcb->IdleWord);
        }
    }
}

static inline LONG KiTakeRequest(PKPRCB Prcb, LONG Request)
{
    return __atomic_fetch_and(&Prcb->InterruptRequest, ~Request, __ATOMIC_ACQ_REL) & Request;
}

VOID KiDispatchInterrupt(PKPRCB Prcb, LONG Requests);
BOOLEAN KiApcDeliverableNow(PKTHREAD Thread);

static VOID KiIpiServiceThunk(PVOID Context)
{
    (void)Context;
    KiIpiService(KeGetCurrentPrcb());
}

static VOID KiDeliverKernelApcsThunk(PVOID Context)
{
    (void)Context;
    KiDeliverApc(KernelMode);
}

/* Deliver what the current IRQL allows: interprocessor interrupts below
 * IPI_LEVEL, the clock below CLOCK_LEVEL, DPCs
 * and rescheduling below DISPATCH_LEVEL, kernel APCs at PASSIVE_LEVEL.
 * May switch threads; the caller's IRQL is restored on whichever processor
 * the thread resumes on. */
VOID KiDeliverInterrupts(PKPRCB Prcb)
{
    for (;;) {
        KIRQL Irql = Prcb->Irql;
        LONG Pending = __atomic_load_n(&Prcb->InterruptRequest, __ATOMIC_ACQUIRE);
        if (Pending & KI_REQUEST_FREEZE)
            for (;;) sched_yield();     /* a bug check owns the machine */
        if ((Pending & KI_REQUEST_IPI) && Irql < IPI_LEVEL && !KiDispatcherLockHeld() &&
            KiTakeRequest(Prcb, KI_REQUEST_IPI)) {
            KiCallFromUserMode(KiIpiServiceThunk, NULL);   /* KeIpiGenericCall (ke/ipi.c) */
            Prcb = KeGetCurrentPrcb();
            continue;
        }
        if ((Pending & KI_REQUEST_CLOCK) && Irql < CLOCK_LEVEL && KiTakeRequest(Prcb, KI_REQUEST_CLOCK)) {
            KiClockInterrupt(Prcb, KiQueryInterruptTime());
            continue;
        }
        if (Irql >= DISPATCH_LEVEL)
            return;
        LONG Work = Pending & (KI_REQUEST_DPC | KI_REQUEST_DISPATCH | KI_REQUEST_QUANTUM);
        if (Work) {
            Prcb->Irql = DISPATCH_LEVEL;
            Work = KiTakeRequest(Prcb, Work);
            if (Work & KI_REQUEST_DPC)
                KiRetireDpcList(Prcb);
            if (Work & (KI_REQUEST_DISPATCH | KI_REQUEST_QUANTUM))
                KiDispatchInterrupt(Prcb, Work);
            Prcb = KeGetCurrentPrcb();
            Prcb->Irql = Irql;
            continue;
        }
        KiTakeRequest(Prcb, KI_REQUEST_APC);
        if (Irql == PASSIVE_LEVEL && __atomic_load_n(&Prcb->CurrentThread->ApcState.KernelApcPending, __ATOMIC_RELAXED) &&
            KiApcDeliverableNow(Prcb->CurrentThread)) {
            /* kernel APCs run in kernel mode, on the kernel stack */
            KiCallFromUserMode(KiDeliverKernelApcsThunk, NULL);
            Prcb = KeGetCurrentPrcb();
            continue;
        }
        return;
    }
}

/* ---- preemption points ---------------------------------------------------------- */

/* A preemption point at Site (the driver's return address: what a
 * finding's preemption site names). */
static void KiPreemptionPoint(PKPRCB Prcb, ULONG_PTR Site)
{
    Prcb->CurrentThread->SpinCount++;
    if (KiConfig.Simulation) {
        KiSimPointSite = Site;
        KiSimPoint(Prcb, KiConfig.SimPointCost);
        return;
    }
    if (!(__atomic_load_n(&__ntps_poll, __ATOMIC_RELAXED) & Prcb->SetMember))
        return;
    __atomic_and_fetch(&__ntps_poll, ~Prcb->SetMember, __ATOMIC_SEQ_CST);
    KiDeliverInterrupts(Prcb);
}

/* Called by driver code at its preemption points when __ntps_poll != 0:
 * function entries and loop back-edges. In an image built with memory
 * points, exploration does not make them decisions (partial-order
 * reduction): from here to the image's next memory point or kernel entry
 * the thread touches only its own locals, which no other thread can see or
 * change, so preempting here reaches no state that preempting there does
 * not. They stay points: the clock, the fairness count and interrupts. */
NTPS_EXPORT void __ntps_preempt(void)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb == NULL)
        return;         /* not on a processor (host code calling a driver helper) */
    ULONG_PTR Site = (ULONG_PTR)__builtin_return_address(0);
    if (KiSimScheduleActive) {
        PRTL_MODULE Module = RtlpLookupModuleByAddress((PVOID)Site);
        KiSimPointNoChoice = Module != NULL && (Module->Flags & RTL_MODULE_MEMORY_POINTS) != 0;
    }
    KiPreemptionPoint(Prcb, Site);      /* KiSimPoint takes the flag at once */
}

/* Is Address on the stack the caller runs on: the running thread's, or
 * the processor's DPC stack during a DPC (or, under ASan, the fiber's fake
 * stack of escaped locals)? */
BOOLEAN KiAddressOnOwnStack(PKPRCB Prcb, PVOID Address)
{
    ULONG_PTR Frame = (ULONG_PTR)__builtin_frame_address(0), At = (ULONG_PTR)Address;
    const HAL_STACK *Stacks[2] = { &Prcb->CurrentThread->Stack, &Prcb->DpcStack };
    for (int i = 0; i < 2; i++)
        if (Frame >= (ULONG_PTR)Stacks[i]->Limit && Frame < (ULONG_PTR)Stacks[i]->Base)
            return At >= (ULONG_PTR)Stacks[i]->Limit && At < (ULONG_PTR)Stacks[i]->Base;
#if defined(NTPS_ASAN)
    return __asan_addr_is_in_fake_stack(__asan_get_current_fake_stack(), Address, NULL, NULL) != NULL;
#else
    return FALSE;
#endif
}

/* Under ASan, the plugin also sees the shadow bytes ASan's own code
 * writes when a function poisons its frame: not the driver's memory. */
static BOOLEAN KiSanitizerShadow(PVOID Address)
{
#if defined(NTPS_ASAN)
    size_t Scale, Offset;
    __asan_get_shadow_mapping(&Scale, &Offset);
    return (ULONG_PTR)Address >= Offset && (ULONG_PTR)Address <= (0x7fffffffffffULL >> Scale) + Offset;
#else
    UNREFERENCED_PARAMETER(Address);
    return FALSE;
#endif
}

/* A memory-access point: the access goes to the race detector when it is
 * on, then the point is what __ntps_preempt makes of it; a plain access to
 * the thread's own stack is not a point (partial-order reduction: no other
 * thread's order against it can matter, unless the local escaped, and
 * escaped locals shared on purpose are accessed atomically or volatile). */
NTPS_EXPORT void __ntps_race_access(void *Address, unsigned long Info, const char *Site)
{
    if (KiSanitizerShadow(Address))
        return;
    if (KiRaceHooks.Access != NULL && Address != NULL)
        KiRaceHooks.Access(Address, Info, Site, __builtin_return_address(0));
    if (Info & KI_RACE_NO_POINT)
        return;
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb == NULL)
        return;
    if (!(Info & KI_RACE_ATOMIC) && KiAddressOnOwnStack(Prcb, Address))
        return;
    KiPreemptionPoint(Prcb, (ULONG_PTR)__builtin_return_address(0));
}

/* The fallback instrumentation (-fsanitize-coverage=trace-pc) calls this at
 * every basic block. */
NTPS_EXPORT void __sanitizer_cov_trace_pc(void)
{
    if (__atomic_load_n(&__ntps_poll, __ATOMIC_RELAXED))
        __ntps_preempt();
}

VOID KiKernelEntry(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (KiConfig.Simulation) {
        KiSimPointSite = (ULONG_PTR)__builtin_return_address(0);
        KiSimPoint(Prcb, KiConfig.SimKernelEntryCost);
        return;
    }
    if (__atomic_load_n(&__ntps_poll, __ATOMIC_RELAXED) & Prcb->SetMember) {
        __atomic_and_fetch(&__ntps_poll, ~Prcb->SetMember, __ATOMIC_SEQ_CST);
        KiDeliverInterrupts(Prcb);
    }
}

VOID KiEnableSimulationPolling(BOOLEAN Enable)
{
    if (Enable)
        __atomic_or_fetch(&__ntps_poll, KI_POLL_SIMULATION, __ATOMIC_SEQ_CST);
    else
        __atomic_store_n(&__ntps_poll, KiRaceHooks.Access != NULL ? KI_POLL_RACES : 0, __ATOMIC_SEQ_CST);
}


KI_RACE_HOOKS KiRaceHooks;
UCHAR KiRaceAllEnded;
