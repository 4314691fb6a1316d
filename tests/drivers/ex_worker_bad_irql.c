/* A work routine that returns at DISPATCH_LEVEL (a spin lock still held):
 * bug check 0xE1 WORKER_THREAD_RETURNED_AT_BAD_IRQL (routine, IRQL,
 * parameter, item). */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000E1
// NTPS-TEST: expect WORKER_THREAD_RETURNED_AT_BAD_IRQL
// NTPS-TEST: expect work item routine .*LeaksLock.* returned at IRQL 2
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

static WORK_QUEUE_ITEM Item;
static KSPIN_LOCK Lock;

static VOID LeaksLock(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    KIRQL Old;
    KeAcquireSpinLock(&Lock, &Old);     /* never released */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&Lock);
    ExInitializeWorkItem(&Item, LeaksLock, NULL);
    ExQueueWorkItem(&Item, DelayedWorkQueue);
    return STATUS_SUCCESS;
}
