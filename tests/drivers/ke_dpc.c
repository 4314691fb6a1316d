/*
 * DPCs: KeInsertQueueDpc returns FALSE while the DPC is queued; the routine
 * runs at DISPATCH_LEVEL with its context and system arguments, once per
 * successful insert, on the processor KeSetTargetProcessorDpc chose;
 * HighImportance DPCs go to the head of the queue; KeRemoveQueueDpc takes
 * a queued DPC out (TRUE) or reports it was not queued (FALSE);
 * KeFlushQueuedDpcs returns after every queued DPC has run; a DPC may
 * queue another DPC, or itself again.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KDPC A, B, C, Self, Remote;
static volatile LONG Order[16], OrderCount;
static volatile LONG BadIrql, SelfRuns, RemoteProcessor = -1, RemoteDone;
static PVOID SeenArg1, SeenArg2, SeenContext;

static VOID Record(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc);
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        BadIrql++;
    LONG n = InterlockedIncrement(&OrderCount) - 1;
    if (n < 16)
        Order[n] = (LONG)(ULONG_PTR)Context;
    SeenContext = Context;
    SeenArg1 = Arg1;
    SeenArg2 = Arg2;
}

static VOID Chain(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    Record(Dpc, Context, Arg1, Arg2);
    KT_CHECK(KeInsertQueueDpc(&B, NULL, NULL));     /* queued from a DPC: runs after this one */
}

static VOID Requeue(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Context); UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    /* a running DPC is no longer queued: it may queue itself again */
    if (++SelfRuns < 3)
        KT_CHECK(KeInsertQueueDpc(Dpc, NULL, NULL));
}

static VOID RemoteRoutine(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        BadIrql++;
    RemoteProcessor = (LONG)KeGetCurrentProcessorNumberEx(NULL);
    KeStallExecutionProcessor(2000);
    RemoteDone = 1;
}

static KDPC Shared;
static volatile LONG SharedInserts, SharedRuns;

static VOID CountRun(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    InterlockedIncrement(&SharedRuns);
}

static VOID Inserter(PVOID Context)
{
    ULONG Processor = (ULONG)(ULONG_PTR)Context % KeQueryActiveProcessorCount(NULL);
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << Processor);
    for (int i = 0; i < 50000; i++)
        if (KeInsertQueueDpc(&Shared, NULL, NULL))  /* runs here as the insert returns */
            InterlockedIncrement(&SharedInserts);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL Old;
    ULONG Cpus = KeQueryActiveProcessorCount(NULL);
    KeSetSystemAffinityThreadEx(1);     /* this thread on processor 0; DPCs default to it */

    /* queued once; runs once, at DISPATCH_LEVEL, with its arguments */
    KeInitializeDpc(&A, Record, (PVOID)1);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_EQ(KeInsertQueueDpc(&A, (PVOID)0x11, (PVOID)0x22), TRUE);
    KT_EQ(KeInsertQueueDpc(&A, (PVOID)0x33, (PVOID)0x44), FALSE);  /* already queued */
    KT_EQ(OrderCount, 0);               /* not at DISPATCH_LEVEL */
    KeLowerIrql(Old);
    KT_EQ(OrderCount, 1);               /* ran as IRQL dropped */
    KT_EQ(SeenContext, (PVOID)1);
    KT_EQ(SeenArg1, (PVOID)0x11);
    KT_EQ(SeenArg2, (PVOID)0x22);
    KT_EQ(KeInsertQueueDpc(&A, NULL, NULL), TRUE);      /* not queued any more */
    KT_EQ(OrderCount, 2);

    /* importance: high goes first */
    OrderCount = 0;
    KeInitializeDpc(&B, Record, (PVOID)2);
    KeInitializeDpc(&C, Record, (PVOID)3);
    KeSetImportanceDpc(&C, HighImportance);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeInsertQueueDpc(&A, NULL, NULL);
    KeInsertQueueDpc(&B, NULL, NULL);
    KeInsertQueueDpc(&C, NULL, NULL);
    KeLowerIrql(Old);
    KT_EQ(OrderCount, 3);
    KT_EQ(Order[0], 3);
    KT_EQ(Order[1], 1);
    KT_EQ(Order[2], 2);

    /* KeRemoveQueueDpc */
    OrderCount = 0;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeInsertQueueDpc(&A, NULL, NULL);
    KeInsertQueueDpc(&B, NULL, NULL);
    KT_EQ(KeRemoveQueueDpc(&A), TRUE);
    KT_EQ(KeRemoveQueueDpc(&A), FALSE);
    KeLowerIrql(Old);
    KT_EQ(OrderCount, 1);
    KT_EQ(Order[0], 2);
    KT_EQ(KeRemoveQueueDpc(&B), FALSE);                 /* it ran */

    /* a DPC that queues another, and one that queues itself */
    OrderCount = 0;
    KeInitializeDpc(&A, Chain, (PVOID)1);
    KeInsertQueueDpc(&A, NULL, NULL);
    KT_EQ(OrderCount, 2);
    KT_EQ(Order[0], 1);
    KT_EQ(Order[1], 2);
    KeInitializeDpc(&Self, Requeue, NULL);
    KeInsertQueueDpc(&Self, NULL, NULL);
    KeFlushQueuedDpcs();
    KT_EQ(SelfRuns, 3);

    /* the target processor, and KeFlushQueuedDpcs waiting for it */
    ULONG Target = Cpus - 1;
    KeInitializeDpc(&Remote, RemoteRoutine, NULL);
    KeSetTargetProcessorDpc(&Remote, (CCHAR)Target);
    KT_EQ(KeInsertQueueDpc(&Remote, NULL, NULL), TRUE);
    KeFlushQueuedDpcs();
    KT_EQ(RemoteDone, 1);
    KT_EQ(RemoteProcessor, (LONG)Target);
    PROCESSOR_NUMBER Number = { .Group = 0, .Number = 0 };
    KT_EQ(KeSetTargetProcessorDpcEx(&Remote, &Number), STATUS_SUCCESS);
    RemoteDone = 0;
    KeInsertQueueDpc(&Remote, NULL, NULL);
    KT_EQ(RemoteDone, 1);               /* on this processor: ran as the insert returned */
    KT_EQ(RemoteProcessor, 0);
    KT_EQ(BadIrql, 0);

    /* threads on every processor race to insert one DPC: each successful
     * insert runs it exactly once */
    KeRevertToUserAffinityThreadEx(0);
    KeInitializeDpc(&Shared, CountRun, NULL);
    PETHREAD R[4];
    for (int i = 0; i < 4; i++)
        R[i] = KtStartThread(Inserter, (PVOID)(ULONG_PTR)i);
    for (int i = 0; i < 4; i++)
        KtJoin(R[i]);
    KeFlushQueuedDpcs();
    DbgPrint("shared DPC: %d inserts, %d runs\n", (int)SharedInserts, (int)SharedRuns);
    KT_EQ(SharedRuns, SharedInserts);
    KT_CHECK(SharedInserts > 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
