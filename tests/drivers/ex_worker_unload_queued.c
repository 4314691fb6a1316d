/* A driver that unloads with an Ex work item still queued (its routine
 * would run after the driver's code is gone): the item is listed, then bug
 * check 0xCE. DriverUnload queues it to the background queue (priority 7),
 * below the unloading thread, on one processor: it is still queued when
 * DriverUnload returns. */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect unloaded with 1 work item still queued
// NTPS-TEST: expect work item .* routine .*TooLate
// NTPS-TEST: expect ^BUGCHECK 0x000000CE
#include <ntddk.h>

static WORK_QUEUE_ITEM Item;

static VOID TooLate(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    KeSetPriorityThread(KeGetCurrentThread(), 9);
    ExInitializeWorkItem(&Item, TooLate, NULL);
    ExQueueWorkItem(&Item, BackgroundWorkQueue);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
