/* An Ex work item whose routine still runs when DriverUnload returns:
 * Windows would unmap the driver under it (the race Io work items close).
 * ntps waits for the routine and reports WorkItemRunningAtUnload. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^VERIFIER WorkItemRunningAtUnload: the work item routine .*SlowRoutine.* was still running
// NTPS-TEST: expect ^PASS$
#include <ntddk.h>
#include "ktest.h"

static WORK_QUEUE_ITEM Item;
static volatile LONG Started, Finished;

static VOID SlowRoutine(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    InterlockedExchange(&Started, 1);
    KtSleep(50);
    InterlockedExchange(&Finished, 1);
    KT_DONE();
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExInitializeWorkItem(&Item, SlowRoutine, NULL);
    ExQueueWorkItem(&Item, CriticalWorkQueue);
    while (!ReadAcquire(&Started))
        KtSleep(1);
    KT_CHECK(!ReadAcquire(&Finished));
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
