/*
 * io/symlink.c - symbolic links: IoCreateSymbolicLink, IoDeleteSymbolicLink,
 * and resolving \??\X (what Win32's \\.\X becomes), \DosDevices\X,
 * \GLOBAL??\X and \SystemRoot to the device name a link holds.
 *
 * A link is an object of type "SymbolicLink" named in the object namespace
 * (ob/namespace.c: \?? and \DosDevices are the same directory as
 * \GLOBAL??), permanent until IoDeleteSymbolicLink, as on Windows. Links
 * are kept in a list with the call site that created them, so that a
 * driver unloading with a link left is reported (on Windows the link
 * stays, dangling, and the driver's next load fails to create it with
 * STATUS_OBJECT_NAME_COLLISION; here too).
 */
#include "io/io.h"
#include "vf/vf.h"

#include <string.h>

typedef struct _IOP_SYMBOLIC_LINK {
    LIST_ENTRY Link;                /* IopLinks */
    UNICODE_STRING Target;
    PVOID Creator;                  /* call site of IoCreateSymbolicLink */
    CHAR Name[96];                  /* for reports */
} IOP_SYMBOLIC_LINK;

static POBJECT_TYPE IopSymbolicLinkType;
static LIST_ENTRY IopLinks;
static EXP_SPIN_LOCK IopLinksLock;

static VOID IopDeleteLink(PVOID Object)
{
    IOP_SYMBOLIC_LINK *Link = Object;
    ExpAcquireSpinLock(&IopLinksLock);
    RemoveEntryList(&Link->Link);
    ExpReleaseSpinLock(&IopLinksLock);
}

VOID IopInitializeSymbolicLinks(VOID)
{
    OBJECT_TYPE_INITIALIZER Init = {
        .Name = L"SymbolicLink", .AsciiName = "SymbolicLink", .PoolTag = 'bmyS',
        .GenericMapping = { STANDARD_RIGHTS_READ | 1, STANDARD_RIGHTS_WRITE, STANDARD_RIGHTS_EXECUTE | 1,
                            STANDARD_RIGHTS_REQUIRED | 1 },
        .ValidAccessMask = STANDARD_RIGHTS_REQUIRED | 1, .DeleteProcedure = IopDeleteLink,
    };
    IopSymbolicLinkType = ObCreateObjectType(&Init);
    InitializeListHead(&IopLinks);
}

/* Links left (a driver's, or any at a bug check-free end): they go before
 * their type does. */
VOID IopShutdownSymbolicLinks(VOID)
{
    for (;;) {
        PVOID Object = NULL;
        ExpAcquireSpinLock(&IopLinksLock);
        for (PLIST_ENTRY E = IopLinks.Flink; E != &IopLinks && Object == NULL; E = E->Flink) {
            IOP_SYMBOLIC_LINK *Link = CONTAINING_RECORD(E, IOP_SYMBOLIC_LINK, Link);
            if ((OBJECT_TO_OBJECT_HEADER(Link)->Flags & OB_FLAG_PERMANENT) && ObReferenceObjectSafe(Link))
                Object = Link;
        }
        ExpReleaseSpinLock(&IopLinksLock);
        if (Object == NULL)
            break;
        ObMakeTemporaryObject(Object);
        ObfDereferenceObject(Object);
    }
    ObDeleteObjectType(IopSymbolicLinkType);
    IopSymbolicLinkType = NULL;
}

static VOID IopAsciiName(PCUNICODE_STRING Name, PCHAR Out, SIZE_T Size)
{
    SIZE_T n = 0;
    for (SIZE_T i = 0; i < Name->Length / sizeof(WCHAR) && n + 1 < Size; i++)
        Out[n++] = Name->Buffer[i] < 0x80 ? (CHAR)Name->Buffer[i] : '?';
    Out[n] = 0;
}

/* Rule: the DDI rule's code, IrqlIoPassive3 (0x2000C) for IoCreateSymbolicLink,
 * IrqlIoPassive4 (0x2000D) for IoCreateUnprotectedSymbolicLink. */
static NTSTATUS IopCreateLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName, PVOID Caller,
                              ULONG Rule)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Rule, Irql, PASSIVE_LEVEL, (ULONG_PTR)Caller);
    if (SymbolicLinkName == NULL || DeviceName == NULL || DeviceName->Length == 0 || DeviceName->Buffer == NULL)
        return STATUS_INVALID_PARAMETER;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, SymbolicLinkName, OBJ_KERNEL_HANDLE | OBJ_PERMANENT | OBJ_CASE_INSENSITIVE,
                               NULL, NULL);
    OBP_CAPTURED_ATTRIBUTES Captured;
    NTSTATUS Status = ObpCaptureObjectAttributes(KernelMode, &Attributes, &Captured);
    if (!NT_SUCCESS(Status))
        return Status;
    if (!Captured.Named) {
        ObpReleaseObjectAttributes(&Captured);
        return STATUS_OBJECT_NAME_INVALID;
    }
    IOP_SYMBOLIC_LINK *Link;
    Status = ObpCreateObject(IopSymbolicLinkType, sizeof(*Link) + DeviceName->Length, &Captured, (PVOID *)&Link);
    if (NT_SUCCESS(Status)) {
        Link->Target.Buffer = (PWCH)(Link + 1);
        Link->Target.Length = Link->Target.MaximumLength = DeviceName->Length;
        memcpy(Link->Target.Buffer, DeviceName->Buffer, DeviceName->Length);
        Link->Creator = Caller;
        IopAsciiName(SymbolicLinkName, Link->Name, sizeof(Link->Name));
        ExpAcquireSpinLock(&IopLinksLock);
        InsertTailList(&IopLinks, &Link->Link);
        ExpReleaseSpinLock(&IopLinksLock);
        HANDLE Handle;
        Status = ObpInsertObject(Link, 0, &Captured, KernelMode, &Handle);
        if (NT_SUCCESS(Status))
            ZwClose(Handle);
    }
    ObpReleaseObjectAttributes(&Captured);
    return Status == STATUS_OBJECT_NAME_EXISTS ? STATUS_OBJECT_NAME_COLLISION : Status;
}

NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    return IopCreateLink(SymbolicLinkName, DeviceName, __builtin_return_address(0), 0x2000C);
}

NTSTATUS IoCreateUnprotectedSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    return IopCreateLink(SymbolicLinkName, DeviceName, __builtin_return_address(0), 0x2000D);
}

NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
    PVOID Caller = __builtin_return_address(0);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))      /* DDI rule IrqlIoPassive4 */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2000D, Irql, PASSIVE_LEVEL, (ULONG_PTR)Caller);
    if (SymbolicLinkName == NULL || SymbolicLinkName->Buffer == NULL)
        return STATUS_INVALID_PARAMETER;
    PVOID Object;
    NTSTATUS Status = ObpReferenceObjectByName(SymbolicLinkName, TRUE, &Object);
    if (!NT_SUCCESS(Status))
        return Status;
    if (OBJECT_TO_OBJECT_HEADER(Object)->Type != IopSymbolicLinkType) {
        ObfDereferenceObject(Object);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    ObMakeTemporaryObject(Object);
    ObfDereferenceObject(Object);
    return STATUS_SUCCESS;
}

/* ---- resolving --------------------------------------------------------------------------------- */

static BOOLEAN IopHasPrefix(PCUNICODE_STRING Name, PCWSTR Prefix, USHORT *Chars)
{
    USHORT n = 0;
    for (; Prefix[n] != 0; n++)
        if (n >= Name->Length / sizeof(WCHAR) || RtlUpcaseUnicodeChar(Name->Buffer[n]) != RtlUpcaseUnicodeChar(Prefix[n]))
            return FALSE;
    *Chars = n;
    return TRUE;
}

NTSTATUS IopResolveName(PCUNICODE_STRING Name, PUNICODE_STRING Out)
{
    static const PCWSTR Directories[] = { L"\\??\\", L"\\DosDevices\\", L"\\GLOBAL??\\" };
    USHORT Skip = 0, Count = Name->Length / sizeof(WCHAR);
    BOOLEAN Linked = FALSE;
    for (ULONG i = 0; i < RTL_NUMBER_OF(Directories) && !Linked; i++)
        Linked = IopHasPrefix(Name, Directories[i], &Skip);
    /* \SystemRoot, the one link in the root directory (drive C:'s \Windows: host/hostfs.c) */
    if (!Linked && IopHasPrefix(Name, L"\\SystemRoot", &Skip) && (Skip == Count || Name->Buffer[Skip] == L'\\')) {
        Linked = TRUE;
        Skip = 1;
    }
    if (!Linked)
        return STATUS_OBJECT_TYPE_MISMATCH;     /* not a link's name: use it as it is */
    USHORT End = Skip;
    while (End < Count && Name->Buffer[End] != L'\\')
        End++;
    UNICODE_STRING LinkName = { (USHORT)(End * sizeof(WCHAR)), (USHORT)(End * sizeof(WCHAR)), Name->Buffer };
    PVOID Object;
    NTSTATUS Status = ObpReferenceObjectByName(&LinkName, TRUE, &Object);
    if (!NT_SUCCESS(Status))
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (OBJECT_TO_OBJECT_HEADER(Object)->Type != IopSymbolicLinkType) {
        ObfDereferenceObject(Object);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    IOP_SYMBOLIC_LINK *Link = Object;
    USHORT Rest = (USHORT)((Count - End) * sizeof(WCHAR));
    USHORT Length = (USHORT)(Link->Target.Length + Rest);
    Out->Buffer = ExpAllocateKernel(Length + sizeof(WCHAR), 'mNoI');
    if (Out->Buffer == NULL) {
        ObfDereferenceObject(Object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(Out->Buffer, Link->Target.Buffer, Link->Target.Length);
    memcpy((PCHAR)Out->Buffer + Link->Target.Length, Name->Buffer + End, Rest);
    Out->Length = Length;
    Out->MaximumLength = (USHORT)(Length + sizeof(WCHAR));
    ObfDereferenceObject(Object);
    return STATUS_SUCCESS;
}

/* ---- unload --------------------------------------------------------------------------------------- */

VOID IopCheckUnloadedSymbolicLinks(PRTL_MODULE Module)
{
    PUCHAR Base = Module->Base;
    ExpAcquireSpinLock(&IopLinksLock);
    for (PLIST_ENTRY E = IopLinks.Flink; E != &IopLinks; E = E->Flink) {
        IOP_SYMBOLIC_LINK *Link = CONTAINING_RECORD(E, IOP_SYMBOLIC_LINK, Link);
        if ((PUCHAR)Link->Creator >= Base && (PUCHAR)Link->Creator < Base + Module->Size &&
            (OBJECT_TO_OBJECT_HEADER(Link)->Flags & OB_FLAG_PERMANENT)) {
            CHAR Name[96];
            memcpy(Name, Link->Name, sizeof(Name));
            PVOID Creator = Link->Creator;
            Link->Creator = NULL;   /* reported once */
            ExpReleaseSpinLock(&IopLinksLock);
            VfReport("SymbolicLinkLeftAtUnload", Creator,
                     "%s unloaded without IoDeleteSymbolicLink(%s): the link stays, naming a device that is gone "
                     "(as on Windows; the next IoCreateSymbolicLink of it fails with STATUS_OBJECT_NAME_COLLISION)",
                     Module->Name, Name);
            ExpAcquireSpinLock(&IopLinksLock);
            E = &IopLinks;      /* start over: the list may have changed */
        }
    }
    ExpReleaseSpinLock(&IopLinksLock);
}
