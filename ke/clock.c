/*
 * ke/clock.c - time: interrupt time (since boot), system time, the tick
 * count, the performance counter, and the clock interrupt that charges
 * quantum and notices due timers.
 *
 * Realtime mode reads the host's monotonic clock and gets its clock
 * interrupts from the HAL's clock thread. Simulation mode reads the
 * virtual clock (ke/sim.c), which preemption points advance.
 */
#include "ke/ke.h"

extern LONGLONG KiBootSystemTime;
static ULONGLONG KiBootHostTime;    /* host monotonic time at interrupt time 0 */

/* Simulation starts its system time at 2025-01-01 00:00:00 UTC. */
#define KI_SIM_EPOCH 133801632000000000LL

ULONGLONG KiQueryInterruptTime(VOID)
{
    if (KiConfig.Simulation)
        return KiSimNow();
    return HalQueryMonotonicTime100ns() - KiBootHostTime;
}

VOID KiInitializeClock(VOID)
{
    if (KiConfig.Simulation) {
        KiBootHostTime = 0;
        KiBootSystemTime = KI_SIM_EPOCH;
    } else {
        KiBootHostTime = HalQueryMonotonicTime100ns();
        KiBootSystemTime = HalQueryHostSystemTime();
    }
}

/* ---- the clock interrupt -------------------------------------------------------- */

BOOLEAN KiTimerExpiryPending(PKPRCB Prcb, ULONGLONG *Now)
{
    (void)Prcb;
    *Now = KiQueryInterruptTime();
    return *Now >= KiNextTimerDueTime();
}

/* Runs on each processor below CLOCK_LEVEL: charge the running thread's
 * quantum, and hand due timers to the DPC level. */
VOID KiClockInterrupt(PKPRCB Prcb, ULONGLONG Now)
{
    PKTHREAD Thread = Prcb->CurrentThread;
    Prcb->InterruptCount++;
    ULONGLONG Elapsed = Now > Prcb->LastClockTime ? Now - Prcb->LastClockTime : 0;
    Prcb->LastClockTime = Now;
    if (Thread->InUserMode)
        Thread->UserTime += Elapsed;
    else
        Thread->KernelTime += Elapsed;
    if (Thread != Prcb->IdleThread) {
        Thread->QuantumRemaining -= (LONGLONG)Elapsed;
        if (Thread->QuantumRemaining <= 0)
            KiRequestSoftwareInterrupt(Prcb, KI_REQUEST_QUANTUM);
    }
    if (Now >= KiNextTimerDueTime())
        KiRequestSoftwareInterrupt(Prcb, KI_REQUEST_DPC);
    if (Prcb->DpcRoutineActive)
        KiCheckDpcWatchdog(Prcb, Now);
}

ULONG KiNextTimerProcessorNumber(VOID);

/* The HAL clock thread's tick (realtime): interrupt every awake processor;
 * wake the processor owning the earliest timer if it is due. */
static VOID KiClockTick(ULONGLONG HostNow)
{
    ULONGLONG Now = HostNow - KiBootHostTime;
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        PKPRCB Prcb = KiProcessorBlock[i];
        if (!__atomic_load_n(&Prcb->Sleeping, __ATOMIC_ACQUIRE))
            KiRequestSoftwareInterrupt(Prcb, KI_REQUEST_CLOCK);
    }
    if (Now >= KiNextTimerDueTime()) {
        ULONG Target = KiNextTimerProcessorNumber();
        if (Target >= KeNumberProcessors)
            Target = 0;
        KiRequestSoftwareInterrupt(KiProcessorBlock[Target], KI_REQUEST_CLOCK);
    }
}

VOID KiStartClock(VOID)
{
    if (!KiConfig.Simulation) {
        ULONGLONG Period = KiConfig.ClockInterval;
        if (KiConfig.Quantum < Period)
            Period = KiConfig.Quantum;      /* a short --quantum needs finer ticks */
        HalStartClock(Period, KiClockTick);
    }
}

VOID KiStopClock(VOID)
{
    if (!KiConfig.Simulation)
        HalStopClock();
}

VOID KiProgramClock(ULONGLONG Due)
{
    if (!KiConfig.Simulation)
        HalClockSetNextEvent(KiBootHostTime + Due);
}

/* ---- DDIs --------------------------------------------------------------------- */

LONGLONG KiQuerySystemTime(VOID)
{
    return KiBootSystemTime + (LONGLONG)KiQueryInterruptTime();
}

VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = KiQuerySystemTime();
}

ULONGLONG KiQueryTickCount(VOID)
{
    return KiQueryInterruptTime() / KiConfig.ClockInterval;
}

ULONGLONG KeQueryInterruptTime(VOID)
{
    return KiQueryInterruptTime();
}

ULONGLONG KeQueryUnbiasedInterruptTime(VOID)
{
    return KiQueryInterruptTime();
}

ULONGLONG KeQueryInterruptTimePrecise(PULONG64 QpcTimeStamp)
{
    ULONGLONG Now = KiQueryInterruptTime();
    if (QpcTimeStamp != NULL)
        *QpcTimeStamp = Now;
    return Now;
}

ULONG KeQueryTimeIncrement(VOID)
{
    return (ULONG)KiConfig.ClockInterval;
}

/* The performance counter ticks at 10 MHz: one tick per 100 ns. */
LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER Counter;
    if (PerformanceFrequency != NULL)
        PerformanceFrequency->QuadPart = 10000000;
    Counter.QuadPart = (LONGLONG)KiQueryInterruptTime();
    return Counter;
}

/* A busy wait at any IRQL. In simulation it costs virtual time instead. */
VOID KeStallExecutionProcessor(ULONG MicroSeconds)
{
    if (KiConfig.Simulation) {
        PKPRCB Prcb = KeGetCurrentPrcb();
        if (Prcb != NULL)
            KiSimPoint(Prcb, MicroSeconds * 10);
        return;
    }
    HalStallHost(MicroSeconds);
}

/* ---- time conversions ------------------------------------------------------------ */

static const UCHAR KiDaysInMonth[2][12] = {
    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 },
    { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 },
};

static BOOLEAN KiIsLeapYear(LONG Year)
{
    return (Year % 4 == 0 && Year % 100 != 0) || Year % 400 == 0;
}

VOID RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields)
{
    ULONGLONG Ticks = (ULONGLONG)Time->QuadPart;
    ULONGLONG Seconds = Ticks / 10000000ULL;
    ULONGLONG Days = Seconds / 86400;
    ULONG SecondOfDay = (ULONG)(Seconds % 86400);
    TimeFields->Milliseconds = (SHORT)((Ticks % 10000000ULL) / 10000);
    TimeFields->Hour = (SHORT)(SecondOfDay / 3600);
    TimeFields->Minute = (SHORT)((SecondOfDay % 3600) / 60);
    TimeFields->Second = (SHORT)(SecondOfDay % 60);
    TimeFields->Weekday = (SHORT)((Days + 1) % 7);     /* 1601-01-01 was a Monday */
    LONG Year = 1601;
    for (;;) {
        ULONG YearDays = KiIsLeapYear(Year) ? 366 : 365;
        if (Days < YearDays)
            break;
        Days -= YearDays;
        Year++;
    }
    const UCHAR *Months = KiDaysInMonth[KiIsLeapYear(Year)];
    LONG Month = 0;
    while (Days >= Months[Month])
        Days -= Months[Month++];
    TimeFields->Year = (SHORT)Year;
    TimeFields->Month = (SHORT)(Month + 1);
    TimeFields->Day = (SHORT)(Days + 1);
}

BOOLEAN RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time)
{
    TIME_FIELDS *F = TimeFields;
    if (F->Year < 1601 || F->Month < 1 || F->Month > 12 || F->Day < 1 || F->Hour < 0 || F->Hour > 23 ||
        F->Minute < 0 || F->Minute > 59 || F->Second < 0 || F->Second > 59 || F->Milliseconds < 0 ||
        F->Milliseconds > 999 || F->Day > KiDaysInMonth[KiIsLeapYear(F->Year)][F->Month - 1])
        return FALSE;
    ULONGLONG Days = 0;
    for (LONG Y = 1601; Y < F->Year; Y++)
        Days += KiIsLeapYear(Y) ? 366 : 365;
    for (LONG M = 0; M < F->Month - 1; M++)
        Days += KiDaysInMonth[KiIsLeapYear(F->Year)][M];
    Days += F->Day - 1;
    ULONGLONG Seconds = Days * 86400 + F->Hour * 3600 + F->Minute * 60 + F->Second;
    Time->QuadPart = (LONGLONG)(Seconds * 10000000ULL + (ULONGLONG)F->Milliseconds * 10000);
    return TRUE;
}

/* ntps runs in UTC: local time is system time. */
VOID ExSystemTimeToLocalTime(PLARGE_INTEGER SystemTime, PLARGE_INTEGER LocalTime)
{
    *LocalTime = *SystemTime;
}

VOID ExLocalTimeToSystemTime(PLARGE_INTEGER LocalTime, PLARGE_INTEGER SystemTime)
{
    *SystemTime = *LocalTime;
}
