/*
 * A bad argument to a DDI: ObDereferenceObject on an object the driver no
 * longer holds a reference to (its last reference already dropped: the
 * object was deleted). The object header is validated at the entry: bug
 * check 0x189 BAD_OBJECT_HEADER (P1 the header, P2 the type it names, none;
 * P3 0: the type is corrupt), naming the call site.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000189 \(0x[0-9a-f]+, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000\)
// NTPS-TEST: expect ^BAD_OBJECT_HEADER$
// NTPS-TEST: expect ^ObfDereferenceObject\(0x[0-9a-f]+\) called from ob_bad_arg_deref_freed.so!DriverEntry\+0x[0-9a-f]+: not an object
// NTPS-TEST: expect ^driver: ob_bad_arg_deref_freed.so$
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
    NTSTATUS Status = ZwCreateEvent(&Handle, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE);
    KT_CHECK(NT_SUCCESS(Status));
    PVOID Event;
    Status = ObReferenceObjectByHandle(Handle, EVENT_ALL_ACCESS, *ExEventObjectType, KernelMode, &Event, NULL);
    KT_CHECK(NT_SUCCESS(Status));
    ZwClose(Handle);
    ObDereferenceObject(Event);     /* the last reference: deleted */
    ObDereferenceObject(Event);     /* once too often */
    KT_DONE();
    return STATUS_SUCCESS;
}
