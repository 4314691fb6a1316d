/*
 * bench/bench_points.c - what compiled-in preemption points cost driver
 * code in realtime: the same kernels (bench/drivers/loops.c, interp.c)
 * built with --points none / edges / full / dual (the default), called
 * directly with __ntps_poll clear, the realtime fast path. The target is
 * the default build against --points none; edges and full are shown for
 * comparison, and the code size of each build.
 */
#include "bench/bench.h"

#include <dlfcn.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct _BENCH_ITEM { ULONG Key, Count, Flags; } BENCH_ITEM;
typedef struct _BENCH_NODE { struct _BENCH_NODE *Next; LONG64 Value; } BENCH_NODE;
typedef struct _BENCH_STATE { ULONG64 Acc; ULONG Calls; } BENCH_STATE;

typedef struct _LOOPS {
    void *Handle;
    ULONG64 (*Tight)(ULONG64);
    ULONG (*Fnv)(const UCHAR *, SIZE_T, ULONG);
    LONG64 (*Sum)(const LONG *, SIZE_T, ULONG);
    VOID (*Structs)(BENCH_ITEM *, SIZE_T, ULONG);
    VOID (*Copy)(ULONG *, const ULONG *, SIZE_T, ULONG, ULONG);
    LONG64 (*List)(const BENCH_NODE *, ULONG);
    ULONG64 (*Calls)(BENCH_STATE *, ULONG64);
    ULONG64 (*Interp)(PVOID, SIZE_T);
    unsigned long Text;     /* .text bytes of the module */
} LOOPS;

enum { K_STRUCTS, K_COPY, K_FNV, K_LIST, K_CALLS, K_INTERP, K_TIGHT, K_SUM, K_COUNT };
static const char *KernelNames[K_COUNT] = {
    "array-of-structs update", "copy loop", "hash loop (FNV-1a)", "linked-list walk",
    "call-heavy loop", "Lua-like interpreter program", "tight loop, no memory", "vectorized sum",
};
static const char *KernelUnits[K_COUNT] = {
    "ns/item", "ns/word", "ns/byte", "ns/node", "ns/call", "us/run", "ns/iter", "ns/int",
};

#define MODES 4
static const char *ModeNames[MODES] = { "none", "edges", "full", "dual" };

static unsigned long BenchTextSize(const char *Path)
{
    FILE *F = fopen(Path, "rb");
    unsigned long Size = 0;
    Elf64_Ehdr Eh;
    if (F == NULL)
        return 0;
    if (fread(&Eh, sizeof(Eh), 1, F) == 1 && Eh.e_shentsize == sizeof(Elf64_Shdr)) {
        Elf64_Shdr *Sh = calloc(Eh.e_shnum, sizeof(Elf64_Shdr));
        char *Names = NULL;
        if (Sh != NULL && fseek(F, (long)Eh.e_shoff, SEEK_SET) == 0 &&
            fread(Sh, sizeof(Elf64_Shdr), Eh.e_shnum, F) == Eh.e_shnum && Eh.e_shstrndx < Eh.e_shnum) {
            Names = malloc(Sh[Eh.e_shstrndx].sh_size + 1);
            if (Names != NULL && fseek(F, (long)Sh[Eh.e_shstrndx].sh_offset, SEEK_SET) == 0 &&
                fread(Names, 1, Sh[Eh.e_shstrndx].sh_size, F) == Sh[Eh.e_shstrndx].sh_size)
                for (int i = 0; i < Eh.e_shnum; i++)
                    if (Sh[i].sh_name < Sh[Eh.e_shstrndx].sh_size && !strcmp(Names + Sh[i].sh_name, ".text"))
                        Size = Sh[i].sh_size;
        }
        free(Names);
        free(Sh);
    }
    fclose(F);
    return Size;
}

static BOOLEAN BenchLoadLoops(const char *Mode, LOOPS *L)
{
    char Path[512];
    snprintf(Path, sizeof(Path), "%s/loops_%s.so", NTPS_BENCH_DIR, Mode);
    L->Handle = dlopen(Path, RTLD_NOW | RTLD_LOCAL);
    if (L->Handle == NULL) {
        fprintf(stderr, "ntps_bench: %s\n", dlerror());
        return FALSE;
    }
    L->Text = BenchTextSize(Path);
    L->Tight = (ULONG64 (*)(ULONG64))dlsym(L->Handle, "BenchTightLoop");
    L->Fnv = (ULONG (*)(const UCHAR *, SIZE_T, ULONG))dlsym(L->Handle, "BenchFnv");
    L->Sum = (LONG64 (*)(const LONG *, SIZE_T, ULONG))dlsym(L->Handle, "BenchSum");
    L->Structs = (VOID (*)(BENCH_ITEM *, SIZE_T, ULONG))dlsym(L->Handle, "BenchStructs");
    L->Copy = (VOID (*)(ULONG *, const ULONG *, SIZE_T, ULONG, ULONG))dlsym(L->Handle, "BenchCopy");
    L->List = (LONG64 (*)(const BENCH_NODE *, ULONG))dlsym(L->Handle, "BenchList");
    L->Calls = (ULONG64 (*)(BENCH_STATE *, ULONG64))dlsym(L->Handle, "BenchCalls");
    L->Interp = (ULONG64 (*)(PVOID, SIZE_T))dlsym(L->Handle, "BenchInterpreter");
    return L->Tight && L->Fnv && L->Sum && L->Structs && L->Copy && L->List && L->Calls && L->Interp;
}

#define BUFFER 4096
#define ITEMS 4096
#define NODES 4096
#define ARENA (1u << 20)

static volatile ULONG64 Sink;

typedef struct _DATA {
    UCHAR Bytes[BUFFER];
    LONG Values[BUFFER];
    BENCH_ITEM Items[ITEMS];
    ULONG Src[BUFFER], Dst[BUFFER];
    BENCH_NODE Nodes[NODES];
    BENCH_NODE *Head;
    BENCH_STATE State;
    PVOID Arena;
} DATA;

/* One timing of kernel K in L, in its unit: short (0.1-1 ms), so that the
 * best of many runs is one that no other process interrupted. */
static double BenchOnce(LOOPS *L, DATA *D, int K)
{
    double T = BenchNow(), Per = 1;
    switch (K) {
    case K_STRUCTS: L->Structs(D->Items, ITEMS, 32); Per = (double)ITEMS * 32; break;
    case K_COPY: L->Copy(D->Dst, D->Src, BUFFER, 0x5a5a5a5a, 64); Per = (double)BUFFER * 64; break;
    case K_FNV: Sink += L->Fnv(D->Bytes, BUFFER, 64); Per = (double)BUFFER * 64; break;
    case K_LIST: Sink += (ULONG64)L->List(D->Head, 32); Per = (double)NODES * 32; break;
    case K_CALLS: Sink += L->Calls(&D->State, 200000); Per = 200000; break;
    case K_INTERP: Sink += L->Interp(D->Arena, ARENA); Per = 1e3; break;
    case K_TIGHT: Sink += L->Tight(200000); Per = 200000; break;
    case K_SUM: Sink += (ULONG64)L->Sum(D->Values, BUFFER, 128); Per = (double)BUFFER * 128; break;
    }
    return (BenchNow() - T) / Per;
}

static DATA *BenchData(VOID)
{
    DATA *D = calloc(1, sizeof(DATA));
    if (D == NULL || (D->Arena = malloc(ARENA)) == NULL) {
        fprintf(stderr, "ntps_bench: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < BUFFER; i++)
        D->Bytes[i] = (UCHAR)i, D->Values[i] = i, D->Src[i] = (ULONG)i * 2654435761u;
    for (int i = 0; i < ITEMS; i++)
        D->Items[i].Key = (ULONG)i * 7;
    /* The list visits the nodes in a scrambled order, as a heap would. */
    ULONG Order[NODES];
    for (ULONG i = 0; i < NODES; i++)
        Order[i] = i;
    for (ULONG i = NODES - 1; i > 0; i--) {
        ULONG j = (i * 2654435761u) % (i + 1), t = Order[i];
        Order[i] = Order[j], Order[j] = t;
    }
    for (ULONG i = 0; i < NODES; i++) {
        D->Nodes[Order[i]].Value = i;
        D->Nodes[Order[i]].Next = i + 1 < NODES ? &D->Nodes[Order[i + 1]] : NULL;
    }
    D->Head = &D->Nodes[Order[0]];
    return D;
}

VOID BenchPoints(VOID)
{
    LOOPS L[MODES];
    for (int m = 0; m < MODES; m++)
        if (!BenchLoadLoops(ModeNames[m], &L[m]))
            return;
    DATA *D = BenchData();
    double Best[MODES][K_COUNT];
    for (int m = 0; m < MODES; m++)
        for (int k = 0; k < K_COUNT; k++)
            Best[m][k] = 1e30;
    /* The builds take turns, kernel by kernel, many times: the machine is
     * shared, and the best of each is kept. */
    for (int Try = 0; Try < 40; Try++)
        for (int k = 0; k < K_COUNT; k++)
            for (int m = 0; m < MODES; m++) {
                double T = BenchOnce(&L[m], D, k);
                if (T < Best[m][k])
                    Best[m][k] = T;
            }
    for (int k = 0; k < K_COUNT; k++) {
        char Label[96];
        snprintf(Label, sizeof(Label), "%s, default build (dual)", KernelNames[k]);
        BenchReport(Label, Best[3][k], KernelUnits[k], "same code, --points none", Best[0][k]);
        double Slowdown = Best[3][k] / Best[0][k];
        char Goal[96];
        if (k <= K_CALLS) {
            snprintf(Goal, sizeof(Goal), "dual/none <= 1.10x, must <= 1.25x [%.3fx]", Slowdown);
            BenchGoal2(Goal, Slowdown <= 1.10, Slowdown <= 1.25);
        } else if (k == K_INTERP) {
            snprintf(Goal, sizeof(Goal), "whole-program overhead < 5%% [%.1f%%]", (Slowdown - 1) * 100);
            BenchGoal(Goal, Slowdown < 1.05);
        }
    }
    for (int k = 0; k < K_COUNT; k++) {
        printf("%-44s %10s edges %.2fx, full %.2fx, dual %.2fx (time / none)\n", KernelNames[k], "",
               Best[1][k] / Best[0][k], Best[2][k] / Best[0][k], Best[3][k] / Best[0][k]);
    }
    printf("%-44s %10s none %lu, edges %lu (%.2fx), full %lu (%.2fx), dual %lu (%.2fx)\n", "code size (.text bytes)",
           "", L[0].Text, L[1].Text, (double)L[1].Text / L[0].Text, L[2].Text, (double)L[2].Text / L[0].Text,
           L[3].Text, (double)L[3].Text / L[0].Text);
    fflush(stdout);
    free(D->Arena);
    free(D);
    for (int m = 0; m < MODES; m++)
        dlclose(L[m].Handle);
}
