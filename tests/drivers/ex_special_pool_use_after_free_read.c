/*
 * Special pool: reading a block after it was freed faults at the read: bug
 * check 0xD5 DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL (P2 0 = read), with
 * both the allocation's and the free's backtraces. A __try does not help,
 * as documented.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000D5 \(0x[0-9a-f]+, 0x0000000000000000,
// NTPS-TEST: expect ^DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL$
// NTPS-TEST: expect ^read at 0x[0-9a-f]+, offset 8 in the 64-byte special pool block 0x[0-9a-f]+, freed
// NTPS-TEST: expect ^driver: ex_special_pool_use_after_free_read.so$
// NTPS-TEST: expect ^allocated at:$
// NTPS-TEST: expect ^freed at:$
// NTPS-TEST: expect ^  #0 +0x[0-9a-f]+  ex_special_pool_use_after_free_read.so!Release[.+]
// NTPS-TEST: reject ^PASS
// NTPS-TEST: reject handler ran
#include <ntddk.h>
#include "ktest.h"

typedef struct _NODE {
    struct _NODE *Next;
    ULONG64 Value;
    UCHAR Rest[48];
} NODE;

static volatile LONG Released;

static DECLSPEC_NOINLINE VOID Release(NODE *Node)
{
    ExFreePoolWithTag(Node, 'edoN');
    Released++;     /* not a tail call: Release stays in the free's backtrace */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    NODE *Node = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(NODE), 'edoN');
    KT_CHECK(Node != NULL);
    Node->Value = 42;
    Release(Node);
    __try {
        DbgPrint("value %llu\n", (unsigned long long)((volatile NODE *)Node)->Value);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        DbgPrint("handler ran\n");
    }
    KT_DONE();
    return STATUS_SUCCESS;
}
