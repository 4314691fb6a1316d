/*
 * A UserMode wait on an object on the kernel stack (which a UserMode wait
 * lets the system page out): Driver Verifier bug check 0xC4, P1 = 0x123.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+123,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KEVENT OnStack;
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KeInitializeEvent(&OnStack, NotificationEvent, TRUE);
    KT_EQ(KeWaitForSingleObject(&OnStack, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);   /* fine */
    KeWaitForSingleObject(&OnStack, UserRequest, UserMode, FALSE, &Zero);
    KT_CHECK(!"a UserMode wait on a stack object returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
