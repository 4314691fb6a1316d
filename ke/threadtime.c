/*
 * ke/threadtime.c - how much processor time a thread has used.
 *
 * KTHREAD.KernelTime accumulates the time a thread ran, in 100 ns units:
 * at each clock tick (realtime) or preemption point (simulation). Every
 * ntps thread is a system thread, so all of it is kernel time and user time
 * is zero. ntps has no per-thread cycle counter: its "cycle" is the 100 ns
 * unit of the performance counter (10 MHz), so KeQueryTotalCycleTimeThread
 * reports run time in those units, stamped with the performance counter.
 */
#include "ke/ke.h"

/* Run time so far, counting the current tick's share for a running thread. */
static ULONGLONG KiThreadRunTime(PKTHREAD Thread)
{
    ULONGLONG Time = __atomic_load_n(&Thread->KernelTime, __ATOMIC_RELAXED);
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (!KiConfig.Simulation && Prcb != NULL && Prcb->CurrentThread == Thread) {
        ULONGLONG Now = KiQueryInterruptTime();
        if (Now > Prcb->LastClockTime)
            Time += Now - Prcb->LastClockTime;
    }
    return Time;
}

ULONG KeQueryRuntimeThread(PKTHREAD Thread, PULONG UserTime)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)   /* documented PASSIVE_LEVEL; APC_LEVEL is tolerated */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    *UserTime = 0;
    return (ULONG)(KiThreadRunTime(Thread) / KiConfig.ClockInterval);
}

ULONG64 KeQueryTotalCycleTimeThread(PKTHREAD Thread, PULONG64 CycleTimeStamp)
{
    *CycleTimeStamp = KiQueryInterruptTime();
    return KiThreadRunTime(Thread);
}
