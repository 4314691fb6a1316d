/*
 * ke/idle.c - processor blocks, booting the processors, the idle loop and
 * shutdown; and the processor DDIs.
 *
 * Realtime: each processor is a host thread that switches from its own
 * stack into its idle thread and back at shutdown. Simulation: the booting
 * host thread switches into processor 0's idle thread, and processors pass
 * the host thread among themselves (ke/sim.c).
 */
#include "ke/ke.h"

#include <string.h>

VOID KiInitializeScheduler(VOID);
VOID KiInitializeTimers(VOID);
VOID KiInitializeClock(VOID);
VOID KiStartClock(VOID);
VOID KiStopClock(VOID);
VOID KiEnableSimulationPolling(BOOLEAN Enable);
VOID KiInitializeIdleThread(PKTHREAD Thread, PKPROCESS Process, PKPRCB Prcb);
VOID KiSimProcessorExit(PKPRCB Prcb);
VOID KiInstallTrapHandlers(VOID);
extern HAL_CONTEXT KiSimHostContext;

static KPRCB KiPrcbStorage[MAXIMUM_PROCESSORS];

/* Phase 0: processor blocks, scheduler, timers, clock. Runs on the host
 * thread before any NT thread exists. */
VOID KeInitializeKernel(VOID)
{
    if (KiConfig.ProcessorCount == 0 || KiConfig.ProcessorCount > MAXIMUM_PROCESSORS)
        KiInternalError("processor count %u out of range 1..%u", KiConfig.ProcessorCount, MAXIMUM_PROCESSORS);
    if (KiConfig.ClockInterval == 0)
        KiConfig.ClockInterval = 156250;
    if (KiConfig.Quantum == 0)
        KiConfig.Quantum = 2 * KiConfig.ClockInterval;
    KeNumberProcessors = KiConfig.ProcessorCount;
    KeActiveProcessors = 0;
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        PKPRCB Prcb = &KiPrcbStorage[i];
        memset(Prcb, 0, sizeof(*Prcb));     /* the kernel may boot again in one process */
        Prcb->Number = i;
        Prcb->SetMember = (KAFFINITY)1 << i;
        Prcb->Irql = DISPATCH_LEVEL;
        InitializeListHead(&Prcb->DpcListHead);
        if (!HalAllocateStack(&Prcb->DpcStack, HAL_KERNEL_STACK_SIZE))
            KiInternalError("cannot allocate the DPC stack of processor %u", i);
        KiProcessorBlock[i] = Prcb;
        KeActiveProcessors |= Prcb->SetMember;
    }
    KiInitializeScheduler();
    KiInitializeTimers();
    KiInitializeClock();
    KiEnableSimulationPolling(KiConfig.Simulation);
    if (KiConfig.Simulation)
        KiSimInitialize();
    KiInstallTrapHandlers();
    /* The booting host thread acts on processor 0 until the processors run. */
    KiSetCurrentPrcb(KiProcessorBlock[0]);
    KiProcessorBlock[0]->Irql = PASSIVE_LEVEL;
}

VOID KeCreateIdleThreads(PKPROCESS IdleProcess, PKTHREAD *IdleThreads)
{
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        PKPRCB Prcb = KiProcessorBlock[i];
        KiInitializeIdleThread(IdleThreads[i], IdleProcess, Prcb);
        Prcb->IdleThread = Prcb->CurrentThread = IdleThreads[i];
    }
}

/* ---- the idle loop -------------------------------------------------------------- */

/* An idle processor polls for a while before it sleeps: waking a sleeping
 * host thread costs a system call on each side, which would dominate
 * cross-processor hand-offs. */
#define KI_IDLE_SPIN_100NS 500      /* 50 us */

/* ---- a quiet system ---------------------------------------------------------- */

/* Registered by the host: called on an idle processor when nothing can ever
 * happen again by itself: every processor idle, no request or DPC pending
 * anywhere, no timer set (every thread, if any, waits without a timeout).
 * It returns TRUE if it made something happen (readied a thread). */
BOOLEAN (*KiQuietHook)(VOID);
static volatile LONG KiSleepingProcessors;

static BOOLEAN KiNothingPending(VOID)
{
    if (KiNextTimerDueTime() != ~0ULL)
        return FALSE;
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        PKPRCB Prcb = KiProcessorBlock[i];
        if (__atomic_load_n(&Prcb->InterruptRequest, __ATOMIC_SEQ_CST) != 0 ||
            __atomic_load_n(&Prcb->DpcQueueDepth, __ATOMIC_SEQ_CST) != 0)
            return FALSE;
    }
    return TRUE;
}

/* Simulation: the caller found every processor idle and no timer set. */
BOOLEAN KiSimQuiet(VOID)
{
    return KiQuietHook != NULL && KiNothingPending() && KiQuietHook();
}

static VOID KiIdleSleep(PKPRCB Prcb)
{
    ULONGLONG Until = HalQueryMonotonicTime100ns() + KI_IDLE_SPIN_100NS;
    for (ULONG i = 0;; i++) {
        if (__atomic_load_n(&Prcb->InterruptRequest, __ATOMIC_ACQUIRE) != 0 || __atomic_load_n(&KiShutdownRequested, __ATOMIC_ACQUIRE))
            return;
        __builtin_ia32_pause();
        if ((i & 63) == 63 && HalQueryMonotonicTime100ns() >= Until)
            break;
    }
    __atomic_store_n(&Prcb->Sleeping, TRUE, __ATOMIC_SEQ_CST);
    LONG Word = __atomic_load_n(&Prcb->IdleWord, __ATOMIC_SEQ_CST);
    /* The last processor to go to sleep looks for a quiet system. A sleeping
     * processor wakes only for a request, which only a running processor (or
     * the clock thread, for a due timer) makes; so when all are counted here,
     * none has a request and no timer is set, nothing can happen any more. */
    if (__atomic_add_fetch(&KiSleepingProcessors, 1, __ATOMIC_SEQ_CST) == (LONG)KeNumberProcessors &&
        KiQuietHook != NULL && KiNothingPending())
        KiQuietHook();
    if (__atomic_load_n(&Prcb->InterruptRequest, __ATOMIC_SEQ_CST) == 0 && !__atomic_load_n(&KiShutdownRequested, __ATOMIC_ACQUIRE))
        HalIdleWait(&Prcb->IdleWord, Word, 0);
    __atomic_sub_fetch(&KiSleepingProcessors, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&Prcb->Sleeping, FALSE, __ATOMIC_SEQ_CST);
}

static LONG KiTakeAll(PKPRCB Prcb)
{
    __atomic_and_fetch(&__ntps_poll, ~Prcb->SetMember, __ATOMIC_SEQ_CST);
    return __atomic_exchange_n(&Prcb->InterruptRequest, 0, __ATOMIC_ACQ_REL);
}

/* The idle thread runs at DISPATCH_LEVEL: it takes clock ticks and DPCs,
 * and switches to any thread that becomes ready for this processor. */
VOID KiIdleLoop(PVOID Argument)
{
    PKPRCB Prcb = Argument;     /* an idle thread never leaves its processor */
    Prcb->Irql = DISPATCH_LEVEL;
    for (;;) {
        LONG Pending = KiTakeAll(Prcb);
        if (Pending & KI_REQUEST_IPI)
            KiIpiService(Prcb);
        if (Pending & KI_REQUEST_CLOCK)
            KiClockInterrupt(Prcb, KiQueryInterruptTime());
        if ((Pending & KI_REQUEST_DPC) || __atomic_load_n(&Prcb->DpcQueueDepth, __ATOMIC_RELAXED) != 0 ||
            KiQueryInterruptTime() >= KiNextTimerDueTime())
            KiRetireDpcList(Prcb);
        if (KiIdleSchedule(Prcb))
            continue;
        if (__atomic_load_n(&Prcb->InterruptRequest, __ATOMIC_ACQUIRE) != 0)
            continue;
        if (__atomic_load_n(&KiShutdownRequested, __ATOMIC_ACQUIRE))
            break;
        if (KiConfig.Simulation)
            KiSimIdle(Prcb);
        else
            KiIdleSleep(Prcb);
    }
    if (KiConfig.Simulation)
        KiSimProcessorExit(Prcb);
    HalSwitchContext(&Prcb->IdleThread->Context, &Prcb->HostContext);
    KiInternalError("the idle thread of processor %u resumed after shutdown", Prcb->Number);
}

/* ---- boot and shutdown ------------------------------------------------------------ */

static VOID KiProcessorMain(ULONG Index)
{
    PKPRCB Prcb = KiProcessorBlock[Index];
    KiSetCurrentPrcb(Prcb);
    Prcb->LastClockTime = KiQueryInterruptTime();
    HalInitializeHostContext(&Prcb->HostContext);
    HalSwitchContext(&Prcb->HostContext, &Prcb->IdleThread->Context);
    HalDeleteContext(&Prcb->HostContext);
    KiSetCurrentPrcb(NULL);
}

/* Ready InitialThread, run every processor until shutdown, and return. */
VOID KeBootKernel(PKTHREAD InitialThread)
{
    KiAcquireDispatcherLockAtDpcLevel();
    KiReadyThread(InitialThread);
    KiReleaseDispatcherLockFromDpcLevel();
    KiSetCurrentPrcb(NULL);
    if (KiConfig.Simulation) {
        PKPRCB Prcb = KiProcessorBlock[0];
        KiSetCurrentPrcb(Prcb);
        HalInitializeHostContext(&KiSimHostContext);
        HalSwitchContext(&KiSimHostContext, &Prcb->IdleThread->Context);
        HalDeleteContext(&KiSimHostContext);
    } else {
        KiStartClock();
        HalRunProcessors(KeNumberProcessors, KiProcessorMain);
        KiStopClock();
    }
    /* Tear-down runs on the host thread, again as processor 0. */
    KiSetCurrentPrcb(KiProcessorBlock[0]);
    KiProcessorBlock[0]->Irql = PASSIVE_LEVEL;
    KiProcessorBlock[0]->CurrentThread = NULL;
    KiProcessorBlock[0]->InterruptRequest = 0;
}

/* Ask every processor to stop once it has nothing left to run. */
VOID KeRequestShutdown(VOID)
{
    __atomic_store_n(&KiShutdownRequested, TRUE, __ATOMIC_RELEASE);
    for (ULONG i = 0; i < KeNumberProcessors; i++)
        KiRequestSoftwareInterrupt(KiProcessorBlock[i], KI_REQUEST_DISPATCH);
}

/* After KeBootKernel returned: free what phase 0 allocated. */
VOID KeShutdownKernel(VOID)
{
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        PKPRCB Prcb = KiProcessorBlock[i];
        HalFreeStack(&Prcb->DpcStack);
        Prcb->IdleThread = Prcb->CurrentThread = NULL;     /* Ps frees the idle threads */
    }
    HalTrimStackCache();
    HalRemoveAlternateSignalStack();
    KiSetCurrentPrcb(NULL);
}

/* ---- processor DDIs ------------------------------------------------------------------ */

ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber)
{
    ULONG Number = KeGetCurrentPrcb()->Number;
    if (ProcNumber != NULL) {
        ProcNumber->Group = 0;
        ProcNumber->Number = (UCHAR)Number;
        ProcNumber->Reserved = 0;
    }
    return Number;
}

ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors)
{
    if (ActiveProcessors != NULL)
        *ActiveProcessors = KeActiveProcessors;
    return KeNumberProcessors;
}

ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber)
{
    return GroupNumber == 0 || GroupNumber == ALL_PROCESSOR_GROUPS ? KeNumberProcessors : 0;
}

ULONG KeQueryMaximumProcessorCount(VOID)
{
    return KeNumberProcessors;
}

ULONG KeQueryMaximumProcessorCountEx(USHORT GroupNumber)
{
    return KeQueryActiveProcessorCountEx(GroupNumber);
}

KAFFINITY KeQueryActiveProcessors(VOID)
{
    return KeActiveProcessors;
}

USHORT KeQueryActiveGroupCount(VOID)
{
    return 1;
}
