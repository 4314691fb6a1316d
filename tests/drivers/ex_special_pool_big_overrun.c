/*
 * Special pool, a block of more than a page: it starts on a page (as the
 * pool documents for a page or more), the rest of its last page is padding
 * that does not fault, and a read past that last page hits the guard page:
 * 0xD6 with P2 0 = read.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^aligned: 1
// NTPS-TEST: expect ^BUGCHECK 0x000000D6 \(0x[0-9a-f]+000, 0x0000000000000000,
// NTPS-TEST: expect ^read at 0x[0-9a-f]+, 3996 bytes past the end of the 8292-byte special pool block
// NTPS-TEST: expect ^driver: ex_special_pool_big_overrun.so$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

#define SIZE (2 * PAGE_SIZE + 100)

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    volatile UCHAR *Buffer = ExAllocatePool2(POOL_FLAG_PAGED, SIZE, 'giBO');
    KT_CHECK(Buffer != NULL);
    DbgPrint("aligned: %d\n", ((ULONG_PTR)Buffer & (PAGE_SIZE - 1)) == 0);
    ULONG Sum = 0;
    for (ULONG i = 0; i < 3 * PAGE_SIZE + 16; i++)     /* reads on past its last page */
        Sum += Buffer[i];
    DbgPrint("sum %u\n", Sum);
    KT_DONE();
    return STATUS_SUCCESS;
}
