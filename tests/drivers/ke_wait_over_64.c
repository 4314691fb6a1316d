/*
 * KeWaitForMultipleObjects with more than MAXIMUM_WAIT_OBJECTS (64)
 * objects, even with a wait-block array: bug check 0xC.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000000C
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KEVENT E[65];
static KWAIT_BLOCK Blocks[65];

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PVOID Objects[65];
    for (int i = 0; i < 65; i++) {
        KeInitializeEvent(&E[i], NotificationEvent, TRUE);
        Objects[i] = &E[i];
    }
    KeWaitForMultipleObjects(65, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, Blocks);
    KT_CHECK(!"a wait on 65 objects returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
