/*
 * Special pool: a 100-byte block is padded to 112 so that it stays 16-byte
 * aligned; a write into those 12 bytes cannot fault, but the pattern they
 * were filled with is checked at free: bug check 0xC1
 * SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, P4 0x24 (written past its end),
 * P1 the block, P2 the damaged byte.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C1 \(0x[0-9a-f]+, 0x[0-9a-f]+, 0x0000000000000000, 0x0000000000000024\)
// NTPS-TEST: expect ^SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION$
// NTPS-TEST: expect ^special pool block 0x[0-9a-f]+ \(100 bytes\) was written past its end \(at 0x[0-9a-f]+, offset 100\)
// NTPS-TEST: expect ^driver: ex_special_pool_padding.so$
// NTPS-TEST: expect ^allocated at:$
// NTPS-TEST: expect written: ok
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    volatile UCHAR *Buffer = ExAllocatePool2(POOL_FLAG_PAGED, 100, 'daPO');
    KT_CHECK(Buffer != NULL);
    Buffer[100] = 0;        /* off by one: no fault, the page goes on */
    DbgPrint("written: ok\n");
    ExFreePoolWithTag((PVOID)Buffer, 'daPO');
    KT_CHECK(!"the overrun went unnoticed at free");
    KT_DONE();
    return STATUS_SUCCESS;
}
