/*
 * ob/wait.c - waiting on an object by handle: ZwWaitForSingleObject and
 * NtWaitForSingleObject. The handle needs SYNCHRONIZE (checked for user
 * callers); the wait mode is the caller's previous mode.
 */
#include "ob/ob.h"

static NTSTATUS ObpWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                       KPROCESSOR_MODE Mode)
{
    PVOID Object;
    NTSTATUS Status = ObReferenceObjectByHandle(Handle, SYNCHRONIZE, NULL, Mode, &Object, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    PDISPATCHER_HEADER Header = Object;
    /* Only dispatcher objects are waitable; anything else is a mismatch. */
    if (Header->Type > TimerSynchronizationObject || Header->Type == QueueObject || Header->Type == GateObject) {
        ObfDereferenceObject(Object);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    LARGE_INTEGER Captured, *Wait = NULL;
    if (Timeout != NULL) {
        Captured = *Timeout;
        Wait = &Captured;
    }
    Status = KeWaitForSingleObject(Object, UserRequest, Mode, Alertable, Wait);
    ObfDereferenceObject(Object);
    return Status;
}

NTSTATUS ZwWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    return ObpWaitForSingleObject(Handle, Alertable, Timeout, KernelMode);
}

NTSTATUS NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    return ObpWaitForSingleObject(Handle, Alertable, Timeout, ExGetPreviousMode());
}
