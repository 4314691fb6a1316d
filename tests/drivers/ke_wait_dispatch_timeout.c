/*
 * A wait at DISPATCH_LEVEL with a nonzero timeout: Driver Verifier bug
 * check 0xC4, parameter 1 = 0x122.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+122,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KEVENT E1, E2;
    KIRQL Old;
    KeInitializeEvent(&E1, NotificationEvent, FALSE);
    KeInitializeEvent(&E2, NotificationEvent, FALSE);
    PVOID Objects[2] = { &E1, &E2 };
    LARGE_INTEGER T = { .QuadPart = -10000 };
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, &T, NULL);
    KT_CHECK(!"a wait at DISPATCH_LEVEL with a nonzero timeout returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
