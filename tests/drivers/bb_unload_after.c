// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --unload-after 300
/*
 * A driver that never goes quiet by itself: a worker polls its stop event
 * with a 10 ms timeout, and a periodic 20 ms timer's DPC counts ticks. It
 * stays loaded until something unloads it; `--unload-after 300` does, 300 ms
 * after DriverEntry. DriverUnload stops the worker, cancels the timer and
 * flushes the DPCs (the sample-driver shape).
 */
#include <ntddk.h>
#include "ktest.h"

static KEVENT StopEvent;
static PETHREAD Worker;
static volatile LONG Polls, Ticks;
static KTIMER Timer;
static KDPC TimerDpc;
static ULONGLONG Start;

static KSTART_ROUTINE WorkerThread;
static VOID WorkerThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    LARGE_INTEGER Poll;
    Poll.QuadPart = KT_MS(10);
    while (KeWaitForSingleObject(&StopEvent, Executive, KernelMode, FALSE, &Poll) == STATUS_TIMEOUT)
        InterlockedIncrement(&Polls);
}

static KDEFERRED_ROUTINE Tick;
static VOID Tick(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    InterlockedIncrement(&Ticks);
}

static DRIVER_UNLOAD Unload;
static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ULONGLONG Elapsed = KeQueryInterruptTime() - Start;
    KT_CHECK(Elapsed >= 300 * 10000ULL);
    KT_CHECK(Elapsed < 30000 * 10000ULL);
    KT_CHECK(KeCancelTimer(&Timer));    /* periodic: always still queued */
    KeFlushQueuedDpcs();
    KeSetEvent(&StopEvent, IO_NO_INCREMENT, FALSE);
    KtJoin(Worker);
    KT_CHECK(Polls >= 5);
    KT_CHECK(Ticks >= 5);
    LONG Last = Ticks;
    KtSleep(50);
    KT_EQ(Ticks, Last);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    Start = KeQueryInterruptTime();
    KeInitializeEvent(&StopEvent, NotificationEvent, FALSE);
    KeInitializeTimerEx(&Timer, NotificationTimer);
    KeInitializeDpc(&TimerDpc, Tick, NULL);
    LARGE_INTEGER Due;
    Due.QuadPart = KT_MS(20);
    KeSetTimerEx(&Timer, Due, 20, &TimerDpc);
    Worker = KtStartThread(WorkerThread, NULL);
    if (Worker == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
