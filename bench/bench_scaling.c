/*
 * bench/bench_scaling.c - independent event ping-pong pairs, one pair per
 * virtual processor (both threads of a pair bound to it), on 1, 2, ...
 * processors in realtime. No pair shares an object with another: what
 * they share is the kernel's one dispatcher lock (docs/scaling.md).
 */
#include "bench/bench.h"

#include <stdio.h>

#define SCALING_ROUNDS 50000

#define SCALING_BATCH 500

typedef struct _PAIR {
    KEVENT Ball[2];
    ULONG Processor;
    double Best;        /* best batch of SCALING_BATCH rounds, per round */
} PAIR;

typedef struct _SCALING {
    ULONG Pairs;
    PAIR Pair[MAXIMUM_PROCESSORS];
    double Ns;
} SCALING;

static SCALING *ScalingShared;

static VOID ScalingPlayer(PVOID Context)
{
    ULONG Id = (ULONG)(ULONG_PTR)Context;
    PAIR *P = &ScalingShared->Pair[Id / 2];
    ULONG Side = Id % 2;
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << P->Processor);
    double Batch = BenchNow(), Best = 1e30;
    for (ULONG i = 0; i < SCALING_ROUNDS; i++) {
        KeWaitForSingleObject(&P->Ball[Side], Executive, KernelMode, FALSE, NULL);
        KeSetEvent(&P->Ball[!Side], IO_NO_INCREMENT, FALSE);
        if (Side == 0 && (i + 1) % SCALING_BATCH == 0) {
            double Now = BenchNow();
            if (Now - Batch < Best)
                Best = Now - Batch;
            Batch = Now;
        }
    }
    if (Side == 0)
        P->Best = Best / SCALING_BATCH;
}

static VOID ScalingMatch(PVOID Context)
{
    SCALING *S = Context;
    ScalingShared = S;
    HANDLE Handles[2 * MAXIMUM_PROCESSORS];
    PVOID Threads[2 * MAXIMUM_PROCESSORS];
    KWAIT_BLOCK Blocks[2 * MAXIMUM_PROCESSORS];
    for (ULONG p = 0; p < S->Pairs; p++) {
        S->Pair[p].Processor = p;
        KeInitializeEvent(&S->Pair[p].Ball[0], SynchronizationEvent, FALSE);
        KeInitializeEvent(&S->Pair[p].Ball[1], SynchronizationEvent, FALSE);
    }
    for (ULONG i = 0; i < 2 * S->Pairs; i++) {
        PsCreateSystemThread(&Handles[i], THREAD_ALL_ACCESS, NULL, NULL, NULL, ScalingPlayer, (PVOID)(ULONG_PTR)i);
        ObReferenceObjectByHandle(Handles[i], SYNCHRONIZE, *PsThreadType, KernelMode, &Threads[i], NULL);
        ZwClose(Handles[i]);
    }
    LARGE_INTEGER Settle = { .QuadPart = -20000 };
    KeDelayExecutionThread(KernelMode, FALSE, &Settle);
    double Start = BenchNow();
    for (ULONG p = 0; p < S->Pairs; p++)
        KeSetEvent(&S->Pair[p].Ball[0], IO_NO_INCREMENT, FALSE);
    KeWaitForMultipleObjects(2 * S->Pairs, Threads, WaitAll, Executive, KernelMode, FALSE, NULL, Blocks);
    S->Ns = (BenchNow() - Start) / SCALING_ROUNDS;
    for (ULONG i = 0; i < 2 * S->Pairs; i++)
        ObDereferenceObject(Threads[i]);
}

VOID BenchScaling(VOID)
{
    ULONG Host = HalQueryHostProcessorCount();
    ULONG Max = Host < 4 ? Host : 4;
    static SCALING S;
    double One = 0, OneMean = 0;
    for (ULONG n = 1; n <= Max; n++) {
        S.Pairs = n;
        BenchRunKernel(n, FALSE, ScalingMatch, &S);
        /* Each pair's best batch (the machine may be shared); the slowest
         * pair's is the per-pair figure, the sum of their rates the total. */
        double Worst = 0, Rate = 0;
        for (ULONG p = 0; p < n; p++) {
            if (S.Pair[p].Best > Worst)
                Worst = S.Pair[p].Best;
            Rate += 1e3 / S.Pair[p].Best;
        }
        if (n == 1)
            One = Worst, OneMean = S.Ns;
        char Label[96];
        snprintf(Label, sizeof(Label), "%u independent ping-pong pair(s), %u processor(s)", n, n);
        BenchReport(Label, Worst, "ns/round", "1 pair, 1 processor", One);
        printf("%-44s %10s all pairs %.2f M rounds/s, %.2fx of one pair (ideal %ux); mean over the run %.2fx\n",
               "", "", Rate, Rate * One / 1e3, n, n * OneMean / S.Ns);
    }
}
