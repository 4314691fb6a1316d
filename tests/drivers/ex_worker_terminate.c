/* A work routine that ends its worker thread: bug check 0xE9
 * ACTIVE_EX_WORKER_THREAD_TERMINATION (parameter 1 the thread). */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000E9
// NTPS-TEST: expect ACTIVE_EX_WORKER_THREAD_TERMINATION
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

static WORK_QUEUE_ITEM Item;

static VOID EndsItsWorker(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeWorkItem(&Item, EndsItsWorker, NULL);
    ExQueueWorkItem(&Item, DelayedWorkQueue);
    return STATUS_SUCCESS;
}
