/*
 * Fault injection, --inject=random:P: each allocation a driver makes fails
 * with probability P, drawn from the seed (the same calls fail in every run
 * with that seed), each failure reported with the driver's backtrace. Of
 * 400 allocations at P = 0.25 some fail and most do not; ntps's own
 * allocations never fail.
 */
// NTPS-TEST: modes rt1 sim1 sim2
// NTPS-TEST: args --inject random:0.25 --seed 7
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^ntps: inject: ExAllocatePool2 fails here:$
// NTPS-TEST: expect ^  #0 +0x[0-9a-f]+  ex_inject_random.so!DriverEntry\+
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG Failed = 0;
    for (ULONG i = 0; i < 400; i++) {
        PVOID P = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16 + i, 'dnaR');
        if (P == NULL)
            Failed++;
        else
            ExFreePoolWithTag(P, 'dnaR');
    }
    DbgPrint("failed: %lu of 400\n", Failed);
    KT_CHECK(Failed >= 40 && Failed <= 160);
    KT_DONE();
    return STATUS_SUCCESS;
}
