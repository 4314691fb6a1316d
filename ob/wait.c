/*
 * ob/wait.c - waiting on objects by handle: Nt/ZwWaitForSingleObject and
 * Nt/ZwWaitForMultipleObjects. Each handle needs SYNCHRONIZE (checked for
 * user callers); the wait mode is the caller's previous mode, so a user
 * caller's alertable wait ends for its user APCs (STATUS_USER_APC, the
 * APCs run on the way back to user mode) and alerts (STATUS_ALERTED).
 */
#include "ob/ob.h"

/* The caller's timeout, probed and copied; NULL: wait forever. */
static NTSTATUS ObpCaptureTimeout(KPROCESSOR_MODE Mode, PLARGE_INTEGER Timeout, PLARGE_INTEGER Captured,
                                  PLARGE_INTEGER *Use)
{
    *Use = NULL;
    if (Timeout == NULL)
        return STATUS_SUCCESS;
    NTSTATUS Status = ExpCopyFromCaller(Mode, Captured, Timeout, sizeof(*Captured));
    if (NT_SUCCESS(Status))
        *Use = Captured;
    return Status;
}

/* A handle to a dispatcher object, referenced for the wait. */
static NTSTATUS ObpReferenceWaitable(HANDLE Handle, KPROCESSOR_MODE Mode, PVOID *Object)
{
    NTSTATUS Status = ObReferenceObjectByHandle(Handle, SYNCHRONIZE, NULL, Mode, Object, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    if (!ObpIsWaitableType(OBJECT_TO_OBJECT_HEADER(*Object)->Type)) {
        ObfDereferenceObject(*Object);
        *Object = NULL;
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    return STATUS_SUCCESS;
}

NTSTATUS NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    KI_SYSTEM_SERVICE(NtWaitForSingleObject, Handle, Alertable, Timeout);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    LARGE_INTEGER Captured;
    PLARGE_INTEGER Wait;
    NTSTATUS Status = ObpCaptureTimeout(Mode, Timeout, &Captured, &Wait);
    if (!NT_SUCCESS(Status))
        return Status;
    PVOID Object;
    Status = ObpReferenceWaitable(Handle, Mode, &Object);
    if (!NT_SUCCESS(Status))
        return Status;
    __try {
        Status = KeWaitForSingleObject(ObpWaitableBody(Object), UserRequest, Mode, Alertable, Wait);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Status = GetExceptionCode();    /* a mutant acquired past its recursion limit */
    }
    ObfDereferenceObject(Object);
    return Status;
}

NTSTATUS ZwWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    KI_ZW_SERVICE(NtWaitForSingleObject, Handle, Alertable, Timeout);
}

static NTSTATUS ObpCaptureHandles(KPROCESSOR_MODE Mode, ULONG Count, HANDLE Handles[], HANDLE *Captured)
{
    __try {
        if (Mode != KernelMode)
            ProbeForRead(Handles, Count * sizeof(HANDLE), sizeof(ULONG));
        for (ULONG i = 0; i < Count; i++)
            Captured[i] = Handles[i];
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

static VOID ObpDereferenceObjects(PVOID *Objects, ULONG Count)
{
    for (ULONG i = 0; i < Count; i++)
        ObfDereferenceObject(Objects[i]);
}

/* References every handle's object; a WaitAll may not name one twice. */
static NTSTATUS ObpReferenceWaitObjects(ULONG Count, const HANDLE *Handles, WAIT_TYPE WaitType,
                                        KPROCESSOR_MODE Mode, PVOID *Objects)
{
    for (ULONG i = 0; i < Count; i++) {
        NTSTATUS Status = ObpReferenceWaitable(Handles[i], Mode, &Objects[i]);
        for (ULONG j = 0; NT_SUCCESS(Status) && WaitType == WaitAll && j < i; j++)
            if (Objects[j] == Objects[i])
                Status = STATUS_INVALID_PARAMETER_MIX;
        if (!NT_SUCCESS(Status)) {
            ObpDereferenceObjects(Objects, i + (Objects[i] != NULL));
            return Status;
        }
    }
    return STATUS_SUCCESS;
}

NTSTATUS NtWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType, BOOLEAN Alertable,
                                  PLARGE_INTEGER Timeout)
{
    KI_SYSTEM_SERVICE(NtWaitForMultipleObjects, Count, Handles, WaitType, Alertable, Timeout);
    if (Count == 0 || Count > MAXIMUM_WAIT_OBJECTS)
        return STATUS_INVALID_PARAMETER_1;
    if (WaitType != WaitAll && WaitType != WaitAny)
        return STATUS_INVALID_PARAMETER_3;
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    HANDLE Captured[MAXIMUM_WAIT_OBJECTS];
    LARGE_INTEGER CapturedTimeout;
    PLARGE_INTEGER Wait;
    NTSTATUS Status = ObpCaptureHandles(Mode, Count, Handles, Captured);
    if (NT_SUCCESS(Status))
        Status = ObpCaptureTimeout(Mode, Timeout, &CapturedTimeout, &Wait);
    PVOID Objects[MAXIMUM_WAIT_OBJECTS];
    if (NT_SUCCESS(Status))
        Status = ObpReferenceWaitObjects(Count, Captured, WaitType, Mode, Objects);
    if (!NT_SUCCESS(Status))
        return Status;
    /* More objects than the thread's own wait blocks: blocks from pool
     * (never the stack: a UserMode wait may have its stack paged out). */
    PKWAIT_BLOCK Blocks = NULL;
    if (Count > THREAD_WAIT_OBJECTS) {
        Blocks = ExpAllocateKernel(Count * sizeof(KWAIT_BLOCK), 'kBtW');
        if (Blocks == NULL) {
            ObpDereferenceObjects(Objects, Count);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    PVOID Waitables[MAXIMUM_WAIT_OBJECTS];
    for (ULONG i = 0; i < Count; i++)
        Waitables[i] = ObpWaitableBody(Objects[i]);
    __try {
        Status = KeWaitForMultipleObjects(Count, Waitables, WaitType, UserRequest, Mode, Alertable, Wait, Blocks);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Status = GetExceptionCode();
    }
    if (Blocks != NULL)
        ExpFreeKernel(Blocks);
    ObpDereferenceObjects(Objects, Count);
    return Status;
}

NTSTATUS ZwWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType, BOOLEAN Alertable,
                                  PLARGE_INTEGER Timeout)
{
    KI_ZW_SERVICE(NtWaitForMultipleObjects, Count, Handles, WaitType, Alertable, Timeout);
}
