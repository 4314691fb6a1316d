/*
 * Fault injection, --inject=each, the other two ways a driver does not
 * survive a failed call: its failure path leaks (the second allocation
 * fails and DriverEntry returns without freeing the first: the leak at
 * unload is a bug check), and it hangs (PsCreateSystemThread fails, its
 * status ignored, and DriverEntry waits for the thread's signal forever:
 * the simulation finds every thread waiting with nothing to wake them).
 * Both sites are named; the first allocation's failure is survived.
 */
// NTPS-TEST: modes sim1
// NTPS-TEST: args --inject each
// NTPS-TEST: exit 7
// NTPS-TEST: expect ^ntps: inject: site 2 \([0-9a-f]+\): the drivers did not survive ExAllocatePoolWithTag failing at:$
// NTPS-TEST: expect ^ntps: inject: site 3 \([0-9a-f]+\): the drivers did not survive PsCreateSystemThread failing at:$
// NTPS-TEST: expect ^  result: exit status 5 \(deadlock\)$
// NTPS-TEST: expect unloaded with 1 pool allocation
// NTPS-TEST: expect ^ntps: inject: 3 call sites failed in turn: 1 survived, 2 not survived$
#include <ntddk.h>

static KEVENT Started;
static PVOID First, Second;

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetEvent(&Started, IO_NO_INCREMENT, FALSE);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExFreePoolWithTag(Second, 'kaeL');
    ExFreePoolWithTag(First, 'kaeL');
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    First = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'kaeL');
    if (First == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Second = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'kaeL');
    if (Second == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;       /* First leaks */
    KeInitializeEvent(&Started, NotificationEvent, FALSE);
    HANDLE Thread;
    PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, Worker, NULL);
    KeWaitForSingleObject(&Started, Executive, KernelMode, FALSE, NULL);
    ZwClose(Thread);
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
