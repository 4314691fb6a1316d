/*
 * ob/namespace.c - named objects: capturing OBJECT_ATTRIBUTES, a small
 * object namespace, and creating or opening objects by name.
 *
 * The namespace is flat: a few fixed directories (the root,
 * \BaseNamedObjects, \KernelObjects, \Device) and the objects named in them, in a
 * hash table. Directory names match case-insensitively, as Windows' object
 * directories do; the last component follows OBJ_CASE_INSENSITIVE, as for
 * Windows' event, mutant and semaphore types (without it the match is
 * exact). No directory objects can be created or opened, so a
 * RootDirectory handle never names one (STATUS_OBJECT_TYPE_MISMATCH).
 *
 * A named object leaves the namespace when its last handle closes. The
 * handle count of a named object goes from or to zero only under the
 * namespace lock, so an open by name and the close of the last handle
 * cannot cross. OBJ_PERMANENT (kernel callers only; user callers lack
 * SeCreatePermanentPrivilege here) keeps the object named, with one
 * reference held by the namespace, until ZwMakeTemporaryObject or shutdown.
 */
#include "ob/ob.h"

#include <string.h>

typedef struct _OBP_NAME_INFO {
    LIST_ENTRY Link;                /* hash chain while Inserted */
    BOOLEAN Inserted;
    ULONG Directory;                /* index in ObpDirectories */
    ULONG Hash;
    PVOID Object;                   /* whose name this is */
    UNICODE_STRING Leaf;            /* the last component; its characters follow */
} OBP_NAME_INFO;

static const PCWSTR ObpDirectories[] = { L"", L"\\BaseNamedObjects", L"\\KernelObjects", L"\\Device",
                                         L"\\GLOBAL??", L"\\Callback" };
#define OBP_GLOBAL_DIRECTORY 4
/* Other names of \GLOBAL?? (Windows: \?? is the session's view, and
 * \DosDevices a symbolic link to it; here there is one global view). */
static const PCWSTR ObpGlobalAliases[] = { L"\\??", L"\\DosDevices" };

#define OBP_NAME_BUCKETS 64
static LIST_ENTRY ObpNameBuckets[OBP_NAME_BUCKETS];
static EXP_SPIN_LOCK ObpNamespaceLock;

static OBP_NAME_INFO *ObpNameInfo(PVOID Object)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    return (Header->Flags & OB_FLAG_NAMED) ? (OBP_NAME_INFO *)((PCHAR)Header - Header->NameInfoOffset) : NULL;
}

static PVOID ObpNameInfoObject(OBP_NAME_INFO *Info)
{
    return Info->Object;
}

VOID ObpInitializeNamespace(VOID)
{
    for (ULONG i = 0; i < OBP_NAME_BUCKETS; i++)
        InitializeListHead(&ObpNameBuckets[i]);
}

/* Permanent objects are the namespace's own references. */
VOID ObpShutdownNamespace(VOID)
{
    for (ULONG i = 0; i < OBP_NAME_BUCKETS; i++) {
        while (!IsListEmpty(&ObpNameBuckets[i])) {
            OBP_NAME_INFO *Info = CONTAINING_RECORD(RemoveHeadList(&ObpNameBuckets[i]), OBP_NAME_INFO, Link);
            PVOID Object = ObpNameInfoObject(Info);
            Info->Inserted = FALSE;
            if (OBJECT_TO_OBJECT_HEADER(Object)->Flags & OB_FLAG_PERMANENT)
                ObfDereferenceObject(Object);
        }
    }
}

/* ---- capturing OBJECT_ATTRIBUTES ------------------------------------------------------------------ */

VOID ObpReleaseObjectAttributes(OBP_CAPTURED_ATTRIBUTES *Captured)
{
    if (Captured->Name.Buffer != NULL)
        ExpFreeKernel(Captured->Name.Buffer);
    memset(Captured, 0, sizeof(*Captured));
}

static NTSTATUS ObpCaptureName(KPROCESSOR_MODE Mode, const UNICODE_STRING *Name, OBP_CAPTURED_ATTRIBUTES *Captured)
{
    if (Name->Length == 0)
        return STATUS_SUCCESS;      /* an empty name: no name */
    if ((Name->Length & 1) || Name->Buffer == NULL)
        return STATUS_OBJECT_NAME_INVALID;
    PWCH Copy = ExpAllocateKernel(Name->Length, 'mNbO');
    if (Copy == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        if (Mode != KernelMode)
            ProbeForRead(Name->Buffer, Name->Length, sizeof(WCHAR));
        memcpy(Copy, Name->Buffer, Name->Length);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        ExpFreeKernel(Copy);
        return GetExceptionCode();
    }
    Captured->Named = TRUE;
    Captured->Name.Buffer = Copy;
    Captured->Name.Length = Captured->Name.MaximumLength = Name->Length;
    return STATUS_SUCCESS;
}

/* No directory objects exist here: a valid RootDirectory handle names
 * something else. */
static NTSTATUS ObpCheckRootDirectory(KPROCESSOR_MODE Mode, HANDLE RootDirectory)
{
    PVOID Object;
    NTSTATUS Status = ObReferenceObjectByHandle(RootDirectory, 0, NULL, Mode, &Object, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    ObfDereferenceObject(Object);
    return STATUS_OBJECT_TYPE_MISMATCH;
}

NTSTATUS ObpCaptureObjectAttributes(KPROCESSOR_MODE Mode, POBJECT_ATTRIBUTES ObjectAttributes,
                                    OBP_CAPTURED_ATTRIBUTES *Captured)
{
    return ObpCaptureObjectAttributesEx(Mode, ObjectAttributes, Captured, FALSE);
}

NTSTATUS ObpCaptureObjectAttributesEx(KPROCESSOR_MODE Mode, POBJECT_ATTRIBUTES ObjectAttributes,
                                      OBP_CAPTURED_ATTRIBUTES *Captured, BOOLEAN OwnNamespace)
{
    memset(Captured, 0, sizeof(*Captured));
    if (ObjectAttributes == NULL)
        return STATUS_SUCCESS;
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name = { 0, 0, NULL };
    __try {
        if (Mode != KernelMode)
            ProbeForRead(ObjectAttributes, sizeof(*ObjectAttributes), sizeof(ULONG));
        Attributes = *ObjectAttributes;
        if (Attributes.ObjectName != NULL) {
            if (Mode != KernelMode)
                ProbeForRead(Attributes.ObjectName, sizeof(UNICODE_STRING), sizeof(ULONG));
            Name = *Attributes.ObjectName;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    if (Attributes.Length != sizeof(OBJECT_ATTRIBUTES) || (Attributes.Attributes & ~OBJ_VALID_ATTRIBUTES))
        return STATUS_INVALID_PARAMETER;
    Captured->Attributes = Attributes.Attributes;
    if (Mode != KernelMode)
        Captured->Attributes &= ~OBJ_KERNEL_HANDLE;     /* only kernel callers get kernel handles */
    Captured->RootDirectory = Attributes.RootDirectory;
    NTSTATUS Status = ObpCaptureName(Mode, &Name, Captured);
    if (NT_SUCCESS(Status) && Captured->Named && Captured->RootDirectory != NULL && !OwnNamespace)
        Status = ObpCheckRootDirectory(Mode, Captured->RootDirectory);
    if (!NT_SUCCESS(Status))
        ObpReleaseObjectAttributes(Captured);
    return Status;
}

/* ---- names ------------------------------------------------------------------------------------------ */

#define OBP_ROOT_ITSELF MAXULONG    /* the name is a directory: "\" or "\BaseNamedObjects" */

static BOOLEAN ObpEqual(PCWCH A, PCWCH B, SIZE_T Count, BOOLEAN CaseInsensitive)
{
    for (SIZE_T i = 0; i < Count; i++)
        if (A[i] != B[i] &&
            (!CaseInsensitive || RtlUpcaseUnicodeChar(A[i]) != RtlUpcaseUnicodeChar(B[i])))
            return FALSE;
    return TRUE;
}

static ULONG ObpFindDirectory(PCWCH Path, SIZE_T Count)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(ObpDirectories); i++) {
        SIZE_T Length = 0;
        while (ObpDirectories[i][Length] != 0)
            Length++;
        if (Length == Count && ObpEqual(Path, ObpDirectories[i], Count, TRUE))
            return i;
    }
    for (ULONG i = 0; i < RTL_NUMBER_OF(ObpGlobalAliases); i++) {
        SIZE_T Length = 0;
        while (ObpGlobalAliases[i][Length] != 0)
            Length++;
        if (Length == Count && ObpEqual(Path, ObpGlobalAliases[i], Count, TRUE))
            return OBP_GLOBAL_DIRECTORY;
    }
    return MAXULONG;
}

/* Split an absolute name into its directory and last component. */
static NTSTATUS ObpParseName(PCUNICODE_STRING Name, ULONG *Directory, UNICODE_STRING *Leaf)
{
    SIZE_T Count = Name->Length / sizeof(WCHAR);
    if (Count == 0 || Name->Buffer[0] != L'\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;   /* relative, with no RootDirectory */
    SIZE_T Last = Count - 1;
    while (Name->Buffer[Last] != L'\\')
        Last--;
    *Directory = ObpFindDirectory(Name->Buffer, Last);
    if (*Directory == MAXULONG)
        return STATUS_OBJECT_PATH_NOT_FOUND;
    Leaf->Buffer = Name->Buffer + Last + 1;
    Leaf->Length = Leaf->MaximumLength = (USHORT)((Count - Last - 1) * sizeof(WCHAR));
    if (Count == 1 || ObpFindDirectory(Name->Buffer, Count) != MAXULONG) {
        *Directory = OBP_ROOT_ITSELF;
        return STATUS_SUCCESS;
    }
    return Leaf->Length == 0 ? STATUS_OBJECT_NAME_INVALID : STATUS_SUCCESS;
}

static ULONG ObpHashName(ULONG Directory, PCUNICODE_STRING Leaf)
{
    ULONG Hash = 2166136261u ^ Directory;
    for (SIZE_T i = 0; i < Leaf->Length / sizeof(WCHAR); i++)
        Hash = (Hash ^ RtlUpcaseUnicodeChar(Leaf->Buffer[i])) * 16777619u;
    return Hash;
}

/* Namespace lock held. */
static OBP_NAME_INFO *ObpLookupName(ULONG Directory, PCUNICODE_STRING Leaf, ULONG Hash, BOOLEAN CaseInsensitive)
{
    PLIST_ENTRY Head = &ObpNameBuckets[Hash % OBP_NAME_BUCKETS];
    for (PLIST_ENTRY E = Head->Flink; E != Head; E = E->Flink) {
        OBP_NAME_INFO *Info = CONTAINING_RECORD(E, OBP_NAME_INFO, Link);
        if (Info->Hash == Hash && Info->Directory == Directory && Info->Leaf.Length == Leaf->Length &&
            ObpEqual(Info->Leaf.Buffer, Leaf->Buffer, Leaf->Length / sizeof(WCHAR), CaseInsensitive))
            return Info;
    }
    return NULL;
}

/* ---- creating, inserting and opening ------------------------------------------------------------------ */

NTSTATUS ObpCreateObject(POBJECT_TYPE Type, SIZE_T BodySize, const OBP_CAPTURED_ATTRIBUTES *Captured,
                         PVOID *Object)
{
    if (Captured == NULL || !Captured->Named)
        return ObCreateObject(Type, BodySize, Object);
    ULONG Directory;
    UNICODE_STRING Leaf;
    NTSTATUS Status = ObpParseName(&Captured->Name, &Directory, &Leaf);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Directory == OBP_ROOT_ITSELF)
        return (Captured->Attributes & OBJ_OPENIF) ? STATUS_OBJECT_TYPE_MISMATCH : STATUS_OBJECT_NAME_COLLISION;
    OBP_NAME_INFO *Info;
    Status = ObpAllocateObject(Type, BodySize, sizeof(OBP_NAME_INFO) + Leaf.Length, Object, (PVOID *)&Info);
    if (!NT_SUCCESS(Status))
        return Status;
    Info->Inserted = FALSE;
    Info->Object = *Object;
    Info->Directory = Directory;
    Info->Hash = ObpHashName(Directory, &Leaf);
    Info->Leaf.Buffer = (PWCH)(Info + 1);
    Info->Leaf.Length = Info->Leaf.MaximumLength = Leaf.Length;
    memcpy(Info->Leaf.Buffer, Leaf.Buffer, Leaf.Length);
    return STATUS_SUCCESS;
}

VOID ObpDecrementHandleCount(PVOID Object)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    if (!(Header->Flags & OB_FLAG_NAMED)) {
        if (__atomic_sub_fetch(&Header->HandleCount, 1, __ATOMIC_ACQ_REL) == 0 && Header->Type->CloseProcedure != NULL)
            Header->Type->CloseProcedure(Object);
        return;
    }
    /* An open by name may take a handle again before we have the lock:
     * then the object keeps its name. */
    if (__atomic_sub_fetch(&Header->HandleCount, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    OBP_NAME_INFO *Info = ObpNameInfo(Object);
    ExpAcquireSpinLock(&ObpNamespaceLock);
    if (__atomic_load_n(&Header->HandleCount, __ATOMIC_RELAXED) == 0 && Info->Inserted &&
        !(Header->Flags & OB_FLAG_PERMANENT)) {
        RemoveEntryList(&Info->Link);
        Info->Inserted = FALSE;
    }
    ExpReleaseSpinLock(&ObpNamespaceLock);
}

/* Namespace lock held: a handle to Object is on its way (its reference
 * and count are taken here, where the last close cannot interleave). */
static BOOLEAN ObpTakeHandleReference(PVOID Object)
{
    if (!ObReferenceObjectSafe(Object))
        return FALSE;
    __atomic_add_fetch(&OBJECT_TO_OBJECT_HEADER(Object)->HandleCount, 1, __ATOMIC_RELAXED);
    return TRUE;
}

static NTSTATUS ObpHandleToTaken(PVOID Object, ACCESS_MASK Access, const OBP_CAPTURED_ATTRIBUTES *Captured,
                                 PHANDLE Handle)
{
    OBP_HANDLE_REQUEST Request = {
        .Object = Object, .Access = Access, .Attributes = Captured->Attributes,
        .Operation = OB_OPERATION_HANDLE_CREATE, .HandleCountTaken = TRUE,
    };
    return ObpCreateHandleEx(&Request, Handle);
}

/* A name that exists already: the existing object with OBJ_OPENIF. */
static NTSTATUS ObpOpenExisting(PVOID New, OBP_NAME_INFO *Existing, ACCESS_MASK DesiredAccess,
                                const OBP_CAPTURED_ATTRIBUTES *Captured, PHANDLE Handle)
{
    PVOID Object = ObpNameInfoObject(Existing);
    POBJECT_TYPE Type = OBJECT_TO_OBJECT_HEADER(New)->Type;
    NTSTATUS Status = STATUS_OBJECT_NAME_EXISTS;
    if (!(Captured->Attributes & OBJ_OPENIF))
        Status = STATUS_OBJECT_NAME_COLLISION;
    else if (OBJECT_TO_OBJECT_HEADER(Object)->Type != Type)
        Status = STATUS_OBJECT_TYPE_MISMATCH;
    else if (!ObpTakeHandleReference(Object))
        Status = STATUS_OBJECT_NAME_NOT_FOUND;  /* being deleted: cannot happen while named */
    ExpReleaseSpinLock(&ObpNamespaceLock);
    ObfDereferenceObject(New);
    if (Status != STATUS_OBJECT_NAME_EXISTS)
        return Status;
    NTSTATUS Created = ObpHandleToTaken(Object, ObMapGenericMask(Type, DesiredAccess), Captured, Handle);
    return NT_SUCCESS(Created) ? Status : Created;
}

NTSTATUS ObpInsertObject(PVOID Object, ACCESS_MASK DesiredAccess, const OBP_CAPTURED_ATTRIBUTES *Captured,
                         KPROCESSOR_MODE Mode, PHANDLE Handle)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    ACCESS_MASK Access = ObMapGenericMask(Header->Type, DesiredAccess);
    OBP_NAME_INFO *Info = ObpNameInfo(Object);
    if (Info == NULL) {
        NTSTATUS Status = ObpCreateHandle(Object, Access, Captured->Attributes, Handle);
        ObfDereferenceObject(Object);   /* the creation's reference; the handle has its own */
        return Status;
    }
    BOOLEAN Permanent = (Captured->Attributes & OBJ_PERMANENT) != 0;
    if (Permanent && Mode != KernelMode) {
        ObfDereferenceObject(Object);
        return STATUS_PRIVILEGE_NOT_HELD;
    }
    BOOLEAN CaseInsensitive = (Captured->Attributes & OBJ_CASE_INSENSITIVE) != 0;
    ExpAcquireSpinLock(&ObpNamespaceLock);
    OBP_NAME_INFO *Existing = ObpLookupName(Info->Directory, &Info->Leaf, Info->Hash, CaseInsensitive);
    if (Existing != NULL)
        return ObpOpenExisting(Object, Existing, DesiredAccess, Captured, Handle);   /* releases the lock */
    InsertTailList(&ObpNameBuckets[Info->Hash % OBP_NAME_BUCKETS], &Info->Link);
    Info->Inserted = TRUE;
    if (Permanent) {
        Header->Flags |= OB_FLAG_PERMANENT;
        ObfReferenceObject(Object);     /* the namespace's */
    }
    /* The creation's reference becomes the handle's. */
    __atomic_add_fetch(&Header->HandleCount, 1, __ATOMIC_RELAXED);
    ExpReleaseSpinLock(&ObpNamespaceLock);
    return ObpHandleToTaken(Object, Access, Captured, Handle);
}

NTSTATUS ObpOpenObjectByName(POBJECT_TYPE Type, ACCESS_MASK DesiredAccess, const OBP_CAPTURED_ATTRIBUTES *Captured,
                             PHANDLE Handle)
{
    if (!Captured->Named)
        return STATUS_OBJECT_NAME_INVALID;
    ULONG Directory;
    UNICODE_STRING Leaf;
    NTSTATUS Status = ObpParseName(&Captured->Name, &Directory, &Leaf);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Directory == OBP_ROOT_ITSELF)
        return STATUS_OBJECT_TYPE_MISMATCH;
    ULONG Hash = ObpHashName(Directory, &Leaf);
    ExpAcquireSpinLock(&ObpNamespaceLock);
    OBP_NAME_INFO *Info = ObpLookupName(Directory, &Leaf, Hash, (Captured->Attributes & OBJ_CASE_INSENSITIVE) != 0);
    PVOID Object = Info != NULL ? ObpNameInfoObject(Info) : NULL;
    if (Object == NULL)
        Status = STATUS_OBJECT_NAME_NOT_FOUND;
    else if (OBJECT_TO_OBJECT_HEADER(Object)->Type != Type)
        Status = STATUS_OBJECT_TYPE_MISMATCH;
    else if (!ObpTakeHandleReference(Object))
        Status = STATUS_OBJECT_NAME_NOT_FOUND;
    ExpReleaseSpinLock(&ObpNamespaceLock);
    if (!NT_SUCCESS(Status))
        return Status;
    return ObpHandleToTaken(Object, ObMapGenericMask(Type, DesiredAccess), Captured, Handle);
}

NTSTATUS ObpReferenceObjectByName(PCUNICODE_STRING Name, BOOLEAN CaseInsensitive, PVOID *Object)
{
    ULONG Directory;
    UNICODE_STRING Leaf;
    *Object = NULL;
    NTSTATUS Status = ObpParseName(Name, &Directory, &Leaf);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Directory == OBP_ROOT_ITSELF)
        return STATUS_OBJECT_TYPE_MISMATCH;     /* a directory: no directory objects here */
    ULONG Hash = ObpHashName(Directory, &Leaf);
    ExpAcquireSpinLock(&ObpNamespaceLock);
    OBP_NAME_INFO *Info = ObpLookupName(Directory, &Leaf, Hash, CaseInsensitive);
    PVOID Found = Info != NULL ? ObpNameInfoObject(Info) : NULL;
    if (Found == NULL || !ObReferenceObjectSafe(Found))
        Status = STATUS_OBJECT_NAME_NOT_FOUND;
    else
        *Object = Found;
    ExpReleaseSpinLock(&ObpNamespaceLock);
    return Status;
}

/* A name never changes once made (its leaf follows its OBP_NAME_INFO), so
 * it is read without the namespace lock. */
VOID ObpAppendObjectName(PVOID Object, OBP_NAME_BUILDER *Builder)
{
    POBJECT_TYPE Type = OBJECT_TO_OBJECT_HEADER(Object)->Type;
    if (Type->QueryNameProcedure != NULL) {
        Type->QueryNameProcedure(Object, Builder);
        return;
    }
    OBP_NAME_INFO *Info = ObpNameInfo(Object);
    if (Info == NULL)
        return;
    PCWSTR Directory = ObpDirectories[Info->Directory];
    SIZE_T Length = 0;
    while (Directory[Length] != 0)
        Length++;
    ObpAppendName(Builder, Directory, Length);
    ObpAppendName(Builder, L"\\", 1);
    ObpAppendName(Builder, Info->Leaf.Buffer, Info->Leaf.Length / sizeof(WCHAR));
}

PVOID (*ObpReferenceDriverByName)(PCUNICODE_STRING Name);

/* Exported by Windows without a WDK declaration; drivers declare it
 * themselves (a filter finds \Driver\Kbdclass by it and walks its devices).
 * \Driver\ names are the driver objects' DriverName (io/driver.c), which
 * always compare without regard to case, as Windows' object directories do.
 * The object is referenced by name as the kernel's own lookups do;
 * AccessState, DesiredAccess and ParseContext are not used: no access check
 * is made for either AccessMode (ntps has no security descriptors on names). */
NTSTATUS ObReferenceObjectByName(PUNICODE_STRING ObjectName, ULONG Attributes, PACCESS_STATE AccessState,
                                 ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                 PVOID ParseContext, PVOID *Object)
{
    (void)AccessState;
    (void)DesiredAccess;
    (void)AccessMode;
    (void)ParseContext;
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)   /* PASSIVE, as the other Ob lookups (IrqlObPassive) */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001B, Irql, PASSIVE_LEVEL, (ULONG_PTR)ObjectName);
    *Object = NULL;
    if (ObjectName == NULL || ObjectName->Length == 0 || ObjectName->Buffer == NULL)
        return STATUS_OBJECT_NAME_INVALID;
    PVOID Found;
    static const UNICODE_STRING DriverFolder = RTL_CONSTANT_STRING(L"\\Driver\\");
    NTSTATUS Status;
    if (RtlPrefixUnicodeString(&DriverFolder, ObjectName, TRUE) && ObpReferenceDriverByName != NULL) {
        Found = ObpReferenceDriverByName(ObjectName);
        Status = Found != NULL ? STATUS_SUCCESS : STATUS_OBJECT_NAME_NOT_FOUND;
    } else {
        Status = ObpReferenceObjectByName(ObjectName, (Attributes & OBJ_CASE_INSENSITIVE) != 0, &Found);
    }
    if (!NT_SUCCESS(Status))
        return Status;
    if (ObjectType != NULL && OBJECT_TO_OBJECT_HEADER(Found)->Type != ObjectType) {
        ObfDereferenceObject(Found);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    *Object = Found;
    return STATUS_SUCCESS;
}

/* ---- permanent objects ----------------------------------------------------------------------------------- */

VOID ObMakeTemporaryObject(PVOID Object)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    BOOLEAN WasPermanent = FALSE;
    ExpAcquireSpinLock(&ObpNamespaceLock);
    if (Header->Flags & OB_FLAG_PERMANENT) {
        Header->Flags &= ~OB_FLAG_PERMANENT;
        WasPermanent = TRUE;
        /* Named until its last handle closes, unless that happened already
         * (another thread closed the handle we came in by). */
        OBP_NAME_INFO *Info = ObpNameInfo(Object);
        if (Info != NULL && Info->Inserted && __atomic_load_n(&Header->HandleCount, __ATOMIC_RELAXED) == 0) {
            RemoveEntryList(&Info->Link);
            Info->Inserted = FALSE;
        }
    }
    ExpReleaseSpinLock(&ObpNamespaceLock);
    if (WasPermanent)
        ObfDereferenceObject(Object);   /* the namespace's */
}

NTSTATUS NtMakeTemporaryObject(HANDLE Handle)
{
    KI_SYSTEM_SERVICE(NtMakeTemporaryObject, Handle);
    PVOID Object;
    NTSTATUS Status = ObReferenceObjectByHandle(Handle, DELETE, NULL, ExGetPreviousMode(), &Object, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    ObMakeTemporaryObject(Object);
    ObfDereferenceObject(Object);
    return STATUS_SUCCESS;
}

NTSTATUS ZwMakeTemporaryObject(HANDLE Handle)
{
    KI_ZW_SERVICE(NtMakeTemporaryObject, Handle);
}
