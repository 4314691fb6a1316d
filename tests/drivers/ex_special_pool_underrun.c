/*
 * Special pool: writing before the start of a block stays within its page
 * (the block ends where the page does) and is found at free from the
 * pattern: bug check 0xC1, P4 0x23 (nearby bytes within the same page
 * corrupted), P2 the damaged byte.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C1 \(0x[0-9a-f]+, 0x[0-9a-f]+, 0x0000000000000000, 0x0000000000000023\)
// NTPS-TEST: expect ^special pool block 0x[0-9a-f]+ was written before its start \(at 0x[0-9a-f]+, 8 bytes before it\)
// NTPS-TEST: expect ^driver: ex_special_pool_underrun.so$
// NTPS-TEST: expect ^special pool block 0x[0-9a-f]+: 40 bytes, tag 'Undr'
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

typedef struct _RECORD {
    ULONG64 Value[5];
} RECORD;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    RECORD *Records = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(RECORD), 'rdnU');
    KT_CHECK(Records != NULL);
    volatile ULONG64 *Before = (volatile ULONG64 *)Records - 1;    /* index -1 */
    *Before = 0;
    ExFreePoolWithTag(Records, 'rdnU');
    KT_CHECK(!"the underrun went unnoticed at free");
    KT_DONE();
    return STATUS_SUCCESS;
}
