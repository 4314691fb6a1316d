/* Freeing the same block twice: bug check 0xC4/0x13 (freed already). */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: labels nosan
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000000013,
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PVOID P = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, 'lbuD');
    ExFreePoolWithTag(P, 'lbuD');
    ExFreePoolWithTag(P, 'lbuD');
    return STATUS_SUCCESS;
}
