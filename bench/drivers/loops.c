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

/* A spinning thread body for the simulation-speed benchmark. */
NTPS_EXPORT ULONG64 BenchSpin(volatile LONG *Stop, ULONG64 Limit)
{
    ULONG64 n = 0;
    while (!*Stop && n < Limit)
        n++;
    return n;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    return STATUS_SUCCESS;
}
