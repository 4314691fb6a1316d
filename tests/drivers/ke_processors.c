/*
 * Processors: KeQueryActiveProcessorCount(Ex) and the active set match the
 * --cpus count; KeGetCurrentProcessorNumberEx is within it (group 0), and
 * every processor runs threads.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Seen;

static VOID OnProcessor(PVOID Context)
{
    ULONG Number = (ULONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << Number);
    PROCESSOR_NUMBER P;
    KT_EQ(KeGetCurrentProcessorNumberEx(&P), Number);
    KT_EQ(P.Group, 0);
    KT_EQ(P.Number, Number);
    InterlockedOr(&Seen, 1 << Number);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KAFFINITY Active;
    ULONG Count = KeQueryActiveProcessorCount(&Active);
    DbgPrint("%u processors\n", Count);
    KT_CHECK(Count >= 1 && Count <= 32);
    KT_EQ(Active, ((KAFFINITY)1 << Count) - 1);
    KT_EQ(KeQueryActiveProcessors(), Active);
    KT_EQ(KeQueryActiveProcessorCountEx(0), Count);
    KT_EQ(KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS), Count);
    KT_EQ(KeQueryActiveGroupCount(), 1);
    KT_EQ(KeQueryMaximumProcessorCount(), Count);
    PROCESSOR_NUMBER P;
    ULONG Me = KeGetCurrentProcessorNumberEx(&P);
    KT_CHECK(Me < Count);
    KT_EQ(P.Group, 0);
    KT_EQ(P.Number, Me);
    KT_EQ(KeGetCurrentProcessorNumber(), KeGetCurrentProcessorNumberEx(NULL));
    PETHREAD T[32];
    for (ULONG i = 0; i < Count; i++)
        T[i] = KtStartThread(OnProcessor, (PVOID)(ULONG_PTR)i);
    for (ULONG i = 0; i < Count; i++)
        KtJoin(T[i]);
    KT_EQ(Seen, (1 << Count) - 1);
    KT_DONE();
    return STATUS_SUCCESS;
}
