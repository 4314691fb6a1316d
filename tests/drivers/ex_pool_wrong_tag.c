/* Freeing with another tag than the allocation's: BAD_POOL_CALLER 0x0A
 * (P2 the block, P3 the allocator's tag, P4 the tag used). */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C2 \(0x000000000000000a, 0x[0-9a-f]+, 0x0000000000000041, 0x0000000000000042\)
// NTPS-TEST: expect ^BAD_POOL_CALLER
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PVOID P = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, 'A');
    ExFreePoolWithTag(P, 'B');
    return STATUS_SUCCESS;
}
