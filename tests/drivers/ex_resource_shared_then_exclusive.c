/*
 * A thread that owns a resource shared asks for it exclusive: it would
 * wait for itself forever. Driver Verifier's deadlock detection calls this
 * a self-deadlock, 0xC4/0x1000 (P2 the resource); ntps says so at the call.
 * The same call with Wait=FALSE only fails.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000001000, 0x[0-9a-f]+, 0x0000000000000000, 0x0000000000000000\)
// NTPS-TEST: expect the thread owns the resource shared and waits for exclusive access
// NTPS-TEST: expect ^driver: ex_resource_shared_then_exclusive.so$
// NTPS-TEST: expect ^no-wait: 0$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static ERESOURCE Resource;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeResourceLite(&Resource);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&Resource, TRUE);
    DbgPrint("no-wait: %d\n", ExAcquireResourceExclusiveLite(&Resource, FALSE));
    ExAcquireResourceExclusiveLite(&Resource, TRUE);
    KT_DONE();
    return STATUS_SUCCESS;
}
