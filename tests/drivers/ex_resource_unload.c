/*
 * A driver unloads with a global ERESOURCE still initialized (DriverUnload
 * forgets ExDeleteResourceLite): the system's list of resources would point
 * into the unloaded image. Bug check 0xCE
 * DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, naming it.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000CE
// NTPS-TEST: expect ex_resource_unload.so unloaded with the resource 0x[0-9a-f]+ \(ex_resource_unload.so.*Table.*\) still initialized
#include <ntddk.h>

ERESOURCE Table;

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    ExInitializeResourceLite(&Table);
    return STATUS_SUCCESS;
}
