/*
 * ke/threadtime.c - how much processor time a thread has used.
 *
 * KTHREAD.KernelTime and UserTime accumulate the time a thread ran, in
 * 100 ns units: at each clock tick (realtime) or preemption point
 * (simulation), charged to user time when the thread was running its
 * user-mode code (KTHREAD.InUserMode) and to kernel time otherwise, as
 * Windows charges each tick to the mode it interrupted. System threads
 * have only kernel time. ntps has no per-thread cycle counter: its
 * "cycle" is the 100 ns unit of the performance counter (10 MHz), so
 * KeQueryTotalCycleTimeThread reports run time in those units, stamped
 * with the performance counter.
 */
#include "ke/ke.h"

/* Run time so far, counting the current tick's share for the thread that
 * runs here now (in kernel mode: it is asking). */
VOID KiQueryThreadTimes(PKTHREAD Thread, PULONGLONG KernelTime, PULONGLONG UserTime)
{
    ULONGLONG Kernel = __atomic_load_n(&Thread->KernelTime, __ATOMIC_RELAXED);
    *UserTime = __atomic_load_n(&Thread->UserTime, __ATOMIC_RELAXED);
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (!KiConfig.Simulation && Prcb != NULL && Prcb->CurrentThread == Thread) {
        ULONGLONG Now = KiQueryInterruptTime();
        if (Now > Prcb->LastClockTime)
            Kernel += Now - Prcb->LastClockTime;
    }
    *KernelTime = Kernel;
}

static ULONGLONG KiThreadRunTime(PKTHREAD Thread)
{
    ULONGLONG Kernel, User;
    KiQueryThreadTimes(Thread, &Kernel, &User);
    return Kernel + User;
}

ULONG KeQueryRuntimeThread(PKTHREAD Thread, PULONG UserTime)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)   /* documented PASSIVE_LEVEL; APC_LEVEL is tolerated */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    ULONGLONG Kernel, User;
    KiQueryThreadTimes(Thread, &Kernel, &User);
    *UserTime = (ULONG)(User / KiConfig.ClockInterval);
    return (ULONG)(Kernel / KiConfig.ClockInterval);
}

ULONG64 KeQueryTotalCycleTimeThread(PKTHREAD Thread, PULONG64 CycleTimeStamp)
{
    *CycleTimeStamp = KiQueryInterruptTime();
    return KiThreadRunTime(Thread);
}
