/*
 * Fault injection, --inject=each: a driver that checks two of its three
 * allocations and forgets the third (MakeRecord writes through
 * ExAllocatePoolWithTag's result). The series fails each call site once;
 * only MakeRecord's failure is not survived, and it is named with its
 * backtrace and the bug check it ended in.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: args --inject each
// NTPS-TEST: exit 7
// NTPS-TEST: expect ^ntps: inject: site [0-9]+ \([0-9a-f]+\): the drivers did not survive ExAllocatePoolWithTag failing at:$
// NTPS-TEST: expect ^  #0  ex_inject_careless.so!MakeRecord[.+]
// NTPS-TEST: expect ^  \| BUGCHECK 0x0000007E
// NTPS-TEST: expect ^ntps: inject: 3 call sites failed in turn: 2 survived, 1 not survived$
// NTPS-TEST: reject did not survive ExAllocatePool2
#include <ntddk.h>
#include "ktest.h"

typedef struct _RECORD {
    ULONG Id;
    ULONG Value;
} RECORD;

static DECLSPEC_NOINLINE RECORD *MakeRecord(ULONG Id)
{
    RECORD *Record = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(RECORD), 'lraC');
    Record->Id = Id;        /* the missing NULL check */
    Record->Value = 0;
    return Record;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PVOID Table = ExAllocatePool2(POOL_FLAG_PAGED, 256, 'lraC');
    if (Table == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    PVOID Scratch = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'lraC');
    if (Scratch == NULL) {
        ExFreePoolWithTag(Table, 'lraC');
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RECORD *Record = MakeRecord(1);
    KT_CHECK(Record->Id == 1);
    ExFreePoolWithTag(Record, 'lraC');
    ExFreePoolWithTag(Scratch, 'lraC');
    ExFreePoolWithTag(Table, 'lraC');
    KT_DONE();
    return STATUS_SUCCESS;
}
