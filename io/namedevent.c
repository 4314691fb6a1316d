/*
 * io/namedevent.c - IoCreateNotificationEvent and IoCreateSynchronizationEvent:
 * a named event two drivers (or a driver and a program, by Global\Name)
 * share, created or opened by name.
 */
#include "io/io.h"

/* Rule IrqlIoPassive4 covers both routines (the WDK's DDI compliance table). */
static PKEVENT IopCreateNamedEvent(PUNICODE_STRING EventName, PHANDLE EventHandle, EVENT_TYPE Type, PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2000D, Irql, PASSIVE_LEVEL, (ULONG_PTR)Caller);
    if (EventName == NULL || EventHandle == NULL)
        return NULL;
    /* A kernel handle (Windows Server 2003 and later); a new event starts
     * Signaled; an existing one is opened as it is. */
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, EventName, OBJ_OPENIF | OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL,
                               NULL);
    HANDLE Handle;
    NTSTATUS Status = ZwCreateEvent(&Handle, EVENT_ALL_ACCESS, &Attributes, Type, TRUE);
    if (!NT_SUCCESS(Status))
        return NULL;
    PKEVENT Event;
    Status = ObReferenceObjectByHandle(Handle, 0, *ExEventObjectType, KernelMode, (PVOID *)&Event, NULL);
    if (!NT_SUCCESS(Status)) {
        ZwClose(Handle);
        return NULL;
    }
    /* The handle keeps the event: the pointer is valid until ZwClose(handle). */
    ObfDereferenceObject(Event);
    *EventHandle = Handle;
    return Event;
}

PKEVENT IoCreateNotificationEvent(PUNICODE_STRING EventName, PHANDLE EventHandle)
{
    return IopCreateNamedEvent(EventName, EventHandle, NotificationEvent, __builtin_return_address(0));
}

PKEVENT IoCreateSynchronizationEvent(PUNICODE_STRING EventName, PHANDLE EventHandle)
{
    return IopCreateNamedEvent(EventName, EventHandle, SynchronizationEvent, __builtin_return_address(0));
}
