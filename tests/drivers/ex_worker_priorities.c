/* Each queue type's workers run at its documented priority (Critical 13,
 * Delayed 12, HyperCritical 15, Normal 8, Background 7, RealTime 18,
 * SuperCritical 14, CustomPriorityWorkQueue + n: n), in the System
 * process, at PASSIVE_LEVEL, with the item already dequeued
 * (List.Flink NULL) so the routine may free it or queue it again. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: reject ^VERIFIER
#include <ntddk.h>
#include "ktest.h"

typedef struct _PROBE {
    WORK_QUEUE_ITEM Item;
    WORK_QUEUE_TYPE Type;
    KPRIORITY Expected;
    KEVENT *Done;
    ULONG Runs;
} PROBE;

static const struct { WORK_QUEUE_TYPE Type; KPRIORITY Priority; } Queues[] = {
    { CriticalWorkQueue, 13 }, { DelayedWorkQueue, 12 }, { HyperCriticalWorkQueue, 15 },
    { NormalWorkQueue, 8 }, { BackgroundWorkQueue, 7 }, { RealTimeWorkQueue, 18 },
    { SuperCriticalWorkQueue, 14 }, { (WORK_QUEUE_TYPE)(CustomPriorityWorkQueue + 10), 10 },
    { (WORK_QUEUE_TYPE)(CustomPriorityWorkQueue + 1), 1 }, { (WORK_QUEUE_TYPE)(CustomPriorityWorkQueue + 31), 31 },
};

static VOID Probe(PVOID Parameter)
{
    PROBE *P = Parameter;
    KT_EQ(KeQueryPriorityThread(KeGetCurrentThread()), P->Expected);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_CHECK(PsGetCurrentProcess() == PsInitialSystemProcess);
    KT_CHECK(IoIsSystemThread(PsGetCurrentThread()));
    KT_CHECK(P->Item.List.Flink == NULL);
    /* A routine that changes its worker's priority does not leak it to the next item. */
    KeSetPriorityThread(KeGetCurrentThread(), 3);
    if (++P->Runs == 1) {
        ExQueueWorkItem(&P->Item, P->Type);      /* again, from its own routine */
        return;
    }
    KEVENT *Done = P->Done;
    ExFreePoolWithTag(P, 'borP');              /* and freed by its routine */
    KeSetEvent(Done, 0, FALSE);
}

static VOID Run(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KEVENT Done[RTL_NUMBER_OF(Queues)];
    for (ULONG i = 0; i < RTL_NUMBER_OF(Queues); i++) {
        KeInitializeEvent(&Done[i], NotificationEvent, FALSE);
        PROBE *P = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*P), 'borP');
        KT_CHECK(P != NULL);
        if (P == NULL)
            return;
        P->Type = Queues[i].Type;
        P->Expected = Queues[i].Priority;
        P->Done = &Done[i];
        ExInitializeWorkItem(&P->Item, Probe, P);
        ExQueueWorkItem(&P->Item, P->Type);
        /* Not the queuer's wait on its own item: a timed poll. */
        LARGE_INTEGER Step = { .QuadPart = KT_MS(5) };
        while (KeWaitForSingleObject(&Done[i], Executive, KernelMode, FALSE, &Step) == STATUS_TIMEOUT)
            ;
    }
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    PETHREAD Thread = KtStartThread(Run, NULL);
    KT_CHECK(Thread != NULL);
    if (Thread != NULL)
        ObDereferenceObject(Thread);
    return STATUS_SUCCESS;
}
