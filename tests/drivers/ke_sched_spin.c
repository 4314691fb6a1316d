/*
 * Threads that spin without calling the kernel are time-sliced (quantum
 * end at the preemption points `ntps cc` compiles into driver code), all
 * on processor 0:
 *  - two equal-priority spinners both make progress while a higher-priority
 *    thread sleeps; its timer wakes it in the middle of their spinning;
 *  - a thread spinning on a flag that another thread of the same priority
 *    sets finishes (the setter gets the processor at a quantum end);
 *  - a timer's DPC runs while threads spin, and can end their spinning.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"

static KEVENT Ready;
static volatile LONG Stop, Flag, Spinning;
static volatile LONGLONG Count[2];
static KTIMER Timer;
static KDPC Dpc;
static volatile LONG DpcIrql = -1, DpcSawSpinners;

static VOID Spinner(PVOID Context)
{
    LONG Id = (LONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx(1);
    KeSetEvent(&Ready, 0, FALSE);
    InterlockedIncrement(&Spinning);
    while (!Stop)
        Count[Id]++;
}

static VOID FlagWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    Spinning = 1;
    while (!Flag)
        ;
}

static VOID FlagSetter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    Flag = 1;
}

static VOID StopDpc(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    DpcIrql = KeGetCurrentIrql();
    DpcSawSpinners = Spinning;
    Stop = 1;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeSetSystemAffinityThreadEx(1);
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);

    /* two equal spinners under a sleeping higher-priority thread */
    KeSetPriorityThread(KeGetCurrentThread(), 12);
    Stop = 0;
    PETHREAD A = KtStartThread(Spinner, (PVOID)0);
    PETHREAD B = KtStartThread(Spinner, (PVOID)1);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    /* our timer wakes us while they spin, and we preempt them; both make
     * progress (a generous cap: the host may be loaded) */
    ULONGLONG Start = KeQueryInterruptTime();
    do {
        KtSleep(20);
    } while ((Count[0] == 0 || Count[1] == 0 || KeQueryInterruptTime() - Start < 200 * 10000ULL) &&
             KeQueryInterruptTime() - Start < 10000 * 10000ULL);
    KT_EQ(Spinning, 2);
    Stop = 1;
    LONGLONG CountA = Count[0], CountB = Count[1];
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KtJoin(A);
    KtJoin(B);
    KT_CHECK(CountA > 0);
    KT_CHECK(CountB > 0);
    DbgPrint("spinners: %lld and %lld iterations\n", CountA, CountB);

    /* a spinner waiting for a flag that an equal-priority thread sets */
    Spinning = 0;
    Flag = 0;
    PETHREAD W = KtStartThread(FlagWaiter, NULL);
    while (!Spinning)
        KtSleep(1);         /* it runs (and spins) while we sleep */
    PETHREAD S = KtStartThread(FlagSetter, NULL);
    KtJoin(S);
    KtJoin(W);
    KT_EQ(Flag, 1);

    /* a timer DPC ends the spinning */
    Stop = 0;
    Spinning = 0;
    KeInitializeTimer(&Timer);
    KeInitializeDpc(&Dpc, StopDpc, NULL);
    A = KtStartThread(Spinner, (PVOID)0);
    B = KtStartThread(Spinner, (PVOID)1);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    LARGE_INTEGER Due = { .QuadPart = KT_MS(30) };
    KeSetTimer(&Timer, Due, &Dpc);
    KtJoin(A);              /* only the DPC can stop them */
    KtJoin(B);
    KT_EQ(DpcIrql, DISPATCH_LEVEL);
    KT_EQ(DpcSawSpinners, 2);
    KT_DONE();
    return STATUS_SUCCESS;
}
