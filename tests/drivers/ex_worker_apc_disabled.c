/* A work routine that returns inside a critical region (APCs disabled):
 * bug check 0x1 APC_INDEX_MISMATCH with parameter 4 = 1 (a worker routine),
 * parameter 3 the thread's CombinedApcDisable. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000001 \(0x[0-9A-Fa-f]+, 0x0+, 0x0*ffff, 0x0*1\)
// NTPS-TEST: expect returned inside a critical or guarded region
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

static WORK_QUEUE_ITEM Item;

static VOID LeavesApcsOff(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    KeEnterCriticalRegion();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeWorkItem(&Item, LeavesApcsOff, NULL);
    ExQueueWorkItem(&Item, CriticalWorkQueue);
    return STATUS_SUCCESS;
}
