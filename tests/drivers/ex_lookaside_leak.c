/*
 * An entry taken from a lookaside list and never given back: the entry is
 * pool the driver allocated (its call site, the list's tag), so the unload
 * lists it as leaked with tag 'kaeL' and ends with 0xC4/0x62, as for any
 * other pool. The list itself was deleted properly.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect leaked pool: .* 64 bytes  tag 'Leak'
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000000062,
#include <ntddk.h>

static NPAGED_LOOKASIDE_LIST List;

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExDeleteNPagedLookasideList(&List);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    ExInitializeNPagedLookasideList(&List, NULL, NULL, 0, 64, 'kaeL', 0);
    PVOID Entry = ExAllocateFromNPagedLookasideList(&List);
    return Entry != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}
