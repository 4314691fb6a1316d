/*
 * KeSetEvent above DISPATCH_LEVEL: Driver Verifier bug check 0xC4,
 * P1 = 0x80, P2 = the IRQL, P3 = the event.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+80, 0x0+f,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KEVENT Event;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL Old;
    KeInitializeEvent(&Event, NotificationEvent, FALSE);
    KeRaiseIrql(HIGH_LEVEL, &Old);
    KeSetEvent(&Event, 0, FALSE);
    KeLowerIrql(Old);
    KT_CHECK(!"KeSetEvent above DISPATCH_LEVEL returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
