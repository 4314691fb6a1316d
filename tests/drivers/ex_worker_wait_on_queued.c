/* The rule WaitOnQueuedWork: a thread queues a work item and waits on the
 * event its routine sets, from before a worker took the item. It works
 * here (a worker was free), but with every worker busy it would wait for
 * ever. One processor: the queuing thread (priority 15) blocks before the
 * worker (priority 12) runs. Reported, and the run goes on. */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^VERIFIER WaitOnQueuedWork: thread .* waits at .*Queuer.* on .* work routine .*SetsEvent
// NTPS-TEST: expect ^driver: ex_worker_wait_on_queued.*SetsEvent
#include <ntddk.h>
#include "ktest.h"

static WORK_QUEUE_ITEM Item;
static KEVENT Done;

static VOID SetsEvent(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    KeSetEvent(&Done, 0, FALSE);
}

static VOID Queuer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetPriorityThread(KeGetCurrentThread(), 15);
    ExInitializeWorkItem(&Item, SetsEvent, NULL);
    ExQueueWorkItem(&Item, DelayedWorkQueue);
    KT_EQ(KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Done, NotificationEvent, FALSE);
    PETHREAD Thread = KtStartThread(Queuer, NULL);
    KT_CHECK(Thread != NULL);
    if (Thread != NULL)
        ObDereferenceObject(Thread);
    return STATUS_SUCCESS;
}
