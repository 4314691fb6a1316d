/*
 * With a long quantum (2 s) and no seeded early quantum ends, so that
 * nothing here can be a quantum end:
 *  - a higher-priority thread readied by its timer preempts a spinning
 *    thread at once (well within the quantum);
 *  - the preempted thread goes back to the head of its ready queue: after
 *    the higher-priority thread blocks again it resumes, ahead of an
 *    equal-priority thread that was ready all along;
 *  - at DISPATCH_LEVEL (KeRaiseIrql) nothing preempts, even after the
 *    higher-priority thread's timer is due; the switch happens as soon as
 *    IRQL drops, before KeLowerIrql returns.
 * All threads on processor 0.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --quantum 2000 --no-sim-preempt
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"

#define MS 10000LL
static KEVENT Ready;
static volatile LONG Stop, Spinning, HighRan, StopSeenBySpinner;
static volatile ULONGLONG Latency;

static KEVENT SpinnerStarted;

static VOID Spinner(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    Spinning = 1;
    KeSetEvent(&SpinnerStarted, 0, FALSE);  /* the sleeper preempts us here and starts its delay */
    while (!Stop)
        ;
}

static VOID Sleeper(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    KeSetPriorityThread(KeGetCurrentThread(), 12);
    KeSetEvent(&Ready, 0, FALSE);
    KeWaitForSingleObject(&SpinnerStarted, Executive, KernelMode, FALSE, NULL);
    LARGE_INTEGER Delay = { .QuadPart = -20 * MS };
    ULONGLONG Start = KeQueryInterruptTime();
    KeDelayExecutionThread(KernelMode, FALSE, &Delay);
    Latency = KeQueryInterruptTime() - (Start + 20 * MS);
    KT_EQ(Spinning, 1);
    Stop = 1;
}

static volatile LONG LatecomerRan;

static VOID Latecomer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    LatecomerRan = 1;
}

static KTIMER MarkerTimer;

static VOID Marker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    KeSetPriorityThread(KeGetCurrentThread(), 12);
    KeSetEvent(&Ready, 0, FALSE);
    KeWaitForSingleObject(&MarkerTimer, Executive, KernelMode, FALSE, NULL);
    HighRan = 1;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeSetSystemAffinityThreadEx(1);
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);

    /* timer-readied preemption of a spinner */
    KeInitializeEvent(&SpinnerStarted, NotificationEvent, FALSE);
    PETHREAD H = KtStartThread(Sleeper, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    PETHREAD S = KtStartThread(Spinner, NULL);
    KtJoin(H);
    KtJoin(S);
    DbgPrint("wake latency %llu us\n", (unsigned long long)Latency / 10);
    KT_CHECK(Latency < 1000 * MS);      /* "at once": not at the 2 s quantum end */

    /* preempted: back at the head of its queue */
    Stop = 0;
    Spinning = 0;
    KeInitializeEvent(&SpinnerStarted, NotificationEvent, FALSE);
    KeSetPriorityThread(KeGetCurrentThread(), 12);
    PETHREAD A = KtStartThread(Spinner, NULL);
    KeWaitForSingleObject(&SpinnerStarted, Executive, KernelMode, FALSE, NULL);    /* preempts it */
    PETHREAD B = KtStartThread(Latecomer, NULL);   /* ready behind the spinner */
    for (int i = 0; i < 5; i++) {
        KtSleep(10);                /* each wake preempts the spinner */
        KT_EQ(LatecomerRan, 0);     /* ... which then resumes first */
    }
    Stop = 1;
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KtJoin(A);
    KtJoin(B);
    KT_EQ(LatecomerRan, 1);

    /* nothing preempts at DISPATCH_LEVEL */
    HighRan = 0;
    KeInitializeTimer(&MarkerTimer);
    PETHREAD M = KtStartThread(Marker, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    LARGE_INTEGER Due = { .QuadPart = -10 * MS };
    KeSetTimer(&MarkerTimer, Due, NULL);
    ULONGLONG Until = KeQueryInterruptTime() + 40 * MS;
    while (KeQueryInterruptTime() < Until)
        ;                                   /* the marker's timer falls due meanwhile */
    KT_EQ(HighRan, 0);
    KeLowerIrql(Old);
    KT_EQ(HighRan, 1);                      /* it ran as IRQL dropped */
    KtJoin(M);
    KT_DONE();
    return STATUS_SUCCESS;
}
