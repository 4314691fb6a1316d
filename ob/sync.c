/*
 * ob/sync.c - the executive's synchronization objects by handle: events,
 * mutants and semaphores (Nt/Zw Create, Open, Set/Reset/Clear/Pulse,
 * Release). They are Ex objects on Windows; they live in Ob here because
 * Ex sits below Ob in ntps's layering. The bodies are the Ke objects, so
 * a driver that references such a handle gets a KEVENT, KMUTANT or
 * KSEMAPHORE.
 *
 * User-mode callers have their pointers probed and used under __try, and
 * their handles checked for the documented access; the optional previous
 * state/count outputs are probed before the operation, as Windows does,
 * so a bad pointer fails the call before anything changes.
 */
#include "ob/ob.h"

/* ---- common parts ------------------------------------------------------------------------------ */

static NTSTATUS ObpProbeOutput(KPROCESSOR_MODE Mode, PVOID Out, SIZE_T Size)
{
    if (Mode == KernelMode || Out == NULL)
        return STATUS_SUCCESS;
    __try {
        ProbeForWrite(Out, Size, sizeof(ULONG));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

/* After the operation: a pointer that went bad since the probe loses the
 * value, the operation stands (as on Windows). */
static VOID ObpWriteLong(PLONG Out, LONG Value)
{
    if (Out == NULL)
        return;
    __try {
        *Out = Value;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
}

/* A new handle to the caller; if it cannot be written, it is closed again. */
static NTSTATUS ObpReturnHandle(KPROCESSOR_MODE Mode, PHANDLE Out, HANDLE Handle)
{
    __try {
        *Out = Handle;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        ObpCloseHandleIn(NULL, Handle, Mode);
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

typedef VOID (*OBP_INITIALIZE_BODY)(PVOID Body, LONG Argument1, LONG Argument2);

/* Create, name and open: the common body of the three Nt*Create services. */
static NTSTATUS ObpCreateSyncObject(POBJECT_TYPE Type, SIZE_T BodySize, OBP_INITIALIZE_BODY Initialize,
                                    LONG Argument1, LONG Argument2, PHANDLE Out, ACCESS_MASK DesiredAccess,
                                    POBJECT_ATTRIBUTES ObjectAttributes)
{
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    NTSTATUS Status = ObpProbeOutput(Mode, Out, sizeof(HANDLE));
    if (!NT_SUCCESS(Status))
        return Status;
    /* The caller's own termination waits: no captured name or half-made
     * object is left behind. */
    KeEnterCriticalRegion();
    OBP_CAPTURED_ATTRIBUTES Captured;
    Status = ObpCaptureObjectAttributes(Mode, ObjectAttributes, &Captured);
    if (!NT_SUCCESS(Status)) {
        KeLeaveCriticalRegion();
        return Status;
    }
    PVOID Object;
    Status = ObpCreateObject(Type, BodySize, &Captured, &Object);
    HANDLE Handle = NULL;
    if (NT_SUCCESS(Status)) {
        Initialize(Object, Argument1, Argument2);
        Status = ObpInsertObject(Object, DesiredAccess, &Captured, Mode, &Handle);
    }
    ObpReleaseObjectAttributes(&Captured);
    KeLeaveCriticalRegion();
    if (NT_SUCCESS(Status)) {
        NTSTATUS Written = ObpReturnHandle(Mode, Out, Handle);
        if (!NT_SUCCESS(Written))
            Status = Written;
    }
    return Status;
}

static NTSTATUS ObpOpenSyncObject(POBJECT_TYPE Type, PHANDLE Out, ACCESS_MASK DesiredAccess,
                                  POBJECT_ATTRIBUTES ObjectAttributes)
{
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    NTSTATUS Status = ObpProbeOutput(Mode, Out, sizeof(HANDLE));
    if (!NT_SUCCESS(Status))
        return Status;
    KeEnterCriticalRegion();
    OBP_CAPTURED_ATTRIBUTES Captured;
    Status = ObpCaptureObjectAttributes(Mode, ObjectAttributes, &Captured);
    if (!NT_SUCCESS(Status)) {
        KeLeaveCriticalRegion();
        return Status;
    }
    HANDLE Handle = NULL;
    Status = ObpOpenObjectByName(Type, DesiredAccess, &Captured, &Handle);
    ObpReleaseObjectAttributes(&Captured);
    KeLeaveCriticalRegion();
    if (NT_SUCCESS(Status))
        Status = ObpReturnHandle(Mode, Out, Handle);
    return Status;
}

/* The object behind a handle, for an operation with an optional LONG
 * output (probed first). */
static NTSTATUS ObpReferenceForOperation(HANDLE Handle, POBJECT_TYPE Type, ACCESS_MASK Access, PLONG Out,
                                         PVOID *Object)
{
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    NTSTATUS Status = ObpProbeOutput(Mode, Out, sizeof(LONG));
    if (!NT_SUCCESS(Status))
        return Status;
    return ObReferenceObjectByHandle(Handle, Access, Type, Mode, Object, NULL);
}

/* ---- events ------------------------------------------------------------------------------------------ */

static VOID ObpInitializeEvent(PVOID Body, LONG Type, LONG State)
{
    KeInitializeEvent(Body, (EVENT_TYPE)Type, (BOOLEAN)State);
}

NTSTATUS NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       EVENT_TYPE EventType, BOOLEAN InitialState)
{
    KI_SYSTEM_SERVICE(NtCreateEvent, EventHandle, DesiredAccess, ObjectAttributes, EventType, InitialState);
    if (EventType != NotificationEvent && EventType != SynchronizationEvent)
        return STATUS_INVALID_PARAMETER;
    return ObpCreateSyncObject(ObpEventType, sizeof(KEVENT), ObpInitializeEvent, EventType, InitialState != FALSE,
                               EventHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS ZwCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       EVENT_TYPE EventType, BOOLEAN InitialState)
{
    KI_ZW_SERVICE(NtCreateEvent, EventHandle, DesiredAccess, ObjectAttributes, EventType, InitialState);
}

NTSTATUS NtOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    KI_SYSTEM_SERVICE(NtOpenEvent, EventHandle, DesiredAccess, ObjectAttributes);
    return ObpOpenSyncObject(ObpEventType, EventHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS ZwOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    KI_ZW_SERVICE(NtOpenEvent, EventHandle, DesiredAccess, ObjectAttributes);
}

typedef enum { ObpSetEvent, ObpResetEvent, ObpPulseEvent, ObpClearEvent } OBP_EVENT_OPERATION;

static NTSTATUS ObpEventOperation(HANDLE EventHandle, PLONG PreviousState, OBP_EVENT_OPERATION Operation)
{
    PKEVENT Event;
    NTSTATUS Status = ObpReferenceForOperation(EventHandle, ObpEventType, EVENT_MODIFY_STATE, PreviousState,
                                               (PVOID *)&Event);
    if (!NT_SUCCESS(Status))
        return Status;
    LONG Previous = 0;
    switch (Operation) {
    case ObpSetEvent: Previous = KeSetEvent(Event, EVENT_INCREMENT, FALSE); break;
    case ObpResetEvent: Previous = KeResetEvent(Event); break;
    case ObpPulseEvent: Previous = KePulseEvent(Event, EVENT_INCREMENT, FALSE); break;
    case ObpClearEvent: KeClearEvent(Event); break;
    }
    ObfDereferenceObject(Event);
    ObpWriteLong(PreviousState, Previous);
    return STATUS_SUCCESS;
}

NTSTATUS NtSetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    KI_SYSTEM_SERVICE(NtSetEvent, EventHandle, PreviousState);
    return ObpEventOperation(EventHandle, PreviousState, ObpSetEvent);
}

NTSTATUS ZwSetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    KI_ZW_SERVICE(NtSetEvent, EventHandle, PreviousState);
}

NTSTATUS NtResetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    KI_SYSTEM_SERVICE(NtResetEvent, EventHandle, PreviousState);
    return ObpEventOperation(EventHandle, PreviousState, ObpResetEvent);
}

NTSTATUS ZwResetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    KI_ZW_SERVICE(NtResetEvent, EventHandle, PreviousState);
}

NTSTATUS NtPulseEvent(HANDLE EventHandle, PLONG PreviousState)
{
    KI_SYSTEM_SERVICE(NtPulseEvent, EventHandle, PreviousState);
    return ObpEventOperation(EventHandle, PreviousState, ObpPulseEvent);
}

NTSTATUS ZwPulseEvent(HANDLE EventHandle, PLONG PreviousState)
{
    KI_ZW_SERVICE(NtPulseEvent, EventHandle, PreviousState);
}

NTSTATUS NtClearEvent(HANDLE EventHandle)
{
    KI_SYSTEM_SERVICE(NtClearEvent, EventHandle);
    return ObpEventOperation(EventHandle, NULL, ObpClearEvent);
}

NTSTATUS ZwClearEvent(HANDLE EventHandle)
{
    KI_ZW_SERVICE(NtClearEvent, EventHandle);
}

/* ---- mutants ------------------------------------------------------------------------------------------ */

static VOID ObpInitializeMutant(PVOID Body, LONG InitialOwner, LONG Unused)
{
    (void)Unused;
    KeInitializeMutant(Body, (BOOLEAN)InitialOwner);   /* owned by the creating thread */
}

NTSTATUS NtCreateMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                        BOOLEAN InitialOwner)
{
    KI_SYSTEM_SERVICE(NtCreateMutant, MutantHandle, DesiredAccess, ObjectAttributes, InitialOwner);
    return ObpCreateSyncObject(ObpMutantType, sizeof(KMUTANT), ObpInitializeMutant, InitialOwner != FALSE, 0,
                               MutantHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS ZwCreateMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                        BOOLEAN InitialOwner)
{
    KI_ZW_SERVICE(NtCreateMutant, MutantHandle, DesiredAccess, ObjectAttributes, InitialOwner);
}

NTSTATUS NtOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    KI_SYSTEM_SERVICE(NtOpenMutant, MutantHandle, DesiredAccess, ObjectAttributes);
    return ObpOpenSyncObject(ObpMutantType, MutantHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS ZwOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    KI_ZW_SERVICE(NtOpenMutant, MutantHandle, DesiredAccess, ObjectAttributes);
}

/* Releasing needs ownership, not an access right (MUTANT_ALL_ACCESS has no
 * "modify" right). Only the owner can change whether it is the owner, so
 * the check needs no lock; a non-owner gets the status KeReleaseMutant
 * would raise. */
NTSTATUS NtReleaseMutant(HANDLE MutantHandle, PLONG PreviousCount)
{
    KI_SYSTEM_SERVICE(NtReleaseMutant, MutantHandle, PreviousCount);
    PKMUTANT Mutant;
    NTSTATUS Status = ObpReferenceForOperation(MutantHandle, ObpMutantType, 0, PreviousCount, (PVOID *)&Mutant);
    if (!NT_SUCCESS(Status))
        return Status;
    LONG Previous = 0;
    if (__atomic_load_n(&Mutant->OwnerThread, __ATOMIC_ACQUIRE) != KiCurrentThread()) {
        Status = STATUS_MUTANT_NOT_OWNED;
    } else {
        __try {
            Previous = KeReleaseMutant(Mutant, MUTANT_INCREMENT, FALSE, FALSE);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            Status = GetExceptionCode();    /* owned from DISPATCH_LEVEL by a kernel wait */
        }
    }
    ObfDereferenceObject(Mutant);
    if (NT_SUCCESS(Status))
        ObpWriteLong(PreviousCount, Previous);
    return Status;
}

NTSTATUS ZwReleaseMutant(HANDLE MutantHandle, PLONG PreviousCount)
{
    KI_ZW_SERVICE(NtReleaseMutant, MutantHandle, PreviousCount);
}

/* ---- semaphores ----------------------------------------------------------------------------------------- */

static VOID ObpInitializeSemaphore(PVOID Body, LONG Count, LONG Limit)
{
    KeInitializeSemaphore(Body, Count, Limit);
}

NTSTATUS NtCreateSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                           LONG InitialCount, LONG MaximumCount)
{
    KI_SYSTEM_SERVICE(NtCreateSemaphore, SemaphoreHandle, DesiredAccess, ObjectAttributes, InitialCount,
                      MaximumCount);
    if (MaximumCount <= 0 || InitialCount < 0 || InitialCount > MaximumCount)
        return STATUS_INVALID_PARAMETER;
    return ObpCreateSyncObject(ObpSemaphoreType, sizeof(KSEMAPHORE), ObpInitializeSemaphore, InitialCount,
                               MaximumCount, SemaphoreHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS ZwCreateSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                           LONG InitialCount, LONG MaximumCount)
{
    KI_ZW_SERVICE(NtCreateSemaphore, SemaphoreHandle, DesiredAccess, ObjectAttributes, InitialCount, MaximumCount);
}

NTSTATUS NtOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    KI_SYSTEM_SERVICE(NtOpenSemaphore, SemaphoreHandle, DesiredAccess, ObjectAttributes);
    return ObpOpenSyncObject(ObpSemaphoreType, SemaphoreHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS ZwOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    KI_ZW_SERVICE(NtOpenSemaphore, SemaphoreHandle, DesiredAccess, ObjectAttributes);
}

/* Past the limit KeReleaseSemaphore raises and changes nothing. */
NTSTATUS NtReleaseSemaphore(HANDLE SemaphoreHandle, LONG ReleaseCount, PLONG PreviousCount)
{
    KI_SYSTEM_SERVICE(NtReleaseSemaphore, SemaphoreHandle, ReleaseCount, PreviousCount);
    if (ReleaseCount <= 0)
        return STATUS_INVALID_PARAMETER;
    PKSEMAPHORE Semaphore;
    NTSTATUS Status = ObpReferenceForOperation(SemaphoreHandle, ObpSemaphoreType, SEMAPHORE_MODIFY_STATE,
                                               PreviousCount, (PVOID *)&Semaphore);
    if (!NT_SUCCESS(Status))
        return Status;
    LONG Previous = 0;
    __try {
        Previous = KeReleaseSemaphore(Semaphore, SEMAPHORE_INCREMENT, ReleaseCount, FALSE);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Status = GetExceptionCode();
    }
    ObfDereferenceObject(Semaphore);
    if (NT_SUCCESS(Status))
        ObpWriteLong(PreviousCount, Previous);
    return Status;
}

NTSTATUS ZwReleaseSemaphore(HANDLE SemaphoreHandle, LONG ReleaseCount, PLONG PreviousCount)
{
    KI_ZW_SERVICE(NtReleaseSemaphore, SemaphoreHandle, ReleaseCount, PreviousCount);
}
