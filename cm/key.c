/*
 * cm/key.c - opening, creating and deleting keys, and setting and deleting
 * values: Nt/Zw CreateKey, OpenKey, OpenKeyEx, DeleteKey, FlushKey,
 * SetValueKey, DeleteValueKey.
 *
 * Names: an absolute name starts with \REGISTRY (any case); a relative
 * one needs a RootDirectory that is a key handle and must not start with
 * a backslash. Components are separated by one backslash and matched
 * case-insensitively; every key on the way must exist, only the last is
 * created. An empty name with a RootDirectory opens that key again.
 *
 * Every service's entry makes two checks first: PASSIVE_LEVEL (DDI rule
 * IrqlZwPassive, 0xC4/0x2001F), and the WDK's rule that notify routines
 * and object callbacks do not call the registry: a call made inside one
 * is reported to the verifier (CallbackRegistryCall) and goes on. Work
 * item routines may use the registry.
 */
#include "cm/cm.h"

#include <string.h>

/* ---- the rules at every entry ---------------------------------------------------------------- */

VOID CmpCheckCallbackRule(PCSTR Routine, PVOID Caller)
{
    VF_CALLBACK_FRAME *Frame = VfCurrentCallback();
    if (Frame == NULL || Frame->Kind == VfCallbackWorkItem || Frame->Kind == VfCallbackRegistry)
        return;
    VfReport("CallbackRegistryCall", Caller,
             "%s called inside a driver callback: the WDK says notify routines and object callbacks must not "
             "call the registry (queue a work item for it)", Routine);
}

VOID CmpCheckIrql(ULONG Rule, PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, Rule, Irql, PASSIVE_LEVEL, (ULONG_PTR)Caller,
                          "a registry routine was called at IRQL %u; it must be called at PASSIVE_LEVEL", Irql);
}

VOID CmpNotImplemented(PCSTR What)
{
    RtlpReport("ntps: registry: %s is not implemented\n", What);
}

/* ---- handles and names ------------------------------------------------------------------------- */

NTSTATUS CmpReferenceKey(HANDLE Handle, ACCESS_MASK Access, KPROCESSOR_MODE Mode, PCM_KEY_BODY *Body,
                         ACCESS_MASK *Granted)
{
    OBJECT_HANDLE_INFORMATION Information;
    NTSTATUS Status = ObReferenceObjectByHandle(Handle, Access, CmpKeyObjectType, Mode, (PVOID *)Body,
                                                &Information);
    if (NT_SUCCESS(Status) && Granted != NULL)
        *Granted = Information.GrantedAccess;
    return Status;
}

/* Where a name starts: RootDirectory's key, or \REGISTRY for an absolute
 * name (whose first component is consumed). Lock held. */
static NTSTATUS CmpStartOfName(const OBP_CAPTURED_ATTRIBUTES *Captured, PCM_KEY_BODY Root, PCM_KEY_NODE *Start,
                               CMP_PATH *Path)
{
    Path->Buffer = Captured->Name.Buffer;
    Path->Count = Captured->Named ? Captured->Name.Length / sizeof(WCHAR) : 0;
    if (Root != NULL) {
        if (Path->Count != 0 && Path->Buffer[0] == L'\\')
            return STATUS_OBJECT_PATH_SYNTAX_BAD;
        *Start = Root->Node;
        return Root->Node->Deleted ? STATUS_KEY_DELETED : STATUS_SUCCESS;
    }
    if (Path->Count == 0)
        return STATUS_OBJECT_NAME_INVALID;
    if (Path->Buffer[0] != L'\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    Path->Buffer++;
    Path->Count--;
    if (Path->Count == 0)
        return STATUS_OBJECT_TYPE_MISMATCH;     /* "\": the object directory, not a key */
    PCWCH Name;
    USHORT Length;
    NTSTATUS Status;
    if (!CmpNextComponent(Path, &Name, &Length, &Status))
        return Status;
    UNICODE_STRING First = { Length, Length, (PWCH)Name };
    UNICODE_STRING Registry = RTL_CONSTANT_STRING(L"REGISTRY");
    if (!RtlEqualUnicodeString(&First, &Registry, TRUE))
        return Path->Count == 0 ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_OBJECT_PATH_NOT_FOUND;
    *Start = CmpRootNode;
    return STATUS_SUCCESS;
}

typedef struct _CMP_LOOKUP {
    PCM_KEY_NODE Parent;            /* of the last component, NULL when there was none */
    PCM_KEY_NODE Node;              /* what the name names, NULL if its last key is missing */
    PCWCH Leaf;
    USHORT LeafLength;
} CMP_LOOKUP;

/* Every component but the last must exist. Lock held. */
static NTSTATUS CmpLookup(PCM_KEY_NODE Start, CMP_PATH *Path, CMP_LOOKUP *Result)
{
    PCWCH Name;
    USHORT Length;
    NTSTATUS Status;
    Result->Parent = NULL;
    Result->Node = Start;
    Result->Leaf = NULL;
    Result->LeafLength = 0;
    while (CmpNextComponent(Path, &Name, &Length, &Status)) {
        if (Result->Node == NULL)
            return STATUS_OBJECT_NAME_NOT_FOUND;
        Result->Parent = Result->Node;
        Result->Leaf = Name;
        Result->LeafLength = Length;
        Result->Node = CmpFindSubkey(Result->Parent, Name, Length, NULL);
    }
    return Status;
}

/* ---- opening and creating ------------------------------------------------------------------------ */

typedef struct _CMP_OPEN {
    KPROCESSOR_MODE Mode;
    BOOLEAN Create;
    ULONG CreateOptions;
    UNICODE_STRING Class;           /* kernel copy */
    ULONG Disposition;
} CMP_OPEN;

/* Find (or create) the key. Lock held. */
static NTSTATUS CmpResolve(CMP_OPEN *Open, const OBP_CAPTURED_ATTRIBUTES *Captured, PCM_KEY_BODY Root,
                           ACCESS_MASK RootAccess, PCM_KEY_NODE *Node)
{
    PCM_KEY_NODE Start = NULL;
    CMP_PATH Path;
    CMP_LOOKUP Found;
    NTSTATUS Status = CmpStartOfName(Captured, Root, &Start, &Path);
    if (NT_SUCCESS(Status))
        Status = CmpLookup(Start, &Path, &Found);
    if (!NT_SUCCESS(Status))
        return Status;
    Open->Disposition = REG_OPENED_EXISTING_KEY;
    if (Found.Node != NULL) {
        *Node = Found.Node;
        return STATUS_SUCCESS;
    }
    if (!Open->Create)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    /* Documented: the key RootDirectory names needs KEY_CREATE_SUB_KEY.
     * Kernel-mode callers are trusted, as Windows trusts them. */
    if (Root != NULL && Open->Mode != KernelMode && !(RootAccess & KEY_CREATE_SUB_KEY))
        return STATUS_ACCESS_DENIED;
    BOOLEAN Volatile = (Open->CreateOptions & REG_OPTION_VOLATILE) != 0;
    if (Found.Parent->Volatile && !Volatile)
        return STATUS_CHILD_MUST_BE_VOLATILE;
    Open->Disposition = REG_CREATED_NEW_KEY;
    return CmpInsertSubkey(Found.Parent, Found.Leaf, Found.LeafLength, Volatile, Open->Class.Buffer,
                           Open->Class.Length, Node);
}

/* A routine that did a create or open itself (STATUS_CALLBACK_BYPASS from
 * the pre-notification, or a post one that turned a failure into success)
 * put the referenced key object in *ResultObject, as documented: the caller
 * gets a handle to it, which takes over that reference. Without a key
 * object there the operation fails (Failure) and the verifier says why. */
static NTSTATUS CmpHandleFromResult(PVOID Result, ULONG Attributes, ACCESS_MASK DesiredAccess, PHANDLE Handle,
                                    NTSTATUS Failure)
{
    if (Result == NULL || ObGetObjectType(Result) != CmpKeyObjectType) {
        VfReport("RegistryResultObject", VfDriverCaller(),
                 "a registry callback completed a create or open itself without a key object in *ResultObject; "
                 "the operation fails with 0x%08X", (unsigned)Failure);
        return Failure;
    }
    NTSTATUS Status = ObpCreateHandle(Result, ObMapGenericMask(CmpKeyObjectType, DesiredAccess), Attributes, Handle);
    ObfDereferenceObject(Result);   /* the routine's reference, handed over */
    return Status;
}

/* A post routine changed an open's status (STATUS_CALLBACK_BYPASS with
 * ReturnStatus). Error to success: as documented, it opened the key itself
 * and put the referenced key object in *ResultObject (and PostInfo->Object):
 * the caller gets a handle to it, which takes over that reference. Success
 * to error: the handle made is closed again. */
static NTSTATUS CmpPostOpenOverride(NTSTATUS Status, NTSTATUS Final, PVOID Result, ULONG Attributes,
                                    ACCESS_MASK DesiredAccess, PHANDLE Handle)
{
    if (NT_SUCCESS(Status) == NT_SUCCESS(Final))
        return Status;
    if (NT_SUCCESS(Status)) {
        ObpCloseHandleIn(NULL, *Handle, KernelMode);
        *Handle = NULL;
        return Final;
    }
    NTSTATUS Made = CmpHandleFromResult(Result, Attributes, DesiredAccess, Handle, Status);
    return NT_SUCCESS(Made) ? Final : Made;
}

/* The last handle to a key is closed: RegNtPre/PostKeyHandleClose (at
 * PASSIVE_LEVEL only, where registry callbacks run; a close cannot fail,
 * so what the routines return is not used). */
VOID CmpCloseKeyHandle(PVOID Object)
{
    if (!CmpRegCallbacksActive() || KeGetCurrentIrql() != PASSIVE_LEVEL)
        return;
    CMP_CALLS Calls;
    REG_KEY_HANDLE_CLOSE_INFORMATION Pre = { .Object = Object };
    CmpPreNotify(&Calls, RegNtPreKeyHandleClose, &Pre);
    CmpPostNotify(&Calls, RegNtPostKeyHandleClose, Object, STATUS_SUCCESS, &Pre);
}

/* A handle to the key ObjectAttributes names. */
static NTSTATUS CmpOpenKey(CMP_OPEN *Open, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                           PHANDLE Handle)
{
    if (ObjectAttributes == NULL)
        return STATUS_INVALID_PARAMETER;
    OBP_CAPTURED_ATTRIBUTES Captured;
    NTSTATUS Status = ObpCaptureObjectAttributesEx(Open->Mode, ObjectAttributes, &Captured, TRUE);
    if (!NT_SUCCESS(Status))
        return Status;
    PCM_KEY_BODY Root = NULL, Body = NULL;
    ACCESS_MASK RootAccess = 0;
    if (Captured.RootDirectory != NULL)
        Status = CmpReferenceKey(Captured.RootDirectory, 0, Open->Mode, &Root, &RootAccess);
    CMP_CALLS Calls;
    BOOLEAN Notify = NT_SUCCESS(Status) && CmpRegCallbacksActive();
    PVOID Result = NULL;
    /* An absolute name is relative to \REGISTRY for the callbacks: RootObject
     * is that key's object, RemainingName what follows "\REGISTRY\". */
    UNICODE_STRING Remaining = Captured.Name;
    static const UNICODE_STRING RegistryPrefix = RTL_CONSTANT_STRING(L"\\REGISTRY\\");
    if (Root == NULL && RtlPrefixUnicodeString(&RegistryPrefix, &Captured.Name, TRUE)) {
        Remaining.Buffer += RegistryPrefix.Length / sizeof(WCHAR);
        Remaining.Length -= RegistryPrefix.Length;
        Remaining.MaximumLength -= RegistryPrefix.Length;
    }
    REG_CREATE_KEY_INFORMATION_V1 Pre = {
        .CompleteName = &Captured.Name, .RootObject = Root != NULL ? Root : CmpRootKeyObject,
        .ObjectType = CmpKeyObjectType, .Options = Open->CreateOptions, .Class = Open->Create ? &Open->Class : NULL,
        .DesiredAccess = DesiredAccess, .Disposition = &Open->Disposition, .ResultObject = &Result, .Version = 1,
        .RemainingName = &Remaining, .Attributes = Captured.Attributes, .CheckAccessMode = Open->Mode,
    };
    BOOLEAN Bypassed = FALSE;
    if (Notify) {
        Status = CmpPreNotify(&Calls, Open->Create ? RegNtPreCreateKeyEx : RegNtPreOpenKeyEx, &Pre);
        if (Status == STATUS_CALLBACK_BYPASS) {
            Bypassed = TRUE;
            Status = CmpHandleFromResult(Result, Captured.Attributes, DesiredAccess, Handle, STATUS_UNSUCCESSFUL);
        }
    }
    if (NT_SUCCESS(Status) && !Bypassed)
        Status = ObCreateObject(CmpKeyObjectType, sizeof(CM_KEY_BODY), (PVOID *)&Body);
    if (NT_SUCCESS(Status) && !Bypassed) {
        Body->Name = NULL;
        PCM_KEY_NODE Node;
        CmpLockRegistry();
        Status = CmpResolve(Open, &Captured, Root, RootAccess, &Node);
        if (NT_SUCCESS(Status)) {
            CmpReferenceNode(Node);
            Body->Node = Node;
        }
        CmpUnlockRegistry();
    }
    if (Root != NULL)
        ObfDereferenceObject(Root);
    if (NT_SUCCESS(Status) && !Bypassed)
        Status = ObpCreateHandle(Body, ObMapGenericMask(CmpKeyObjectType, DesiredAccess), Captured.Attributes,
                                 Handle);
    if (Notify) {
        NTSTATUS Final = CmpPostNotify(&Calls, Open->Create ? RegNtPostCreateKeyEx : RegNtPostOpenKeyEx,
                                       NT_SUCCESS(Status) ? (Bypassed ? Result : Body) : NULL, Status, &Pre);
        Status = CmpPostOpenOverride(Status, Final, Result, Captured.Attributes, DesiredAccess, Handle);
    }
    if (Body != NULL)
        ObfDereferenceObject(Body);     /* the creation's reference; the handle has its own */
    ObpReleaseObjectAttributes(&Captured);
    return Status;
}

/* The caller's output: probed first (user mode), written last; a handle
 * that cannot be given back is closed again. */
static NTSTATUS CmpProbeOutput(KPROCESSOR_MODE Mode, PVOID Out, SIZE_T Size)
{
    if (Mode == KernelMode)
        return STATUS_SUCCESS;
    __try {
        ProbeForWrite(Out, Size, sizeof(ULONG));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

static NTSTATUS CmpReturnHandle(KPROCESSOR_MODE Mode, PHANDLE Out, HANDLE Handle, PULONG Disposition,
                                ULONG Value)
{
    __try {
        *Out = Handle;
        if (Disposition != NULL)
            *Disposition = Value;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        ObpCloseHandleIn(NULL, Handle, Mode);
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

static NTSTATUS CmpCaptureClass(KPROCESSOR_MODE Mode, PUNICODE_STRING Class, PUNICODE_STRING Copy)
{
    memset(Copy, 0, sizeof(*Copy));
    return Class != NULL ? CmpCaptureName(Mode, Class, Copy) : STATUS_SUCCESS;
}

static NTSTATUS CmpCheckOptions(ULONG Options, ULONG Legal)
{
    if (Options & ~Legal)
        return STATUS_INVALID_PARAMETER;
    if (Options & REG_OPTION_CREATE_LINK) {
        CmpNotImplemented("REG_OPTION_CREATE_LINK (symbolic link keys)");
        return STATUS_NOT_IMPLEMENTED;
    }
    if (Options & REG_OPTION_BACKUP_RESTORE) {
        CmpNotImplemented("REG_OPTION_BACKUP_RESTORE");
        return STATUS_NOT_IMPLEMENTED;
    }
    return STATUS_SUCCESS;  /* REG_OPTION_OPEN_LINK: there are no links; DONT_VIRTUALIZE: nothing is */
}

static NTSTATUS CmpCreateKeyBody(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                 PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition)
{
    CMP_OPEN Open = { .Mode = ExGetPreviousMode(), .Create = TRUE, .CreateOptions = CreateOptions };
    NTSTATUS Status = CmpCheckOptions(CreateOptions, REG_LEGAL_OPTION);
    if (NT_SUCCESS(Status))
        Status = CmpProbeOutput(Open.Mode, KeyHandle, sizeof(HANDLE));
    if (NT_SUCCESS(Status) && Disposition != NULL)     /* optional */
        Status = CmpProbeOutput(Open.Mode, Disposition, sizeof(ULONG));
    if (!NT_SUCCESS(Status))
        return Status;
    /* The caller's termination waits: no half-made key or handle. */
    KeEnterCriticalRegion();
    HANDLE Handle = NULL;
    Status = CmpCaptureClass(Open.Mode, Class, &Open.Class);
    if (NT_SUCCESS(Status))
        Status = CmpOpenKey(&Open, DesiredAccess, ObjectAttributes, &Handle);
    CmpReleaseName(&Open.Class);
    KeLeaveCriticalRegion();
    if (NT_SUCCESS(Status))
        Status = CmpReturnHandle(Open.Mode, KeyHandle, Handle, Disposition, Open.Disposition);
    return Status;
}

static NTSTATUS CmpOpenKeyBody(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               ULONG OpenOptions)
{
    CMP_OPEN Open = { .Mode = ExGetPreviousMode() };
    NTSTATUS Status = CmpCheckOptions(OpenOptions, REG_OPEN_LEGAL_OPTION);
    if (NT_SUCCESS(Status))
        Status = CmpProbeOutput(Open.Mode, KeyHandle, sizeof(HANDLE));
    if (!NT_SUCCESS(Status))
        return Status;
    KeEnterCriticalRegion();
    HANDLE Handle = NULL;
    Status = CmpOpenKey(&Open, DesiredAccess, ObjectAttributes, &Handle);
    KeLeaveCriticalRegion();
    if (NT_SUCCESS(Status))
        Status = CmpReturnHandle(Open.Mode, KeyHandle, Handle, NULL, 0);
    return Status;
}

NTSTATUS NtCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                     ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition)
{
    KI_SYSTEM_SERVICE(NtCreateKey, KeyHandle, DesiredAccess, ObjectAttributes, TitleIndex, Class, CreateOptions,
                      Disposition);
    CMP_NT("NtCreateKey", CmpCreateKeyBody, KeyHandle, DesiredAccess, ObjectAttributes, Class, CreateOptions,
           Disposition);
}

NTSTATUS ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                     ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition)
{
    KI_SYSTEM_SERVICE(NtCreateKey, KeyHandle, DesiredAccess, ObjectAttributes, TitleIndex, Class, CreateOptions,
                      Disposition);
    CMP_ZW("ZwCreateKey", CmpCreateKeyBody, KeyHandle, DesiredAccess, ObjectAttributes, Class, CreateOptions,
           Disposition);
}

NTSTATUS NtOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    KI_SYSTEM_SERVICE(NtOpenKey, KeyHandle, DesiredAccess, ObjectAttributes);
    CMP_NT("NtOpenKey", CmpOpenKeyBody, KeyHandle, DesiredAccess, ObjectAttributes, 0);
}

NTSTATUS ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    KI_SYSTEM_SERVICE(NtOpenKey, KeyHandle, DesiredAccess, ObjectAttributes);
    CMP_ZW("ZwOpenKey", CmpOpenKeyBody, KeyHandle, DesiredAccess, ObjectAttributes, 0);
}

NTSTATUS NtOpenKeyEx(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                     ULONG OpenOptions)
{
    KI_SYSTEM_SERVICE(NtOpenKeyEx, KeyHandle, DesiredAccess, ObjectAttributes, OpenOptions);
    CMP_NT("NtOpenKeyEx", CmpOpenKeyBody, KeyHandle, DesiredAccess, ObjectAttributes, OpenOptions);
}

NTSTATUS ZwOpenKeyEx(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                     ULONG OpenOptions)
{
    KI_SYSTEM_SERVICE(NtOpenKeyEx, KeyHandle, DesiredAccess, ObjectAttributes, OpenOptions);
    CMP_ZW("ZwOpenKeyEx", CmpOpenKeyBody, KeyHandle, DesiredAccess, ObjectAttributes, OpenOptions);
}

NTSTATUS CmpZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                        ULONG CreateOptions, PULONG Disposition)
{
    KI_SYSTEM_SERVICE(NtCreateKey, KeyHandle, DesiredAccess, ObjectAttributes, 0, NULL, CreateOptions,
                      Disposition);
    CMP_INTERNAL(CmpCreateKeyBody, KeyHandle, DesiredAccess, ObjectAttributes, NULL, CreateOptions, Disposition);
}

NTSTATUS CmpZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    KI_SYSTEM_SERVICE(NtOpenKey, KeyHandle, DesiredAccess, ObjectAttributes);
    CMP_INTERNAL(CmpOpenKeyBody, KeyHandle, DesiredAccess, ObjectAttributes, 0);
}

NTSTATUS CmpZwClose(HANDLE Handle)
{
    KI_SYSTEM_SERVICE(NtClose, Handle);
    CMP_INTERNAL(NtClose, Handle);
}

/* ---- deleting and flushing --------------------------------------------------------------------------- */

static NTSTATUS CmpDeleteKeyBody(HANDLE KeyHandle)
{
    PCM_KEY_BODY Body;
    NTSTATUS Status = CmpReferenceKey(KeyHandle, DELETE, ExGetPreviousMode(), &Body, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    CMP_CALLS Calls;
    BOOLEAN Notify = CmpRegCallbacksActive();
    REG_DELETE_KEY_INFORMATION Pre = { .Object = Body };
    NTSTATUS PreStatus = Notify ? CmpPreNotify(&Calls, RegNtPreDeleteKey, &Pre) : STATUS_SUCCESS;
    if (PreStatus == STATUS_SUCCESS) {
        CmpLockRegistry();
        PCM_KEY_NODE Node = Body->Node;
        if (Node->Deleted)
            Status = STATUS_KEY_DELETED;
        else if (Node->HiveRoot || Node->SubkeyCount != 0)
            Status = STATUS_CANNOT_DELETE;
        else
            CmpRemoveKey(Node);
        CmpUnlockRegistry();
    } else {
        Status = PreStatus == STATUS_CALLBACK_BYPASS ? STATUS_SUCCESS : PreStatus;
    }
    if (Notify)
        Status = CmpPostNotify(&Calls, RegNtPostDeleteKey, Body, Status, &Pre);
    ObfDereferenceObject(Body);
    return Status;
}

NTSTATUS NtDeleteKey(HANDLE KeyHandle)
{
    KI_SYSTEM_SERVICE(NtDeleteKey, KeyHandle);
    CMP_NT("NtDeleteKey", CmpDeleteKeyBody, KeyHandle);
}

NTSTATUS ZwDeleteKey(HANDLE KeyHandle)
{
    KI_SYSTEM_SERVICE(NtDeleteKey, KeyHandle);
    CMP_ZW("ZwDeleteKey", CmpDeleteKeyBody, KeyHandle);
}

/* Nothing is on disk: there is nothing to flush. */
static NTSTATUS CmpFlushKeyBody(HANDLE KeyHandle)
{
    PCM_KEY_BODY Body;
    NTSTATUS Status = CmpReferenceKey(KeyHandle, 0, ExGetPreviousMode(), &Body, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    if (__atomic_load_n(&Body->Node->Deleted, __ATOMIC_RELAXED))
        Status = STATUS_KEY_DELETED;
    ObfDereferenceObject(Body);
    return Status;
}

NTSTATUS NtFlushKey(HANDLE KeyHandle)
{
    KI_SYSTEM_SERVICE(NtFlushKey, KeyHandle);
    CMP_NT("NtFlushKey", CmpFlushKeyBody, KeyHandle);
}

NTSTATUS ZwFlushKey(HANDLE KeyHandle)
{
    KI_SYSTEM_SERVICE(NtFlushKey, KeyHandle);
    CMP_ZW("ZwFlushKey", CmpFlushKeyBody, KeyHandle);
}
