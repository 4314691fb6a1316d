/*
 * A bad argument to a DDI: ExReleaseFastMutex on a fast mutex that was
 * initialized but never acquired. Driver Verifier's 0xC4/0x1007 (a
 * resource released that was not acquired, P2 the mutex), before the
 * IRQL check that would otherwise fire (0x34), naming the driver.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000001007, 0x[0-9a-f]+, 0x0000000000000000, 0x0000000000000000\)
// NTPS-TEST: expect ^ExReleaseFastMutex\(0x[0-9a-f]+\): the fast mutex is not acquired
// NTPS-TEST: expect ^driver: ex_bad_arg_fastmutex_not_owned.so$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static FAST_MUTEX Lock;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeFastMutex(&Lock);
    ExReleaseFastMutex(&Lock);
    KT_DONE();
    return STATUS_SUCCESS;
}
