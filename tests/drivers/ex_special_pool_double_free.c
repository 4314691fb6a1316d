/*
 * Special pool: freeing a block twice is Driver Verifier's 0xC4/0x13 (pool
 * already freed), with where it was allocated and first freed.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000000013, 0x0000000000000000, 0x[0-9a-f]+, 0x0000000000000000\)
// NTPS-TEST: expect ^special pool block 0x[0-9a-f]+ freed a second time
// NTPS-TEST: expect ^driver: ex_special_pool_double_free.so$
// NTPS-TEST: expect ^freed at:$
// NTPS-TEST: expect ^  #0 +0x[0-9a-f]+  ex_special_pool_double_free.so!Cleanup[.+]
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Cleaned;

static DECLSPEC_NOINLINE VOID Cleanup(PVOID Buffer)
{
    ExFreePoolWithTag(Buffer, 'lbuD');
    Cleaned++;      /* not a tail call: Cleanup stays in the free's backtrace */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PVOID Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, 'lbuD');
    KT_CHECK(Buffer != NULL);
    Cleanup(Buffer);
    ExFreePoolWithTag(Buffer, 'lbuD');
    KT_DONE();
    return STATUS_SUCCESS;
}
