/* The rule WaitOnQueuedWork as a deadlock: each work routine queues the
 * next item to its own queue and waits for it. The queue grows a worker
 * per waiting routine up to its limit; then the next item can never run,
 * every thread waits, and the run ends as a deadlock naming the waiters. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 5
// NTPS-TEST: expect ^VERIFIER WaitOnQueuedWork: deadlock: thread .* waits at .*Link.* in the work routine .*Link.* while item .* it queued \(.*Link.*\) cannot run: the priority 12 queue has its 32 workers \(the limit\) busy, the waiter among them$
// NTPS-TEST: expect ntps: deadlock
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

typedef struct _LINK {
    WORK_QUEUE_ITEM Item;
    KEVENT Done;
} LINK;

static VOID Link(PVOID Parameter)
{
    LINK *Self = Parameter;
    LINK *Next = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*Next), 'kniL');
    if (Next != NULL) {
        KeInitializeEvent(&Next->Done, NotificationEvent, FALSE);
        ExInitializeWorkItem(&Next->Item, Link, Next);
        ExQueueWorkItem(&Next->Item, DelayedWorkQueue);
        KeWaitForSingleObject(&Next->Done, Executive, KernelMode, FALSE, NULL);
        ExFreePoolWithTag(Next, 'kniL');
    }
    KeSetEvent(&Self->Done, 0, FALSE);
}

static LINK First;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&First.Done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&First.Item, Link, &First);
    ExQueueWorkItem(&First.Item, DelayedWorkQueue);
    return STATUS_SUCCESS;
}
