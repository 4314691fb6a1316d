/* The same WORK_QUEUE_ITEM queued while it is still queued: bug check 0xE4
 * WORKER_INVALID, parameter 1 = 1 (parameter 2 the item). Queued at
 * DISPATCH_LEVEL on one processor, so no worker can take it in between. */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000E4 \(0x0*1,
// NTPS-TEST: expect WORKER_INVALID
// NTPS-TEST: expect DriverEntry
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

static WORK_QUEUE_ITEM Item;

static VOID Routine(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeWorkItem(&Item, Routine, NULL);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    ExQueueWorkItem(&Item, DelayedWorkQueue);
    ExQueueWorkItem(&Item, DelayedWorkQueue);
    KeLowerIrql(Old);
    return STATUS_SUCCESS;
}
