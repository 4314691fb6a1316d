/*
 * bench/bench_pool.c - what special pool costs: ExAllocatePool2 and
 * ExFreePool on the normal pool (what a driver gets with --special-pool off
 * or --verifier=off, and ntps's own allocations always), and the same block
 * from special pool (pages of its own, a guard page, the pattern checked
 * at the free, the pages unmapped into the quarantine), beside the host's
 * malloc/free.
 */
#include "bench/bench.h"

#include <stdlib.h>

#define POOL_ROUNDS 200000
#define SPECIAL_ROUNDS 20000
#define POOL_SIZE 100

static volatile ULONG_PTR Sink;

static VOID BenchPoolRoutine(PVOID Context)
{
    double *Ns = Context;
    double Best[2] = { 1e30, 1e30 };
    for (int Try = 0; Try < 3; Try++) {
        double T = BenchNow();
        for (int i = 0; i < POOL_ROUNDS; i++) {
            PVOID P = ExAllocatePool2(POOL_FLAG_NON_PAGED, POOL_SIZE, 'hcnB');
            Sink += (ULONG_PTR)P;
            ExFreePool(P);
        }
        T = (BenchNow() - T) / POOL_ROUNDS;
        if (T < Best[0]) Best[0] = T;
        if (!ExpSpecialPoolEnabled())
            continue;
        T = BenchNow();
        for (int i = 0; i < SPECIAL_ROUNDS; i++) {
            PVOID P = ExpAllocateSpecial(POOL_SIZE, 16, 'hcnB', FALSE, NULL, NULL);
            EXP_POOL_BLOCK_INFO Info;
            ExpSpecialBlockInfo(P, &Info);
            Sink += (ULONG_PTR)P;
            ExpFreeSpecial(P, NULL);
        }
        T = (BenchNow() - T) / SPECIAL_ROUNDS;
        if (T < Best[1]) Best[1] = T;
    }
    Ns[0] = Best[0];
    Ns[1] = Best[1] < 1e30 ? Best[1] : 0;
}

VOID BenchPool(VOID)
{
    double Ns[2];
    BenchRunKernel(1, FALSE, BenchPoolRoutine, Ns);
    double Best = 1e30;
    for (int Try = 0; Try < 3; Try++) {
        double T = BenchNow();
        for (int i = 0; i < POOL_ROUNDS; i++) {
            void *P = malloc(POOL_SIZE);
            Sink += (ULONG_PTR)P;
            free(P);
        }
        T = (BenchNow() - T) / POOL_ROUNDS;
        if (T < Best) Best = T;
    }
    BenchReport("pool alloc+free 100 B (special pool off)", Ns[0], "ns", "malloc+free", Best);
    if (Ns[1] > 0)
        BenchReport("pool alloc+free 100 B (special pool on)", Ns[1], "ns", "malloc+free", Best);
}
