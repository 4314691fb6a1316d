/*
 * ob/handle.c - handles: creating them with their granted access, turning
 * them back into referenced objects with the documented type and access
 * checks, and closing them.
 */
#include "ob/ob.h"

PEX_HANDLE_TABLE (*ObpProcessHandleTable)(PVOID Process);
PVOID (*ObpCurrentProcess)(VOID);
PVOID (*ObpSystemProcess)(VOID);

static PEX_HANDLE_TABLE ObpTableForHandle(HANDLE Handle, ULONG *Index)
{
    ULONG_PTR Value = (ULONG_PTR)Handle;
    if (ObIsKernelHandle(Handle)) {
        *Index = (ULONG)((Value & 0x7FFFFFFF) >> 2);
        return ObpProcessHandleTable(ObpSystemProcess());
    }
    if (Value > 0xFFFFFFFF)
        return NULL;
    *Index = (ULONG)(Value >> 2);
    return ObpProcessHandleTable(ObpCurrentProcess());
}

NTSTATUS ObpCreateHandle(PVOID Object, ACCESS_MASK GrantedAccess, ULONG Attributes, PHANDLE Handle)
{
    BOOLEAN Kernel = (Attributes & OBJ_KERNEL_HANDLE) != 0;
    PEX_HANDLE_TABLE Table = ObpProcessHandleTable(Kernel ? ObpSystemProcess() : ObpCurrentProcess());
    HANDLE_TABLE_ENTRY Entry = { Object, GrantedAccess, Attributes & (OBJ_INHERIT | OBJ_KERNEL_HANDLE) };
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    ObfReferenceObject(Object);     /* the handle's reference */
    __atomic_add_fetch(&Header->HandleCount, 1, __ATOMIC_RELAXED);
    ULONG Index = ExCreateHandle(Table, &Entry);
    if (Index == 0 || Index > 0x1FFFFFFF) {
        if (Index != 0)
            ExDestroyHandle(Table, Index, NULL);
        __atomic_sub_fetch(&Header->HandleCount, 1, __ATOMIC_RELAXED);
        ObfDereferenceObject(Object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    __atomic_add_fetch(&Header->Type->TotalNumberOfHandles, 1, __ATOMIC_RELAXED);
    ULONG_PTR Value = (ULONG_PTR)Index << 2;
    *Handle = (HANDLE)(Kernel ? (Value | KERNEL_HANDLE_FLAG) : Value);
    return STATUS_SUCCESS;
}

static BOOLEAN ObpReferenceForLookup(PVOID Object)
{
    return ObReferenceObjectSafe(Object);
}

NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                   KPROCESSOR_MODE AccessMode, PVOID *Object,
                                   POBJECT_HANDLE_INFORMATION HandleInformation)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)   /* documented PASSIVE; APC_LEVEL is tolerated by Windows too */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001B, Irql, PASSIVE_LEVEL, (ULONG_PTR)Handle);
    *Object = NULL;
    PKTHREAD Thread = KiCurrentThread();
    PVOID Target = NULL;
    ACCESS_MASK Granted = 0;
    ULONG Attributes = 0;
    if (Handle == NtCurrentProcess() || Handle == NtCurrentThread()) {
        BOOLEAN IsProcess = Handle == NtCurrentProcess();
        Target = IsProcess ? (PVOID)Thread->ApcState.Process : (PVOID)Thread;
        if (ObjectType != NULL && ObjectType != (IsProcess ? ObpProcessType : ObpThreadType))
            return STATUS_OBJECT_TYPE_MISMATCH;
        Granted = IsProcess ? PROCESS_ALL_ACCESS : THREAD_ALL_ACCESS;
        ObfReferenceObject(Target);
    } else {
        if (AccessMode == UserMode && ObIsKernelHandle(Handle))
            return STATUS_INVALID_HANDLE;
        ULONG Index;
        PEX_HANDLE_TABLE Table = ObpTableForHandle(Handle, &Index);
        HANDLE_TABLE_ENTRY Entry;
        if (Table == NULL || !ExLookupHandle(Table, Index, &Entry, ObpReferenceForLookup))
            return STATUS_INVALID_HANDLE;
        Target = Entry.Object;
        Granted = Entry.GrantedAccess;
        Attributes = Entry.Attributes;
        if (ObjectType != NULL && OBJECT_TO_OBJECT_HEADER(Target)->Type != ObjectType) {
            ObfDereferenceObject(Target);
            return STATUS_OBJECT_TYPE_MISMATCH;
        }
    }
    if (AccessMode != KernelMode) {
        ACCESS_MASK Wanted = ObMapGenericMask(OBJECT_TO_OBJECT_HEADER(Target)->Type, DesiredAccess);
        if ((Wanted & ~Granted) != 0) {
            ObfDereferenceObject(Target);
            return STATUS_ACCESS_DENIED;
        }
    }
    if (HandleInformation != NULL) {
        HandleInformation->HandleAttributes = Attributes;
        HandleInformation->GrantedAccess = Granted;
    }
    *Object = Target;
    return STATUS_SUCCESS;
}

NTSTATUS ObReferenceObjectByHandleWithTag(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                          KPROCESSOR_MODE AccessMode, ULONG Tag, PVOID *Object,
                                          POBJECT_HANDLE_INFORMATION HandleInformation)
{
    (void)Tag;
    return ObReferenceObjectByHandle(Handle, DesiredAccess, ObjectType, AccessMode, Object, HandleInformation);
}

static NTSTATUS ObpCloseHandle(HANDLE Handle, KPROCESSOR_MODE PreviousMode)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, Irql, PASSIVE_LEVEL, (ULONG_PTR)Handle);
    if (Handle == NtCurrentProcess() || Handle == NtCurrentThread())
        return STATUS_INVALID_HANDLE;
    if (PreviousMode != KernelMode && ObIsKernelHandle(Handle))
        return STATUS_INVALID_HANDLE;
    ULONG Index;
    PEX_HANDLE_TABLE Table = ObpTableForHandle(Handle, &Index);
    HANDLE_TABLE_ENTRY Entry;
    if (Table == NULL || !ExDestroyHandle(Table, Index, &Entry))
        return STATUS_INVALID_HANDLE;
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Entry.Object);
    __atomic_sub_fetch(&Header->HandleCount, 1, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&Header->Type->TotalNumberOfHandles, 1, __ATOMIC_RELAXED);
    ObfDereferenceObject(Entry.Object);
    return STATUS_SUCCESS;
}

NTSTATUS ZwClose(HANDLE Handle)
{
    KI_ZW_SERVICE(NtClose, Handle);
}

NTSTATUS NtClose(HANDLE Handle)
{
    KI_SYSTEM_SERVICE(NtClose, Handle);
    return ObpCloseHandle(Handle, ExGetPreviousMode());
}

/* Documented: closes a handle with the given previous mode (a kernel
 * handle needs KernelMode). */
NTSTATUS ObCloseHandle(HANDLE Handle, KPROCESSOR_MODE PreviousMode)
{
    return ObpCloseHandle(Handle, PreviousMode);
}

NTSTATUS ObOpenObjectByPointer(PVOID Object, ULONG HandleAttributes, PVOID PassedAccessState,
                               ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                               PHANDLE Handle)
{
    (void)PassedAccessState;
    (void)AccessMode;
    *Handle = NULL;
    POBJECT_TYPE Type = OBJECT_TO_OBJECT_HEADER(Object)->Type;
    if (ObjectType != NULL && Type != ObjectType)
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (HandleAttributes & ~OBJ_VALID_ATTRIBUTES)
        return STATUS_INVALID_PARAMETER;
    return ObpCreateHandle(Object, ObMapGenericMask(Type, DesiredAccess), HandleAttributes, Handle);
}

static VOID ObpCloseEntry(ULONG Index, PHANDLE_TABLE_ENTRY Entry, PVOID Context)
{
    PEX_HANDLE_TABLE Table = Context;
    if (ExDestroyHandle(Table, Index, NULL)) {
        POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Entry->Object);
        __atomic_sub_fetch(&Header->HandleCount, 1, __ATOMIC_RELAXED);
        __atomic_sub_fetch(&Header->Type->TotalNumberOfHandles, 1, __ATOMIC_RELAXED);
        ObfDereferenceObject(Entry->Object);
    }
}

/* A process's handle table is run down when the process goes away. */
VOID ObCloseAllHandles(PEX_HANDLE_TABLE Table)
{
    ExEnumerateHandleTable(Table, ObpCloseEntry, Table);
}
