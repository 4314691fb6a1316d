/*
 * ke/ipi.c - interprocessor interrupts and busy waits.
 *
 * KeIpiGenericCall (documented): "the system interrupts every processor and
 * raises the IRQL to IPI_LEVEL. Each processor spins on a barrier until all
 * processors have reached the barrier; then, all processors begin calling
 * IpiGenericCall. KeIpiGenericCall waits for all calls to IpiGenericCall to
 * complete before returning", and returns what the routine returned on the
 * calling processor.
 *
 * Here the interrupt is the software request KI_REQUEST_IPI. A processor
 * takes it wherever an interrupt below IPI_LEVEL would reach it: at its
 * preemption points and kernel entries (KiDeliverInterrupts), in its idle
 * loop, and while it spins (spin locks, barriers, another broadcast: a real
 * processor spins with interrupts enabled). Every processor runs the
 * routine, concurrently in realtime; in simulation the routines interleave
 * at their preemption points as the seed decides. One broadcast runs at a
 * time; a caller waiting for its turn still answers the one in progress.
 */
#include "ke/ke.h"

#include <sched.h>

/* A processor waiting this long at DISPATCH_LEVEL or above is stuck: the
 * DPC watchdog ends the run, as for a spin lock (ke/spinlock.c). */
#define KI_SPIN_WATCHDOG (20ULL * 10000000ULL)     /* 20 s, 100 ns units */

typedef struct _KI_IPI_CALL {
    PKIPI_BROADCAST_WORKER Routine;
    ULONG_PTR Context;
    volatile LONG Arriving;     /* processors not yet at the barrier */
    volatile LONG Running;      /* processors that have not finished the routine */
} KI_IPI_CALL;

static volatile LONG KiIpiLock;             /* one broadcast at a time */
static KI_IPI_CALL *volatile KiIpiCurrent;  /* the broadcast in progress */

/* ---- busy waits ----------------------------------------------------------------- */

VOID KiSpinWait(KI_SPIN_WAIT *Wait)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Wait->Spins == 0)
        Wait->Start = KiQueryInterruptTime();
    Wait->Spins++;
    KiIpiPoll(Prcb);
    if (KiConfig.Simulation) {
        KiSimSpin(Prcb);    /* time passes; the processor we wait for gets to run */
    } else {
        __builtin_ia32_pause();
        if ((Wait->Spins & 1023) == 0)
            sched_yield();  /* its host thread may be descheduled */
    }
    if ((Wait->Spins & 255) == 0) {
        ULONGLONG Elapsed = KiQueryInterruptTime() - Wait->Start;
        if (Elapsed > KI_SPIN_WATCHDOG)
            KeBugCheckEx(0x133, 1, (ULONG_PTR)(Elapsed / KiConfig.ClockInterval), (ULONG_PTR)Wait->WaitingFor, 0);
    }
}

/* ---- the broadcast -------------------------------------------------------------- */

/* Every processor, the caller's included: the barrier, the routine, done. */
static ULONG_PTR KiIpiParticipate(KI_IPI_CALL *Call)
{
    KI_SPIN_WAIT Wait = { 0, 0, (PVOID)Call->Routine };
    __atomic_sub_fetch(&Call->Arriving, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&Call->Arriving, __ATOMIC_ACQUIRE) != 0)
        KiSpinWait(&Wait);
    ULONG_PTR Result = Call->Routine(Call->Context);
    __atomic_sub_fetch(&Call->Running, 1, __ATOMIC_RELEASE);    /* the caller may return now */
    return Result;
}

/* A target processor's interrupt: run at IPI_LEVEL on whatever stack it is
 * on; like a DPC, the routine does not see the interrupted thread's
 * exception handlers. */
VOID KiIpiService(PKPRCB Prcb)
{
    KI_IPI_CALL *Call = __atomic_load_n(&KiIpiCurrent, __ATOMIC_ACQUIRE);
    if (Call == NULL)
        KiInternalError("processor %u took an interprocessor interrupt with no broadcast in progress", Prcb->Number);
    KIRQL Irql = Prcb->Irql;
    Prcb->Irql = IPI_LEVEL;
    PKTHREAD Thread = Prcb->CurrentThread;
    PVOID SavedExceptionState = Thread->ExceptionState;
    Thread->ExceptionState = NULL;
    KiIpiParticipate(Call);
    Thread->ExceptionState = SavedExceptionState;
    if (Prcb->Irql != IPI_LEVEL)
        KeBugCheckEx(IRQL_UNEXPECTED_VALUE, ((ULONG_PTR)Prcb->Irql << 16) | (IPI_LEVEL << 8),
                     (ULONG_PTR)Call->Routine, 0, 0);
    Prcb->Irql = Irql;
}

VOID KiIpiPoll(PKPRCB Prcb)
{
    if (!(__atomic_load_n(&Prcb->InterruptRequest, __ATOMIC_RELAXED) & KI_REQUEST_IPI) || Prcb->Irql >= IPI_LEVEL ||
        KiDispatcherLockHeld())
        return;
    if (__atomic_fetch_and(&Prcb->InterruptRequest, ~KI_REQUEST_IPI, __ATOMIC_ACQ_REL) & KI_REQUEST_IPI)
        KiIpiService(Prcb);
}

ULONG_PTR KeIpiGenericCall(PKIPI_BROADCAST_WORKER BroadcastFunction, ULONG_PTR Context)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql >= IPI_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, IPI_LEVEL - 1,
                     (ULONG_PTR)__builtin_return_address(0));
    KiKernelEntry();
    /* On this processor from here on: it is the source processor. */
    KIRQL OldIrql = Irql < DISPATCH_LEVEL ? KfRaiseIrql(DISPATCH_LEVEL) : Irql;
    KI_SPIN_WAIT Wait = { 0, 0, (PVOID)&KiIpiLock };
    while (__atomic_exchange_n(&KiIpiLock, 1, __ATOMIC_ACQUIRE) != 0)
        KiSpinWait(&Wait);      /* answers the broadcast in progress */

    KI_IPI_CALL Call;
    Call.Routine = BroadcastFunction;
    Call.Context = Context;
    Call.Arriving = (LONG)KeNumberProcessors;
    Call.Running = (LONG)KeNumberProcessors;
    __atomic_store_n(&KiIpiCurrent, &Call, __ATOMIC_RELEASE);
    KfRaiseIrql(IPI_LEVEL);
    PKPRCB Self = KeGetCurrentPrcb();
    for (ULONG i = 0; i < KeNumberProcessors; i++)
        if (KiProcessorBlock[i] != Self)
            KiRequestSoftwareInterrupt(KiProcessorBlock[i], KI_REQUEST_IPI);

    ULONG_PTR Result = KiIpiParticipate(&Call);
    KI_SPIN_WAIT Done = { 0, 0, (PVOID)BroadcastFunction };
    while (__atomic_load_n(&Call.Running, __ATOMIC_ACQUIRE) != 0)
        KiSpinWait(&Done);

    __atomic_store_n(&KiIpiCurrent, NULL, __ATOMIC_RELAXED);
    __atomic_store_n(&KiIpiLock, 0, __ATOMIC_RELEASE);
    KeLowerIrql(OldIrql);
    return Result;
}
