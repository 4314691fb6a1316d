/*
 * tests/include/kquantum.h - the measurement behind the quantum tests: two
 * equal-priority spinners pinned to processor 0 note the interrupt time
 * each time one takes over from the other, while the caller (raised above
 * them) sleeps. The test driver then checks the slice lengths against the
 * quantum it asked for.
 */
#ifndef NTPS_KQUANTUM_H
#define NTPS_KQUANTUM_H

#include "ktest.h"

#define MS 10000LL
#define KQ_MAX_SWITCHES 256
#define KQ_SIM_EPOCH 133801632000000000LL   /* simulated system time at boot */

typedef struct _KQ_RUN {
    BOOLEAN Simulation;
    LONG Switches;
    int Slices;                             /* sorted, shortest first */
    ULONGLONG Slice[KQ_MAX_SWITCHES];
    ULONGLONG Median;
} KQ_RUN;

static KEVENT KqReady;
static volatile LONG KqStop, KqLast = -1, KqSwitches;
static ULONGLONG KqSwitchTime[KQ_MAX_SWITCHES];

static VOID KqSpinner(PVOID Context)
{
    LONG Id = (LONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx(1);
    KeSetEvent(&KqReady, 0, FALSE);
    while (!KqStop) {
        if (KqLast != Id) {
            KqLast = Id;
            if (KqSwitches < KQ_MAX_SWITCHES)
                KqSwitchTime[KqSwitches++] = KeQueryInterruptTime();
        }
    }
}

static VOID KqSort(ULONGLONG *V, int N)
{
    for (int i = 1; i < N; i++)
        for (int j = i; j > 0 && V[j - 1] > V[j]; j--) {
            ULONGLONG T = V[j]; V[j] = V[j - 1]; V[j - 1] = T;
        }
}

/* Spins until at least MinSwitches switches and MinSpanMs have passed (but
 * no longer than MaxSpanMs), then fills Run. */
static VOID KqMeasure(KQ_RUN *Run, LONG MinSwitches, LONGLONG MinSpanMs, LONGLONG MaxSpanMs)
{
    LARGE_INTEGER Now;
    KeQuerySystemTime(&Now);
    Run->Simulation = Now.QuadPart - (LONGLONG)KeQueryInterruptTime() == KQ_SIM_EPOCH;
    KeSetSystemAffinityThreadEx(1);
    KeSetPriorityThread(KeGetCurrentThread(), 12);
    KeInitializeEvent(&KqReady, SynchronizationEvent, FALSE);
    PETHREAD A = KtStartThread(KqSpinner, (PVOID)0);
    PETHREAD B = KtStartThread(KqSpinner, (PVOID)1);
    KeWaitForSingleObject(&KqReady, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&KqReady, Executive, KernelMode, FALSE, NULL);
    ULONGLONG Start = KeQueryInterruptTime();
    do {
        KtSleep(50);
    } while ((KqSwitches < MinSwitches || KeQueryInterruptTime() - Start < (ULONGLONG)MinSpanMs * MS) &&
             KeQueryInterruptTime() - Start < (ULONGLONG)MaxSpanMs * MS);
    KqStop = 1;
    Run->Switches = KqSwitches;
    KtJoin(A);
    KtJoin(B);
    Run->Slices = 0;
    for (int i = 2; i < Run->Switches; i++)    /* the first slice started before we slept */
        Run->Slice[Run->Slices++] = KqSwitchTime[i] - KqSwitchTime[i - 1];
    KqSort(Run->Slice, Run->Slices);
    Run->Median = Run->Slices ? Run->Slice[Run->Slices / 2] : 0;
    DbgPrint("%d switches, slices %llu..%llu us, median %llu us\n", (int)Run->Switches,
             Run->Slices ? Run->Slice[0] / 10 : 0,
             Run->Slices ? Run->Slice[Run->Slices - 1] / 10 : 0, Run->Median / 10);
}

#endif
