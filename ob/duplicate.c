/*
 * ob/duplicate.c - NtDuplicateObject / ZwDuplicateObject: a new handle, in
 * a target process's table, to the object a handle of a source process
 * names. The caller needs PROCESS_DUP_HANDLE to both processes (checked in
 * its previous mode). Process and thread objects go through the object
 * callbacks as OB_OPERATION_HANDLE_DUPLICATE.
 *
 * There are no security descriptors here, so the access asked for without
 * DUPLICATE_SAME_ACCESS is granted as asked (less what callbacks strip).
 */
#include "ob/ob.h"

#define OBP_DUPLICATE_OPTIONS (DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES)

/* The entry SourceHandle names in the source process, referenced. The
 * pseudo-handles name the source process itself and (in the caller's own
 * process) the calling thread. */
static NTSTATUS ObpReferenceSourceHandle(PVOID SourceProcess, HANDLE SourceHandle, KPROCESSOR_MODE Mode,
                                         PHANDLE_TABLE_ENTRY Entry)
{
    if (SourceHandle == NtCurrentProcess() || SourceHandle == NtCurrentThread()) {
        BOOLEAN IsProcess = SourceHandle == NtCurrentProcess();
        if (!IsProcess && SourceProcess != ObpCurrentProcess())
            return STATUS_INVALID_HANDLE;
        Entry->Object = IsProcess ? SourceProcess : (PVOID)KiCurrentThread();
        Entry->GrantedAccess = IsProcess ? PROCESS_ALL_ACCESS : THREAD_ALL_ACCESS;
        Entry->Attributes = 0;
        ObfReferenceObject(Entry->Object);
        return STATUS_SUCCESS;
    }
    if (Mode != KernelMode && ObIsKernelHandle(SourceHandle))
        return STATUS_INVALID_HANDLE;
    return ObpLookupHandle(SourceProcess, SourceHandle, Entry) ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

/* The new handle's attributes: a kernel handle only for a kernel caller
 * duplicating into the System process. */
static NTSTATUS ObpDuplicateAttributes(const HANDLE_TABLE_ENTRY *Source, ULONG HandleAttributes, ULONG Options,
                                       PVOID TargetProcess, KPROCESSOR_MODE Mode, ULONG *Attributes)
{
    BOOLEAN Same = (Options & DUPLICATE_SAME_ATTRIBUTES) != 0;
    *Attributes = (Same ? Source->Attributes : HandleAttributes) & (OBJ_INHERIT | OBJ_KERNEL_HANDLE);
    if (!(*Attributes & OBJ_KERNEL_HANDLE))
        return STATUS_SUCCESS;
    if (Mode == KernelMode && TargetProcess == ObpSystemProcess())
        return STATUS_SUCCESS;
    if (Mode == KernelMode && !Same)
        return STATUS_INVALID_PARAMETER;    /* kernel handles live in the System process only */
    *Attributes &= ~OBJ_KERNEL_HANDLE;
    return STATUS_SUCCESS;
}

typedef struct _OBP_DUPLICATE {
    PVOID SourceProcess;
    PVOID TargetProcess;
    HANDLE_TABLE_ENTRY Source;
    ACCESS_MASK DesiredAccess;
    ULONG HandleAttributes;
    ULONG Options;
    KPROCESSOR_MODE Mode;
} OBP_DUPLICATE;

static NTSTATUS ObpDuplicateInto(const OBP_DUPLICATE *Duplicate, PHANDLE TargetHandle)
{
    ULONG Attributes;
    NTSTATUS Status = ObpDuplicateAttributes(&Duplicate->Source, Duplicate->HandleAttributes, Duplicate->Options,
                                             Duplicate->TargetProcess, Duplicate->Mode, &Attributes);
    if (!NT_SUCCESS(Status))
        return Status;
    POBJECT_TYPE Type = OBJECT_TO_OBJECT_HEADER(Duplicate->Source.Object)->Type;
    OBP_HANDLE_REQUEST Request = {
        .Process = Duplicate->TargetProcess, .Object = Duplicate->Source.Object,
        .Access = (Duplicate->Options & DUPLICATE_SAME_ACCESS) ? Duplicate->Source.GrantedAccess
                                                               : ObMapGenericMask(Type, Duplicate->DesiredAccess),
        .Attributes = Attributes, .Operation = OB_OPERATION_HANDLE_DUPLICATE,
        .SourceProcess = Duplicate->SourceProcess, .TargetProcess = Duplicate->TargetProcess,
    };
    HANDLE Handle;
    Status = ObpCreateHandleEx(&Request, &Handle);
    if (!NT_SUCCESS(Status))
        return Status;
    __try {
        *TargetHandle = Handle;     /* probed on entry for a user caller */
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        ObpCloseHandleIn(Duplicate->TargetProcess, Handle, KernelMode);
        Status = GetExceptionCode();
    }
    return Status;
}

static NTSTATUS ObpProbeTargetHandle(KPROCESSOR_MODE Mode, PHANDLE TargetHandle)
{
    if (Mode == KernelMode || TargetHandle == NULL)
        return STATUS_SUCCESS;
    __try {
        ProbeForWrite(TargetHandle, sizeof(HANDLE), sizeof(ULONG));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

/* With a source handle in hand: duplicate it if asked, then close it if
 * asked (DUPLICATE_CLOSE_SOURCE closes it whatever became of the duplicate). */
static NTSTATUS ObpDuplicateFromSource(OBP_DUPLICATE *Duplicate, HANDLE SourceHandle, HANDLE TargetProcessHandle,
                                       PHANDLE TargetHandle)
{
    NTSTATUS Status = STATUS_SUCCESS;
    if (TargetProcessHandle != NULL && TargetHandle != NULL) {
        Status = ObReferenceObjectByHandle(TargetProcessHandle, PROCESS_DUP_HANDLE, ObpProcessType, Duplicate->Mode,
                                           &Duplicate->TargetProcess, NULL);
        if (NT_SUCCESS(Status)) {
            Status = ObpDuplicateInto(Duplicate, TargetHandle);
            ObfDereferenceObject(Duplicate->TargetProcess);
        }
    }
    if ((Duplicate->Options & DUPLICATE_CLOSE_SOURCE) && SourceHandle != NtCurrentProcess() &&
        SourceHandle != NtCurrentThread())
        ObpCloseHandleIn(Duplicate->SourceProcess, SourceHandle, Duplicate->Mode);
    return Status;
}

NTSTATUS NtDuplicateObject(HANDLE SourceProcessHandle, HANDLE SourceHandle, HANDLE TargetProcessHandle,
                           PHANDLE TargetHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes, ULONG Options)
{
    KI_SYSTEM_SERVICE(NtDuplicateObject, SourceProcessHandle, SourceHandle, TargetProcessHandle, TargetHandle,
                      DesiredAccess, HandleAttributes, Options);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))  /* DDI rule IrqlZwPassive */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, Irql, PASSIVE_LEVEL, (ULONG_PTR)SourceHandle);
    OBP_DUPLICATE Duplicate = {
        .DesiredAccess = DesiredAccess, .HandleAttributes = HandleAttributes, .Options = Options,
        .Mode = ExGetPreviousMode(),
    };
    /* No target (process or handle) means no duplicate: only a close. */
    BOOLEAN Target = TargetProcessHandle != NULL && TargetHandle != NULL;
    if ((Options & ~OBP_DUPLICATE_OPTIONS) || (HandleAttributes & ~OBJ_VALID_ATTRIBUTES) ||
        (!Target && !(Options & DUPLICATE_CLOSE_SOURCE)))
        return STATUS_INVALID_PARAMETER;
    NTSTATUS Status = ObpProbeTargetHandle(Duplicate.Mode, TargetHandle);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = ObReferenceObjectByHandle(SourceProcessHandle, PROCESS_DUP_HANDLE, ObpProcessType, Duplicate.Mode,
                                       &Duplicate.SourceProcess, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    KeEnterCriticalRegion();    /* the duplicate is made and returned, or not made at all */
    Status = ObpReferenceSourceHandle(Duplicate.SourceProcess, SourceHandle, Duplicate.Mode, &Duplicate.Source);
    if (NT_SUCCESS(Status)) {
        Status = ObpDuplicateFromSource(&Duplicate, SourceHandle, TargetProcessHandle, TargetHandle);
        ObfDereferenceObject(Duplicate.Source.Object);
    }
    KeLeaveCriticalRegion();
    ObfDereferenceObject(Duplicate.SourceProcess);
    return Status;
}

NTSTATUS ZwDuplicateObject(HANDLE SourceProcessHandle, HANDLE SourceHandle, HANDLE TargetProcessHandle,
                           PHANDLE TargetHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes, ULONG Options)
{
    KI_ZW_SERVICE(NtDuplicateObject, SourceProcessHandle, SourceHandle, TargetProcessHandle, TargetHandle,
                  DesiredAccess, HandleAttributes, Options);
}
