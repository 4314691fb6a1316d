/*
 * ke/dpcwatch.c - the DPC watchdog: how long DPC routines may run, what a
 * routine can ask about it, and whether code at DISPATCH_LEVEL should let
 * the processor go.
 *
 * Limits, as on Windows: a single DPC routine may run 20 s, and one drain
 * of a processor's DPC queue (DPCs running back to back) 120 s; beyond
 * either the clock (realtime) or the virtual clock (simulation) stops the
 * machine with bug check 0x133 DPC_WATCHDOG_VIOLATION, parameter 1 being 0
 * (one routine) or 1 (the sequence), parameter 2 the ticks it ran and 3 the
 * allotment. KeQueryDpcWatchdogInformation reports the limits and what
 * remains in clock ticks (the documented values are dimensionless).
 */
#include "ke/ke.h"

#define KI_DPC_TIME_LIMIT (20ULL * 10000000ULL)         /* 100 ns units */
#define KI_DPC_WATCHDOG_LIMIT (120ULL * 10000000ULL)

static ULONG KiTicks(ULONGLONG Time)
{
    ULONGLONG Ticks = Time / KiConfig.ClockInterval;
    return Ticks > MAXULONG ? MAXULONG : (ULONG)Ticks;
}

/* From the clock: the running DPC routine, or the drain it is part of, has
 * used up its time. */
VOID KiCheckDpcWatchdog(PKPRCB Prcb, ULONGLONG Now)
{
    if (!Prcb->DpcRoutineActive)
        return;
    if (Now > Prcb->DpcStartTime && Now - Prcb->DpcStartTime > KI_DPC_TIME_LIMIT)
        KeBugCheckEx(0x133, 0, KiTicks(Now - Prcb->DpcStartTime), KiTicks(KI_DPC_TIME_LIMIT), 0);
    if (Now > Prcb->DpcDrainStartTime && Now - Prcb->DpcDrainStartTime > KI_DPC_WATCHDOG_LIMIT)
        KeBugCheckEx(0x133, 1, KiTicks(Now - Prcb->DpcDrainStartTime), KiTicks(KI_DPC_WATCHDOG_LIMIT), 0);
}

static ULONGLONG KiRemaining(ULONGLONG Limit, ULONGLONG Start, ULONGLONG Now)
{
    ULONGLONG Used = Now > Start ? Now - Start : 0;
    return Used >= Limit ? 0 : Limit - Used;
}

/* Documented: STATUS_SUCCESS in a DPC or at IRQL >= DISPATCH_LEVEL,
 * STATUS_UNSUCCESSFUL otherwise. Outside a DPC nothing has been used yet. */
NTSTATUS KeQueryDpcWatchdogInformation(PKDPC_WATCHDOG_INFORMATION WatchdogInformation)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb == NULL || (!Prcb->DpcRoutineActive && Prcb->Irql < DISPATCH_LEVEL))
        return STATUS_UNSUCCESSFUL;
    ULONGLONG Now = KiQueryInterruptTime();
    ULONGLONG Single = KI_DPC_TIME_LIMIT, Sequence = KI_DPC_WATCHDOG_LIMIT;
    if (Prcb->DpcRoutineActive) {
        Single = KiRemaining(KI_DPC_TIME_LIMIT, Prcb->DpcStartTime, Now);
        Sequence = KiRemaining(KI_DPC_WATCHDOG_LIMIT, Prcb->DpcDrainStartTime, Now);
    }
    WatchdogInformation->DpcTimeLimit = KiTicks(KI_DPC_TIME_LIMIT);
    WatchdogInformation->DpcTimeCount = KiTicks(Single);
    WatchdogInformation->DpcWatchdogLimit = KiTicks(KI_DPC_WATCHDOG_LIMIT);
    WatchdogInformation->DpcWatchdogCount = KiTicks(Sequence);
    WatchdogInformation->Reserved = 0;
    return STATUS_SUCCESS;
}

/* TRUE when the processor has work that waits for IRQL to drop below
 * DISPATCH_LEVEL (a queued DPC, a reschedule, the end of the thread's
 * quantum), or the running DPC has used half of either watchdog limit.
 * Below DISPATCH_LEVEL nothing is being held up: FALSE. */
LOGICAL KeShouldYieldProcessor(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb == NULL || Prcb->Irql < DISPATCH_LEVEL)
        return FALSE;
    LONG Pending = __atomic_load_n(&Prcb->InterruptRequest, __ATOMIC_ACQUIRE);
    if ((Pending & (KI_REQUEST_DPC | KI_REQUEST_DISPATCH | KI_REQUEST_QUANTUM)) ||
        __atomic_load_n(&Prcb->DpcQueueDepth, __ATOMIC_RELAXED) != 0)
        return TRUE;
    if (Prcb->DpcRoutineActive) {
        ULONGLONG Now = KiQueryInterruptTime();
        if (KiRemaining(KI_DPC_TIME_LIMIT, Prcb->DpcStartTime, Now) < KI_DPC_TIME_LIMIT / 2 ||
            KiRemaining(KI_DPC_WATCHDOG_LIMIT, Prcb->DpcDrainStartTime, Now) < KI_DPC_WATCHDOG_LIMIT / 2)
            return TRUE;
    }
    return FALSE;
}
