/*
 * ExReleaseResourceLite by a thread that does not own the resource (it is
 * held exclusive by another): bug check 0xE3 RESOURCE_NOT_OWNED (P1 the
 * resource, P2 the thread, P3 the owner table).
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000E3 \(0x[0-9a-f]+, 0x[0-9a-f]+, 0x[0-9a-f]+, 0x0000000000000000\)
// NTPS-TEST: expect ^ExReleaseResourceLite\(0x[0-9a-f]+\): thread 0x[0-9a-f]+ does not own the resource
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static ERESOURCE Resource;
static KEVENT Held, Never;

static VOID Holder(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExEnterCriticalRegionAndAcquireResourceExclusive(&Resource);
    KeSetEvent(&Held, 0, FALSE);
    KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, NULL);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeResourceLite(&Resource);
    KeInitializeEvent(&Held, NotificationEvent, FALSE);
    KeInitializeEvent(&Never, NotificationEvent, FALSE);
    KtStartThread(Holder, NULL);
    KeWaitForSingleObject(&Held, Executive, KernelMode, FALSE, NULL);
    KeEnterCriticalRegion();
    ExReleaseResourceLite(&Resource);
    KT_DONE();
    return STATUS_SUCCESS;
}
