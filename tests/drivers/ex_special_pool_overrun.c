/*
 * Special pool: writing one byte past the end of a block whose size is a
 * multiple of 16 touches the guard page at once: bug check 0xD6
 * DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION (P1 the address, P2 1 = write,
 * P3 the instruction), the driver named, the allocation's backtrace shown.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000D6 \(0x[0-9a-f]+000, 0x0000000000000001,
// NTPS-TEST: expect ^DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION$
// NTPS-TEST: expect ^write at 0x[0-9a-f]+, 0 bytes past the end of the 96-byte special pool block
// NTPS-TEST: expect ^driver: ex_special_pool_overrun.so$
// NTPS-TEST: expect ^  #0 +0x[0-9a-f]+  ex_special_pool_overrun.so!Fill[.+]
// NTPS-TEST: expect ^special pool block 0x[0-9a-f]+: 96 bytes, tag 'Ovr1', nonpaged pool, allocated by ex_special_pool_overrun.so
// NTPS-TEST: expect ^allocated at:$
// NTPS-TEST: expect ^  #0 +0x[0-9a-f]+  ex_special_pool_overrun.so!DriverEntry\+
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static DECLSPEC_NOINLINE VOID Fill(volatile UCHAR *Buffer, ULONG Count)
{
    for (ULONG i = 0; i <= Count; i++)      /* one too many */
        Buffer[i] = (UCHAR)i;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    UCHAR *Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 96, '1rvO');
    KT_CHECK(Buffer != NULL);
    Fill(Buffer, 96);
    KT_CHECK(!"the overrun went unnoticed");
    KT_DONE();
    return STATUS_SUCCESS;
}
