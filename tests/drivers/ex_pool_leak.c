/* A driver that unloads with pool still allocated: each block is reported
 * with its tag and size, then Driver Verifier's bug check 0xC4/0x62. */
// NTPS-TEST: modes rt2 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect leaked pool: .* 40 bytes +tag 'Leak' +nonpaged
// NTPS-TEST: expect leaked pool: .* 7000 bytes +tag 'Leak' +paged
// NTPS-TEST: expect ntps: ex_pool_leak.so unloaded with 2 pool allocations \(7040 bytes\) not freed
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000000062,
#include <ntddk.h>

static PVOID Kept[3];

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExFreePoolWithTag(Kept[2], 'peeK');
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    Kept[0] = ExAllocatePool2(POOL_FLAG_NON_PAGED, 40, 'kaeL');
    Kept[1] = ExAllocatePool2(POOL_FLAG_PAGED, 7000, 'kaeL');
    Kept[2] = ExAllocatePool2(POOL_FLAG_PAGED, 10, 'peeK');
    return STATUS_SUCCESS;
}
