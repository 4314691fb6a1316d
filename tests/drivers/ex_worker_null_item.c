/* ExQueueWorkItem(NULL): bug check 0xE4 WORKER_INVALID, parameter 1 = 7
 * (no item, or no routine), in the driver's call. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000E4 \(0x0*7, 0x0+,
// NTPS-TEST: expect ex_worker_null_item.*DriverEntry
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    ExQueueWorkItem(NULL, DelayedWorkQueue);
    return STATUS_SUCCESS;
}
