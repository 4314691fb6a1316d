/*
 * A bad argument to a DDI: ObReferenceObjectByHandle from kernel mode with
 * a handle that is not one (a stale handle the driver already closed). It
 * returns STATUS_INVALID_HANDLE, as documented, and the verifier reports
 * the call site (rule InvalidHandleReference); the run goes on.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^VERIFIER InvalidHandleReference: ObReferenceObjectByHandle\(0x[0-9a-f]+, KernelMode\): not a valid handle in the kernel handle table$
// NTPS-TEST: expect ^driver: ob_bad_arg_kernel_handle.so  at ob_bad_arg_kernel_handle.so!DriverEntry\+0x[0-9a-f]+$
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
