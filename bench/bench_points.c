/*
 * bench/bench_points.c - what compiled-in preemption points cost driver
 * code: the same loops built with --points none / edges / full, called
 * directly (with __ntps_poll clear, the realtime fast path).
 */
#include "bench/bench.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef ULONG64 (*TIGHT)(ULONG64);
typedef ULONG (*FNV)(const UCHAR *, SIZE_T, ULONG);
typedef LONG64 (*SUM)(const LONG *, SIZE_T, ULONG);

typedef struct _LOOPS {
    void *Handle;
    TIGHT Tight;
    FNV Fnv;
    SUM Sum;
} LOOPS;

static BOOLEAN BenchLoadLoops(const char *Mode, LOOPS *L)
{
    char Path[512];
    snprintf(Path, sizeof(Path), "%s/loops_%s.so", NTPS_BENCH_DIR, Mode);
    L->Handle = dlopen(Path, RTLD_NOW | RTLD_LOCAL);
    if (L->Handle == NULL) {
        fprintf(stderr, "ntps_bench: %s\n", dlerror());
        return FALSE;
    }
    L->Tight = (TIGHT)dlsym(L->Handle, "BenchTightLoop");
    L->Fnv = (FNV)dlsym(L->Handle, "BenchFnv");
    L->Sum = (SUM)dlsym(L->Handle, "BenchSum");
    return L->Tight && L->Fnv && L->Sum;
}

#define N_TIGHT 200000000ULL
#define BUFFER 4096
#define ROUNDS 20000

static volatile ULONG64 Sink;

static void BenchMeasure(LOOPS *L, double Ns[3])
{
    static UCHAR Bytes[BUFFER];
    static LONG Values[BUFFER];
    for (int i = 0; i < BUFFER; i++)
        Bytes[i] = (UCHAR)i, Values[i] = i;
    double Best[3] = { 1e30, 1e30, 1e30 };
    for (int Try = 0; Try < 3; Try++) {     /* best of three: the machine is shared */
        double T = BenchNow();
        Sink += L->Tight(N_TIGHT);
        T = (BenchNow() - T) / N_TIGHT;
        if (T < Best[0]) Best[0] = T;
        T = BenchNow();
        Sink += L->Fnv(Bytes, BUFFER, ROUNDS / 4);
        T = (BenchNow() - T) / ((double)BUFFER * ROUNDS / 4);
        if (T < Best[1]) Best[1] = T;
        T = BenchNow();
        Sink += (ULONG64)L->Sum(Values, BUFFER, ROUNDS);
        T = (BenchNow() - T) / ((double)BUFFER * ROUNDS);
        if (T < Best[2]) Best[2] = T;
    }
    for (int i = 0; i < 3; i++)
        Ns[i] = Best[i];
}

VOID BenchPoints(VOID)
{
    LOOPS None, Edges, Full;
    if (!BenchLoadLoops("none", &None) || !BenchLoadLoops("edges", &Edges) || !BenchLoadLoops("full", &Full))
        return;
    double N[3], E[3], F[3];
    BenchMeasure(&None, N);
    BenchMeasure(&Edges, E);
    BenchMeasure(&Full, F);
    static const char *Names[3] = { "tight dependent loop", "FNV-1a over a buffer", "vectorizable sum" };
    for (int i = 0; i < 3; i++) {
        char Label[96];
        snprintf(Label, sizeof(Label), "%s, points at edges", Names[i]);
        BenchReport(Label, E[i], "ns/iter", "same loop, no points", N[i]);
        snprintf(Label, sizeof(Label), "%s, points everywhere", Names[i]);
        BenchReport(Label, F[i], "ns/iter", "same loop, no points", N[i]);
    }
    dlclose(None.Handle);
    dlclose(Edges.Handle);
    dlclose(Full.Handle);
}
