/*
 * A bad argument to a DDI: ExAcquireFastMutex on a FAST_MUTEX that
 * ExInitializeFastMutex never saw (zeroed memory). Driver Verifier's
 * 0xC4/0x1002 (acquire of an uninitialized resource, P2 the mutex).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000001002, 0x[0-9a-f]+, 0x0000000000000000, 0x0000000000000000\)
// NTPS-TEST: expect ^ExAcquireFastMutex\(0x[0-9a-f]+\): the fast mutex was never initialized
// NTPS-TEST: expect ^driver: ex_bad_arg_fastmutex_uninitialized.so$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static FAST_MUTEX Lock;     /* zeroed, never initialized */

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExAcquireFastMutex(&Lock);
    ExReleaseFastMutex(&Lock);
    KT_DONE();
    return STATUS_SUCCESS;
}
