// NTPS-TEST: modes sim1 sim2
/*
 * Drivers print addresses: pool blocks, objects, stack variables, code. A
 * simulated run must print the same ones on every replay of its seed, as it
 * prints the same everything else (tests/scripts/test_bb_sim_addresses.sh
 * compares two runs; here the run itself must just work).
 */
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Shared;

static KSTART_ROUTINE Worker;
static VOID Worker(PVOID Context)
{
    PVOID Block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64 + 32 * (ULONG_PTR)Context, 'rddA');
    ULONG Local = 0;
    for (int i = 0; i < 2000; i++)
        Shared++;
    DbgPrint("worker %Iu: pool %p stack %p thread %p tid %p\n", (ULONG_PTR)Context, Block, (PVOID)&Local,
             (PVOID)PsGetCurrentThread(), PsGetCurrentThreadId());
    KT_CHECK(Block != NULL);
    if (Block != NULL)
        ExFreePoolWithTag(Block, 'rddA');
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    PETHREAD Threads[3];
    for (ULONG_PTR i = 0; i < 3; i++)
        Threads[i] = KtStartThread(Worker, (PVOID)i);
    for (int i = 0; i < 3; i++)
        KtJoin(Threads[i]);
    DbgPrint("driver object %p entry %p shared %d\n", (PVOID)DriverObject, (PVOID)DriverEntry, Shared);
    KT_DONE();
    return STATUS_SUCCESS;
}
