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

/* A system service: from user-mode code it enters the kernel, so a
 * termination that interrupts the wait ends the thread only after the
 * service has dropped its reference to the object (ke/service.c). */
NTSTATUS NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    KI_SYSTEM_SERVICE(NtWaitForSingleObject, Handle, Alertable, Timeout);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    LARGE_INTEGER Captured;
    if (Timeout != NULL && Mode != KernelMode) {
        __try {
            ProbeForRead(Timeout, sizeof(*Timeout), sizeof(ULONG));
            Captured = *Timeout;
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            return GetExceptionCode();
        }
        Timeout = &Captured;
    }
    return ObpWaitForSingleObject(Handle, Alertable, Timeout, Mode);
}
