/*
 * A driver unloads without deleting its lookaside list: bug check 0xCE
 * DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS (lookaside lists
 * are among what Windows names for it), naming the list.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000CE
// NTPS-TEST: expect unloaded with 1 lookaside list not deleted, the first the paged lookaside list 0x[0-9a-f]+ \(ex_lookaside_unload.so.*Cache
#include <ntddk.h>

PAGED_LOOKASIDE_LIST Cache;

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    ExInitializePagedLookasideList(&Cache, NULL, NULL, 0, 32, 'hcaC', 0);
    return STATUS_SUCCESS;
}
