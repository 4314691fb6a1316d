/*
 * KeWaitForMultipleObjects with more than THREAD_WAIT_OBJECTS (3) objects
 * and no wait-block array: bug check 0xC MAXIMUM_WAIT_OBJECTS_EXCEEDED.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000000C
// NTPS-TEST: expect ^MAXIMUM_WAIT_OBJECTS_EXCEEDED
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KEVENT E[4];
    PVOID Objects[4];
    for (int i = 0; i < 4; i++) {
        KeInitializeEvent(&E[i], NotificationEvent, TRUE);
        Objects[i] = &E[i];
    }
    KeWaitForMultipleObjects(4, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
    KT_CHECK(!"a wait on 4 objects without a wait-block array returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
