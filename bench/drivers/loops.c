/*
 * bench/drivers/loops.c - compute-bound "driver code" for the preemption
 * point benchmark. Built three times by `ntps cc` (--points none, edges,
 * full) and called directly by ntps_bench.
 */
#include <ntddk.h>

NTPS_EXPORT ULONG64 BenchTightLoop(ULONG64 Iterations)
{
    ULONG64 X = 1;
    for (ULONG64 i = 0; i < Iterations; i++)
        X = X * 6364136223846793005ULL + i;     /* a dependent chain: no vectorizing */
    return X;
}

NTPS_EXPORT ULONG BenchFnv(const UCHAR *Buffer, SIZE_T Length, ULONG Rounds)
{
    ULONG Hash = 2166136261u;
    for (ULONG r = 0; r < Rounds; r++)
        for (SIZE_T i = 0; i < Length; i++)
            Hash = (Hash ^ Buffer[i]) * 16777619u;
    return Hash;
}

NTPS_EXPORT LONG64 BenchSum(const LONG *Values, SIZE_T Count, ULONG Rounds)
{
    LONG64 Sum = 0;
    for (ULONG r = 0; r < Rounds; r++)
        for (SIZE_T i = 0; i < Count; i++)
            Sum += Values[i];
    return Sum;
}

/* The kernels of the targets: each does shared loads and stores
 * (through pointers) every iteration, where mode full puts its points. */

typedef struct _BENCH_ITEM {
    ULONG Key, Count, Flags;
} BENCH_ITEM;

/* Updating an array of records: 3 loads and 2 stores an iteration. */
NTPS_EXPORT VOID BenchStructs(BENCH_ITEM *Items, SIZE_T Count, ULONG Rounds)
{
    for (ULONG r = 0; r < Rounds; r++)
        for (SIZE_T i = 0; i < Count; i++) {
            Items[i].Count += Items[i].Key & 1;
            Items[i].Flags |= Items[i].Count >> 4;
        }
}

/* A copy loop: one load and one store (not vectorized: they may alias). */
NTPS_EXPORT VOID BenchCopy(ULONG *Dst, const ULONG *Src, SIZE_T Count, ULONG Key, ULONG Rounds)
{
    for (ULONG r = 0; r < Rounds; r++)
        for (SIZE_T i = 0; i < Count; i++)
            Dst[i] = Src[i] ^ (Key + r);
}

typedef struct _BENCH_NODE {
    struct _BENCH_NODE *Next;
    LONG64 Value;
} BENCH_NODE;

/* Walking a linked list: two dependent loads a node. */
NTPS_EXPORT LONG64 BenchList(const BENCH_NODE *Head, ULONG Rounds)
{
    LONG64 Sum = 0;
    for (ULONG r = 0; r < Rounds; r++)
        for (const BENCH_NODE *N = Head; N != NULL; N = N->Next)
            Sum += N->Value;
    return Sum;
}

/* A call-heavy loop: a small function that is not inlined, reading and
 * writing a shared record. */
typedef struct _BENCH_STATE {
    ULONG64 Acc;
    ULONG Calls;
} BENCH_STATE;

__attribute__((noinline)) static ULONG64 BenchStep(BENCH_STATE *State, ULONG64 X)
{
    State->Calls++;
    return X * 3 + (State->Acc & 7);
}

NTPS_EXPORT ULONG64 BenchCalls(BENCH_STATE *State, ULONG64 Iterations)
{
    ULONG64 X = 7;
    for (ULONG64 i = 0; i < Iterations; i++)
        X = BenchStep(State, X ^ i);
    State->Acc = X;
    return X;
}

/* A spinning thread body for the simulation-speed benchmark. */
NTPS_EXPORT ULONG64 BenchSpin(volatile LONG *Stop, ULONG64 Limit)
{
    ULONG64 n = 0;
    while (!*Stop && n < Limit)
        n++;
    return n;
}

/* Driver-like work for the race detector's benchmark: updates of a
 * thread's own buffer, and now and then a counter under a spin lock. */
NTPS_EXPORT LONG BenchLockedUpdate(PKSPIN_LOCK Lock, volatile LONG *Shared, LONG *Own, ULONG Rounds)
{
    for (ULONG i = 0; i < Rounds; i++) {
        Own[i & 63] += (LONG)i;
        Own[(i + 1) & 63] ^= Own[i & 63];
        if ((i & 15) == 0) {
            KIRQL Old;
            KeAcquireSpinLock(Lock, &Old);
            *Shared += 1;
            KeReleaseSpinLock(Lock, Old);
        }
    }
    return Own[0];
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    return STATUS_SUCCESS;
}
