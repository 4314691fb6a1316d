/*
 * ob/handle.c - handles: creating them in a process's table with their
 * granted access (object callbacks decide what a process or thread handle
 * gets), turning them back into referenced objects with the documented
 * type and access checks, and closing them.
 */
#include "ob/ob.h"
#include "vf/vf.h"

PEX_HANDLE_TABLE (*ObpProcessHandleTable)(PVOID Process);
PVOID (*ObpCurrentProcess)(VOID);
PVOID (*ObpSystemProcess)(VOID);

#define INVALID_KERNEL_HANDLE 0x00000093

static BOOLEAN ObpIsPseudoHandle(HANDLE Handle)
{
    return Handle == NtCurrentProcess() || Handle == NtCurrentThread();
}

/* The table a handle value names, in Process (NULL: the current one);
 * kernel handles are the System process's whatever Process is. */
static PEX_HANDLE_TABLE ObpTableForHandle(PVOID Process, HANDLE Handle, ULONG *Index)
{
    ULONG_PTR Value = (ULONG_PTR)Handle;
    if (ObIsKernelHandle(Handle)) {
        *Index = (ULONG)((Value & 0x7FFFFFFF) >> 2);
        return ObpProcessHandleTable(ObpSystemProcess());
    }
    if (Value > 0xFFFFFFFF)
        return NULL;
    *Index = (ULONG)(Value >> 2);
    return ObpProcessHandleTable(Process != NULL ? Process : ObpCurrentProcess());
}

/* A handle to an event, semaphore or mutant in a user process's table:
 * user-mode code can signal or hold it, which the verifier needs to know
 * when a callback waits on it (CallbackUserModeService). The mark stays. */
static VOID ObpNoteUserHandle(PVOID Object, POBJECT_TYPE Type)
{
    if (Type == ObpEventType || Type == ObpSemaphoreType || Type == ObpMutantType)
        __atomic_or_fetch(&((PDISPATCHER_HEADER)Object)->Signalling, VF_SIGNALLING_USER_HANDLE, __ATOMIC_RELAXED);
}

/* Put the entry in the table. The caller's request says whether the
 * handle's pointer reference and handle count are taken already. */
static NTSTATUS ObpInsertHandle(const OBP_HANDLE_REQUEST *Request, ACCESS_MASK Access, PHANDLE Handle)
{
    PVOID Object = Request->Object;
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    ULONG Attributes = Request->Attributes & (OBJ_INHERIT | OBJ_KERNEL_HANDLE);
    BOOLEAN Kernel = (Attributes & OBJ_KERNEL_HANDLE) != 0;
    PVOID Process = Kernel ? ObpSystemProcess() : Request->Process != NULL ? Request->Process : ObpCurrentProcess();
    PEX_HANDLE_TABLE Table = ObpProcessHandleTable(Process);
    if (!Request->HandleCountTaken) {
        ObfReferenceObject(Object);     /* the handle's reference */
        __atomic_add_fetch(&Header->HandleCount, 1, __ATOMIC_RELAXED);
    }
    HANDLE_TABLE_ENTRY Entry = { Object, Access, Attributes };
    ULONG Index = Table != NULL ? ExCreateHandle(Table, &Entry) : 0;
    if (Index == 0 || Index > 0x1FFFFFFF) {
        if (Index != 0)
            ExDestroyHandle(Table, Index, NULL);
        ObpDecrementHandleCount(Object);
        ObfDereferenceObject(Object);
        /* A process whose handles were run down takes no new ones. */
        return Table == NULL || ExHandleTableClosed(Table) ? STATUS_PROCESS_IS_TERMINATING
                                                           : STATUS_INSUFFICIENT_RESOURCES;
    }
    __atomic_add_fetch(&Header->Type->TotalNumberOfHandles, 1, __ATOMIC_RELAXED);
    if (!Kernel && Process != ObpSystemProcess())
        ObpNoteUserHandle(Object, Header->Type);
    ULONG_PTR Value = (ULONG_PTR)Index << 2;
    *Handle = (HANDLE)(Kernel ? (Value | KERNEL_HANDLE_FLAG) : Value);
    return STATUS_SUCCESS;
}

/* Every handle to an object comes from here. With no callback registered
 * for the object's type, the cost of the callbacks is one load. */
NTSTATUS ObpCreateHandleEx(const OBP_HANDLE_REQUEST *Request, PHANDLE Handle)
{
    POBJECT_TYPE Type = OBJECT_TO_OBJECT_HEADER(Request->Object)->Type;
    if (__atomic_load_n(&Type->CallbackCount, __ATOMIC_RELAXED) == 0)
        return ObpInsertHandle(Request, Request->Access, Handle);
    OBP_CALLBACK_DISPATCH Dispatch;
    ACCESS_MASK Access = ObpCallPreCallbacks(&Dispatch, Request);
    NTSTATUS Status = ObpInsertHandle(Request, Access, Handle);
    ObpCallPostCallbacks(&Dispatch, Request, Status, NT_SUCCESS(Status) ? Access : 0);
    return Status;
}

NTSTATUS ObpCreateHandle(PVOID Object, ACCESS_MASK GrantedAccess, ULONG Attributes, PHANDLE Handle)
{
    OBP_HANDLE_REQUEST Request = {
        .Object = Object, .Access = GrantedAccess, .Attributes = Attributes,
        .Operation = OB_OPERATION_HANDLE_CREATE,
    };
    return ObpCreateHandleEx(&Request, Handle);
}

static BOOLEAN ObpReferenceForLookup(PVOID Object)
{
    return ObReferenceObjectSafe(Object);
}

BOOLEAN ObpLookupHandle(PVOID Process, HANDLE Handle, PHANDLE_TABLE_ENTRY Entry)
{
    ULONG Index;
    PEX_HANDLE_TABLE Table = ObpTableForHandle(Process, Handle, &Index);
    return Table != NULL && ExLookupHandle(Table, Index, Entry, ObpReferenceForLookup);
}

/* A driver's own kernel-mode reference to a handle that is not one (closed,
 * never opened, another process's): it gets STATUS_INVALID_HANDLE, as
 * documented, and the verifier reports the call site (a kernel component
 * that uses handles it does not hold is a bug even when it checks). */
static VOID ObpCheckKernelReference(HANDLE Handle, PVOID Caller)
{
    if (VfLevel == VfLevelOff || RtlpLookupModuleByAddress(Caller) == NULL)
        return;
    VfReport("InvalidHandleReference", Caller, "ObReferenceObjectByHandle(%p, KernelMode): not a valid handle in %s",
             Handle, ObIsKernelHandle(Handle) ? "the kernel handle table" : "the current process");
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
    HANDLE_TABLE_ENTRY Entry = { NULL, 0, 0 };
    if (ObpIsPseudoHandle(Handle)) {
        BOOLEAN IsProcess = Handle == NtCurrentProcess();
        Entry.Object = IsProcess ? (PVOID)Thread->ApcState.Process : (PVOID)Thread;
        if (ObjectType != NULL && ObjectType != (IsProcess ? ObpProcessType : ObpThreadType))
            return STATUS_OBJECT_TYPE_MISMATCH;
        Entry.GrantedAccess = IsProcess ? PROCESS_ALL_ACCESS : THREAD_ALL_ACCESS;
        ObfReferenceObject(Entry.Object);
    } else {
        if (AccessMode == UserMode && ObIsKernelHandle(Handle))
            return STATUS_INVALID_HANDLE;
        if (!ObpLookupHandle(NULL, Handle, &Entry)) {
            if (AccessMode == KernelMode)
                ObpCheckKernelReference(Handle, __builtin_return_address(0));
            return STATUS_INVALID_HANDLE;
        }
        if (ObjectType != NULL && OBJECT_TO_OBJECT_HEADER(Entry.Object)->Type != ObjectType) {
            ObfDereferenceObject(Entry.Object);
            return STATUS_OBJECT_TYPE_MISMATCH;
        }
    }
    if (AccessMode != KernelMode) {
        ACCESS_MASK Wanted = ObMapGenericMask(OBJECT_TO_OBJECT_HEADER(Entry.Object)->Type, DesiredAccess);
        if ((Wanted & ~Entry.GrantedAccess) != 0) {
            ObfDereferenceObject(Entry.Object);
            return STATUS_ACCESS_DENIED;
        }
    }
    if (HandleInformation != NULL) {
        HandleInformation->HandleAttributes = Entry.Attributes;
        HandleInformation->GrantedAccess = Entry.GrantedAccess;
    }
    *Object = Entry.Object;
    return STATUS_SUCCESS;
}

NTSTATUS ObReferenceObjectByHandleWithTag(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                          KPROCESSOR_MODE AccessMode, ULONG Tag, PVOID *Object,
                                          POBJECT_HANDLE_INFORMATION HandleInformation)
{
    (void)Tag;
    return ObReferenceObjectByHandle(Handle, DesiredAccess, ObjectType, AccessMode, Object, HandleInformation);
}

/* ---- closing ----------------------------------------------------------------------- */

static VOID ObpReleaseEntry(PHANDLE_TABLE_ENTRY Entry)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Entry->Object);
    __atomic_sub_fetch(&Header->Type->TotalNumberOfHandles, 1, __ATOMIC_RELAXED);
    ObpDecrementHandleCount(Entry->Object);
    ObfDereferenceObject(Entry->Object);
}

/* A kernel handle may be closed only with PreviousMode KernelMode. */
NTSTATUS ObpCloseHandleIn(PVOID Process, HANDLE Handle, KPROCESSOR_MODE PreviousMode)
{
    if (ObpIsPseudoHandle(Handle))
        return STATUS_INVALID_HANDLE;
    if (PreviousMode != KernelMode && ObIsKernelHandle(Handle))
        return STATUS_INVALID_HANDLE;
    ULONG Index;
    PEX_HANDLE_TABLE Table = ObpTableForHandle(Process, Handle, &Index);
    HANDLE_TABLE_ENTRY Entry;
    if (Table == NULL || !ExDestroyHandle(Table, Index, &Entry))
        return STATUS_INVALID_HANDLE;
    ObpReleaseEntry(&Entry);
    return STATUS_SUCCESS;
}

static NTSTATUS ObpCloseHandle(HANDLE Handle, KPROCESSOR_MODE PreviousMode)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, Irql, PASSIVE_LEVEL, (ULONG_PTR)Handle);
    NTSTATUS Status = ObpCloseHandleIn(NULL, Handle, PreviousMode);
    /* Documented (bug check 0x93, P2 = 1): kernel code closed a handle
     * that is not valid. User-mode callers get the status. */
    if (Status == STATUS_INVALID_HANDLE && PreviousMode == KernelMode && !ObpIsPseudoHandle(Handle))
        KiBugCheckExplain(INVALID_KERNEL_HANDLE, (ULONG_PTR)Handle, 1, 0, 0,
                          "kernel-mode code closed handle %p, which is not a valid handle in %s", Handle,
                          ObIsKernelHandle(Handle) ? "the kernel handle table"
                                                   : "the current process's handle table");
    return Status;
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
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)   /* documented PASSIVE, as ObReferenceObjectByHandle (IrqlObPassive) */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001B, Irql, PASSIVE_LEVEL, (ULONG_PTR)Object);
    ObpCheckObject(Object, __func__, __builtin_return_address(0));
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
    HANDLE_TABLE_ENTRY Removed;
    (void)Entry;
    if (ExDestroyHandle(Table, Index, &Removed))
        ObpReleaseEntry(&Removed);
}

/* A process's handle table is run down when the process goes away; a
 * handle created in it afterwards (a duplicate into it) would never be
 * closed, so none can be. */
VOID ObCloseAllHandles(PEX_HANDLE_TABLE Table)
{
    ExCloseHandleTable(Table);
    ExEnumerateHandleTable(Table, ObpCloseEntry, Table);
}
