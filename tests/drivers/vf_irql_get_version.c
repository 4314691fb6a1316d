/*
 * IRQL audit: PsGetVersion is one of the routines of the IrqlPsPassive rule
 * (PASSIVE_LEVEL only); called while holding a fast mutex (APC_LEVEL) it is
 * bug check 0xC4/0x2001C, naming the driver.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x000000000002001c, 0x0000000000000001, 0x0000000000000000,
// NTPS-TEST: expect ^driver: vf_irql_get_version.so
// NTPS-TEST: reject ^returned$
#include <ntddk.h>

static FAST_MUTEX Lock;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeFastMutex(&Lock);
    ExAcquireFastMutex(&Lock);
    ULONG Major;
    PsGetVersion(&Major, NULL, NULL, NULL);
    DbgPrint("returned\n");
    ExReleaseFastMutex(&Lock);
    return STATUS_SUCCESS;
}
