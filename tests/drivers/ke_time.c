/*
 * Time: KeQuerySystemTime (a macro that stores through LARGE_INTEGER* or
 * ULONG64*), KeQuerySystemTimePrecise, KeQueryInterruptTime (monotonic),
 * KeQueryTickCount counting KeQueryTimeIncrement (156250) units of
 * interrupt time, KeQueryPerformanceCounter at 10 MHz,
 * KeStallExecutionProcessor busy-waiting at least the given time.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define MS 10000LL
#define YEAR_2020 132223104000000000LL      /* 2020-01-01 as NT system time */

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);

    LARGE_INTEGER Sys, Precise, Sys2;
    ULONG64 Sys64;
    KeQuerySystemTime(&Sys);
    KeQuerySystemTime(&Sys64);
    KeQuerySystemTimePrecise(&Precise);
    KT_CHECK(Sys.QuadPart > YEAR_2020);
    KT_CHECK((LONGLONG)Sys64 >= Sys.QuadPart);
    KT_CHECK(Precise.QuadPart >= (LONGLONG)Sys64);
    KtSleep(20);
    KeQuerySystemTime(&Sys2);
    KT_CHECK(Sys2.QuadPart - Sys.QuadPart >= 20 * MS);
    KT_CHECK(Sys2.QuadPart - Sys.QuadPart < 5000 * MS);

    /* interrupt time: monotonic */
    ULONGLONG Last = KeQueryInterruptTime();
    for (int i = 0; i < 10000; i++) {
        ULONGLONG Now = KeQueryInterruptTime();
        KT_CHECK(Now >= Last);
        Last = Now;
    }

    /* the tick count counts clock intervals of interrupt time */
    KT_EQ(KeQueryTimeIncrement(), 156250);
    LARGE_INTEGER Ticks, Ticks2;
    ULONG64 Ticks64;
    ULONGLONG Before = KeQueryInterruptTime();
    KeQueryTickCount(&Ticks);
    KeQueryTickCount(&Ticks64);
    ULONGLONG After = KeQueryInterruptTime();
    KT_CHECK((ULONGLONG)Ticks.QuadPart >= Before / 156250);
    KT_CHECK((ULONGLONG)Ticks.QuadPart <= After / 156250);
    KT_CHECK(Ticks64 >= (ULONG64)Ticks.QuadPart);
    KtSleep(40);
    KeQueryTickCount(&Ticks2);
    KT_CHECK(Ticks2.QuadPart - Ticks.QuadPart >= 2);

    /* the performance counter: 10 MHz */
    LARGE_INTEGER Freq, Pc1, Pc2;
    Pc1 = KeQueryPerformanceCounter(&Freq);
    KT_EQ(Freq.QuadPart, 10000000);
    KtSleep(10);
    Pc2 = KeQueryPerformanceCounter(NULL);
    KT_CHECK(Pc2.QuadPart - Pc1.QuadPart >= 10 * MS);

    /* stall: at least the time asked for, at any IRQL */
    Before = KeQueryInterruptTime();
    KeStallExecutionProcessor(50);
    After = KeQueryInterruptTime();
    KT_CHECK(After - Before >= 500);
    KIRQL Old;
    KeRaiseIrql(HIGH_LEVEL, &Old);
    Before = KeQueryInterruptTime();
    KeStallExecutionProcessor(1000);
    After = KeQueryInterruptTime();
    KeLowerIrql(Old);
    KT_CHECK(After - Before >= 10000);
    KT_CHECK(After - Before < 5000 * MS);
    KT_DONE();
    return STATUS_SUCCESS;
}
