/*
 * A fault inside the kernel while this processor holds the dispatcher lock
 * (KeSetEvent on a bad pointer) is an internal error with a report, not an
 * exception a driver could catch and go on from with the lock held.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 70
// NTPS-TEST: expect ^ntps: internal error: exception 0xC0000005 at .* while this processor holds the dispatcher lock
// NTPS-TEST: reject handler ran
#include <ntddk.h>

static volatile ULONG_PTR BadAddress = 0x58;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    __try {
        KeSetEvent((PKEVENT)BadAddress, 0, FALSE);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        DbgPrint("handler ran\n");
    }
    return STATUS_SUCCESS;
}
