// NTPS-TEST: modes rt1 rt2 sim1 sim2
/*
 * KeSetCoalescableTimer (wdm.h, Windows 7+): KeSetTimerEx with a tolerable
 * delay. It returned "undefined symbol" at load. One-shot and periodic, with
 * a DPC; the return value says whether the timer was already queued.
 */
#include <ntddk.h>
#include "ktest.h"

static KTIMER Timer;
static KDPC Dpc;
static volatile LONG Ticks;

static KDEFERRED_ROUTINE Tick;
static VOID Tick(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    InterlockedIncrement(&Ticks);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    LARGE_INTEGER Due;
    KeInitializeTimer(&Timer);
    /* far enough out that a loaded host cannot see it expire between the calls */
    Due.QuadPart = KT_MS(10000);
    KT_EQ(KeSetCoalescableTimer(&Timer, Due, 0, 5, NULL), FALSE);
    KT_EQ(KeSetCoalescableTimer(&Timer, Due, 0, 5, NULL), TRUE);
    KT_EQ(KeCancelTimer(&Timer), TRUE);
    Due.QuadPart = KT_MS(10);
    KT_EQ(KeSetCoalescableTimer(&Timer, Due, 0, 5, NULL), FALSE);     /* no longer queued */
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeReadStateTimer(&Timer), TRUE);

    KeInitializeDpc(&Dpc, Tick, NULL);
    Due.QuadPart = KT_MS(5);
    ULONGLONG Start = KeQueryInterruptTime();
    KT_EQ(KeSetCoalescableTimer(&Timer, Due, 10, 2, &Dpc), FALSE);
    KtSleep(100);
    KT_CHECK(KeCancelTimer(&Timer));
    /* a loaded host may sleep longer than asked: bound by the time that passed */
    LONG Elapsed = (LONG)((KeQueryInterruptTime() - Start) / 10000);
    KeFlushQueuedDpcs();
    KT_CHECK(Ticks >= 5 && Ticks <= (Elapsed - 5) / 10 + 2);
    KT_DONE();
    return STATUS_SUCCESS;
}
