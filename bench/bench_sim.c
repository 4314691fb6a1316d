/*
 * bench/bench_sim.c - how fast simulation mode runs driver code: two
 * threads spinning in instrumented driver code on two simulated
 * processors, counted in preemption points per host second; beside it the
 * same threads in realtime.
 */
#include "bench/bench.h"

#include <dlfcn.h>
#include <stdio.h>

typedef ULONG64 (*SPIN)(volatile LONG *, ULONG64);

typedef struct _SIMRUN {
    SPIN Spin;
    ULONG64 Limit;
    volatile LONG Stop;
    double Ns;
    ULONG64 Iterations;
} SIMRUN;

static SIMRUN *SimShared;

static VOID Spinner(PVOID Context)
{
    (void)Context;
    ULONG64 n = SimShared->Spin(&SimShared->Stop, SimShared->Limit);
    InterlockedAdd64((LONG64 volatile *)&SimShared->Iterations, (LONG64)n);
}

static VOID SimBody(PVOID Context)
{
    SIMRUN *S = Context;
    SimShared = S;
    double Start = BenchNow();
    HANDLE H[2];
    PVOID T[2];
    for (int i = 0; i < 2; i++) {
        PsCreateSystemThread(&H[i], THREAD_ALL_ACCESS, NULL, NULL, NULL, Spinner, NULL);
        ObReferenceObjectByHandle(H[i], SYNCHRONIZE, *PsThreadType, KernelMode, &T[i], NULL);
        ZwClose(H[i]);
    }
    KeWaitForMultipleObjects(2, T, WaitAll, Executive, KernelMode, FALSE, NULL, NULL);
    ObDereferenceObject(T[0]);
    ObDereferenceObject(T[1]);
    S->Ns = BenchNow() - Start;
}

VOID BenchSimulation(VOID)
{
    char Path[512];
    snprintf(Path, sizeof(Path), "%s/loops_full.so", NTPS_BENCH_DIR);
    void *Handle = dlopen(Path, RTLD_NOW | RTLD_LOCAL);
    if (Handle == NULL)
        return;
    SPIN Spin = (SPIN)dlsym(Handle, "BenchSpin");
    SIMRUN Sim = { .Spin = Spin, .Limit = 5000000 };
    BenchRunKernel(2, TRUE, SimBody, &Sim);
    SIMRUN Real = { .Spin = Spin, .Limit = 5000000 };
    BenchRunKernel(2, FALSE, SimBody, &Real);
    /* each iteration of the spin loop passes about three preemption points */
    BenchReport("simulation: spin-loop iterations, 2 cpus", Sim.Ns / Sim.Iterations, "ns/iter",
                "realtime, 2 processors", Real.Ns / Real.Iterations);
    printf("%-44s %10.2f M iterations/s of simulated driver code\n", "simulation speed",
           Sim.Iterations / (Sim.Ns / 1e9) / 1e6);
    dlclose(Handle);
}
