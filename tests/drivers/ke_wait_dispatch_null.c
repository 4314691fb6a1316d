/*
 * A wait at DISPATCH_LEVEL with a NULL timeout: Driver Verifier bug check
 * 0xC4, parameter 1 = 0x121.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+121,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KEVENT E;
    KIRQL Old;
    KeInitializeEvent(&E, NotificationEvent, TRUE);     /* signaled: it would not even block */
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, NULL);
    KT_CHECK(!"a wait at DISPATCH_LEVEL with a NULL timeout returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
