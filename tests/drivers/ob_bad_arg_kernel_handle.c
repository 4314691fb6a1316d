/*
 * A bad argument to a DDI: ObReferenceObjectByHandle from kernel mode with
 * a handle that is not one (a stale handle the driver already closed).
 * With the verifier, 0xC4/0xF6 (P2 the handle, P3 the process, P4 the call
 * site) at the call; with --verifier off it would return
 * STATUS_INVALID_HANDLE.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x00000000000000f6, 0x[0-9a-f]+, 0x[0-9a-f]+, 0x[0-9a-f]+\)
// NTPS-TEST: expect ^ObReferenceObjectByHandle\(0x[0-9a-f]+, KernelMode\) called from ob_bad_arg_kernel_handle.so!DriverEntry\+0x[0-9a-f]+: not a valid handle in the kernel handle table
// NTPS-TEST: expect ^driver: ob_bad_arg_kernel_handle.so$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    HANDLE Handle;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_CHECK(NT_SUCCESS(ZwCreateEvent(&Handle, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE)));
    ZwClose(Handle);
    PVOID Event;
    NTSTATUS Status = ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *ExEventObjectType, KernelMode, &Event, NULL);
    KT_CHECK(Status == STATUS_INVALID_HANDLE);
    KT_DONE();
    return STATUS_SUCCESS;
}
