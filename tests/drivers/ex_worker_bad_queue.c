/* ExQueueWorkItem with a queue type that names no queue
 * (MaximumWorkQueue): bug check 0xE4 WORKER_INVALID, parameter 1 = 6, in
 * the driver's call. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000E4 \(0x0*6, 0x[0-9A-Fa-f]+, 0x0*7,
// NTPS-TEST: expect ex_worker_bad_queue.*DriverEntry
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
    ExQueueWorkItem(&Item, MaximumWorkQueue);
    return STATUS_SUCCESS;
}
