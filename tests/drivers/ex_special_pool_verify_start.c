/*
 * Special pool with Verify Start (--special-pool underrun): a block starts
 * on the first byte of its page, just after a guard page, so a write one
 * element before its start faults at the write: 0xD6 with P2 1 = write,
 * "before the start", the driver and both the faulting and the allocating
 * backtraces named.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: args --special-pool underrun
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^aligned: 1$
// NTPS-TEST: expect ^BUGCHECK 0x000000D6 \(0x[0-9a-f]+ff8, 0x0000000000000001,
// NTPS-TEST: expect ^write at 0x[0-9a-f]+, 8 bytes before the start of the 80-byte special pool block
// NTPS-TEST: expect ^driver: ex_special_pool_verify_start.so$
// NTPS-TEST: expect ^  #0 +0x[0-9a-f]+  ex_special_pool_verify_start.so!Shift[.+]
// NTPS-TEST: expect ^allocated at:$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static DECLSPEC_NOINLINE VOID Shift(ULONG64 *Values, LONG Count)
{
    for (LONG i = Count - 1; i >= -1; i--)      /* one too far down */
        Values[i] = i + 1 < Count ? Values[i + 1] : 0;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG64 *Values = ExAllocatePool2(POOL_FLAG_NON_PAGED, 10 * sizeof(ULONG64), 'tsfV');
    KT_CHECK(Values != NULL);
    DbgPrint("aligned: %d\n", ((ULONG_PTR)Values & (PAGE_SIZE - 1)) == 0);
    Shift(Values, 10);
    ExFreePoolWithTag(Values, 'tsfV');
    KT_DONE();
    return STATUS_SUCCESS;
}
