/*
 * cm/hive.c - the in-memory hive: a tree of keys under \REGISTRY, each
 * with its subkeys (kept sorted by name, case-insensitively, so look-ups
 * are a binary search and enumeration has a stable order) and its values
 * (in the order they were first set); the key object type; the keys
 * Windows has at boot.
 *
 * A key node lives while it is in the tree or an open key body names it.
 * Deleting a key unlinks it and drops its values at once; the node stays
 * for its open handles, which then see STATUS_KEY_DELETED.
 */
#include "cm/cm.h"

#include <string.h>

POBJECT_TYPE CmpKeyObjectType;
PCM_KEY_NODE CmpRootNode;
static FAST_MUTEX CmpLock;
/* Until the host's registry is made (CmEndBoot) one thread uses the
 * registry: no lock, so boot adds no kernel entries to a simulation's
 * schedule (its seeded choices stay where they were). */
static BOOLEAN CmpBooting;

VOID CmpLockRegistry(VOID)
{
    if (!CmpBooting)
        ExAcquireFastMutex(&CmpLock);
}

VOID CmpUnlockRegistry(VOID)
{
    if (!CmpBooting)
        ExReleaseFastMutex(&CmpLock);
}

VOID CmEndBoot(VOID)
{
    CmpBooting = FALSE;
}

/* ---- names ----------------------------------------------------------------------------------- */

static LONG CmpCompareNames(PCWCH A, USHORT ALength, PCWCH B, USHORT BLength)
{
    USHORT Count = (ALength < BLength ? ALength : BLength) / sizeof(WCHAR);
    for (USHORT i = 0; i < Count; i++) {
        WCHAR X = RtlUpcaseUnicodeChar(A[i]), Y = RtlUpcaseUnicodeChar(B[i]);
        if (X != Y)
            return X < Y ? -1 : 1;
    }
    return ALength == BLength ? 0 : ALength < BLength ? -1 : 1;
}

BOOLEAN CmpNextComponent(CMP_PATH *Path, PCWCH *Name, USHORT *Length, NTSTATUS *Status)
{
    *Status = STATUS_SUCCESS;
    if (Path->Count == 0)
        return FALSE;
    SIZE_T n = 0;
    while (n < Path->Count && Path->Buffer[n] != L'\\')
        n++;
    if (n == 0 || n > CMP_MAX_KEY_NAME || (n == Path->Count - 1)) {
        /* "a\\b", "a\" or a component over Windows' limit */
        *Status = STATUS_OBJECT_NAME_INVALID;
        return FALSE;
    }
    *Name = Path->Buffer;
    *Length = (USHORT)(n * sizeof(WCHAR));
    Path->Buffer += n < Path->Count ? n + 1 : n;
    Path->Count -= n < Path->Count ? n + 1 : n;
    return TRUE;
}

/* ---- nodes ------------------------------------------------------------------------------------ */

VOID CmpTouch(PCM_KEY_NODE Node)
{
    KeQuerySystemTime(&Node->LastWriteTime);
}

PCM_KEY_NODE CmpFindSubkey(PCM_KEY_NODE Parent, PCWCH Name, USHORT Length, PULONG Index)
{
    ULONG Low = 0, High = Parent->SubkeyCount;
    while (Low < High) {
        ULONG Middle = Low + (High - Low) / 2;
        PCM_KEY_NODE Child = Parent->Subkeys[Middle];
        LONG Order = CmpCompareNames(Name, Length, Child->Name, Child->NameLength);
        if (Order == 0) {
            if (Index != NULL)
                *Index = Middle;
            return Child;
        }
        if (Order < 0)
            High = Middle;
        else
            Low = Middle + 1;
    }
    if (Index != NULL)
        *Index = Low;   /* where it would go */
    return NULL;
}

/* Grow an array of pointers to hold one more. */
static BOOLEAN CmpGrow(PVOID **Array, ULONG Count, ULONG *Capacity)
{
    if (Count < *Capacity)
        return TRUE;
    ULONG New = *Capacity ? *Capacity * 2 : 4;
    PVOID *Bigger = ExpAllocateKernel(New * sizeof(PVOID), 'aRmC');
    if (Bigger == NULL)
        return FALSE;
    if (Count != 0)
        memcpy(Bigger, *Array, Count * sizeof(PVOID));
    if (*Array != NULL)
        ExpFreeKernel(*Array);
    *Array = Bigger;
    *Capacity = New;
    return TRUE;
}

NTSTATUS CmpInsertSubkey(PCM_KEY_NODE Parent, PCWCH Name, USHORT Length, BOOLEAN Volatile, PCWCH Class,
                         USHORT ClassLength, PCM_KEY_NODE *Node)
{
    ULONG Index;
    if (CmpFindSubkey(Parent, Name, Length, &Index) != NULL)
        return STATUS_OBJECT_NAME_COLLISION;
    if (!CmpGrow((PVOID **)&Parent->Subkeys, Parent->SubkeyCount, &Parent->SubkeyCapacity))
        return STATUS_INSUFFICIENT_RESOURCES;
    PCM_KEY_NODE Child = ExpAllocateKernel(sizeof(CM_KEY_NODE) + Length, 'yKmC');
    PWCH ClassCopy = ClassLength != 0 ? ExpAllocateKernel(ClassLength, 'lCmC') : NULL;
    if (Child == NULL || (ClassLength != 0 && ClassCopy == NULL)) {
        if (Child != NULL)
            ExpFreeKernel(Child);
        if (ClassCopy != NULL)
            ExpFreeKernel(ClassCopy);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(Child->Name, Name, Length);
    Child->NameLength = Length;
    if (ClassLength != 0)
        memcpy(ClassCopy, Class, ClassLength);
    Child->Class = ClassCopy;
    Child->ClassLength = ClassLength;
    Child->Volatile = Volatile;
    Child->References = 1;          /* the tree's */
    Child->Parent = Parent;
    CmpTouch(Child);
    memmove(&Parent->Subkeys[Index + 1], &Parent->Subkeys[Index],
            (Parent->SubkeyCount - Index) * sizeof(PCM_KEY_NODE));
    Parent->Subkeys[Index] = Child;
    Parent->SubkeyCount++;
    CmpTouch(Parent);
    *Node = Child;
    return STATUS_SUCCESS;
}

static VOID CmpFreeValues(PCM_KEY_NODE Node)
{
    for (ULONG i = 0; i < Node->ValueCount; i++) {
        if (Node->Values[i]->Data != NULL)
            ExpFreeKernel(Node->Values[i]->Data);
        ExpFreeKernel(Node->Values[i]);
    }
    if (Node->Values != NULL)
        ExpFreeKernel(Node->Values);
    Node->Values = NULL;
    Node->ValueCount = Node->ValueCapacity = 0;
}

static VOID CmpFreeNode(PCM_KEY_NODE Node)
{
    CmpFreeValues(Node);
    if (Node->Subkeys != NULL)
        ExpFreeKernel(Node->Subkeys);
    if (Node->Class != NULL)
        ExpFreeKernel(Node->Class);
    ExpFreeKernel(Node);
}

VOID CmpRemoveKey(PCM_KEY_NODE Node)
{
    PCM_KEY_NODE Parent = Node->Parent;
    ULONG Index;
    if (CmpFindSubkey(Parent, Node->Name, Node->NameLength, &Index) == Node) {
        memmove(&Parent->Subkeys[Index], &Parent->Subkeys[Index + 1],
                (Parent->SubkeyCount - Index - 1) * sizeof(PCM_KEY_NODE));
        Parent->SubkeyCount--;
        CmpTouch(Parent);
    }
    Node->Parent = NULL;
    Node->Deleted = TRUE;
    CmpFreeValues(Node);
    CmpDereferenceNode(Node);       /* the tree's */
}

VOID CmpReferenceNode(PCM_KEY_NODE Node)
{
    Node->References++;
}

VOID CmpDereferenceNode(PCM_KEY_NODE Node)
{
    if (--Node->References == 0)
        CmpFreeNode(Node);
}

/* ---- values ------------------------------------------------------------------------------------ */

PCM_KEY_VALUE CmpFindValue(PCM_KEY_NODE Node, PCWCH Name, USHORT Length, PULONG Index)
{
    for (ULONG i = 0; i < Node->ValueCount; i++) {
        PCM_KEY_VALUE Value = Node->Values[i];
        if (CmpCompareNames(Name, Length, Value->Name, Value->NameLength) == 0) {
            if (Index != NULL)
                *Index = i;
            return Value;
        }
    }
    return NULL;
}

NTSTATUS CmpSetValue(PCM_KEY_NODE Node, PCWCH Name, USHORT Length, ULONG Type, const VOID *Data, ULONG DataLength)
{
    PUCHAR Copy = NULL;
    if (DataLength != 0) {
        Copy = ExpAllocateKernel(DataLength, 'dVmC');
        if (Copy == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        memcpy(Copy, Data, DataLength);
    }
    PCM_KEY_VALUE Value = CmpFindValue(Node, Name, Length, NULL);
    if (Value == NULL) {
        Value = ExpAllocateKernel(sizeof(CM_KEY_VALUE) + Length, 'lVmC');
        if (Value == NULL || !CmpGrow((PVOID **)&Node->Values, Node->ValueCount, &Node->ValueCapacity)) {
            if (Value != NULL)
                ExpFreeKernel(Value);
            if (Copy != NULL)
                ExpFreeKernel(Copy);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        if (Length != 0)    /* the default value's name may be NULL */
            memcpy(Value->Name, Name, Length);
        Value->NameLength = Length;
        Node->Values[Node->ValueCount++] = Value;
    } else if (Value->Data != NULL) {
        ExpFreeKernel(Value->Data);
    }
    Value->Type = Type;
    Value->Data = Copy;
    Value->DataLength = DataLength;
    CmpTouch(Node);
    return STATUS_SUCCESS;
}

VOID CmpDeleteValue(PCM_KEY_NODE Node, ULONG Index)
{
    PCM_KEY_VALUE Value = Node->Values[Index];
    memmove(&Node->Values[Index], &Node->Values[Index + 1], (Node->ValueCount - Index - 1) * sizeof(PCM_KEY_VALUE));
    Node->ValueCount--;
    if (Value->Data != NULL)
        ExpFreeKernel(Value->Data);
    ExpFreeKernel(Value);
    CmpTouch(Node);
}

/* ---- the key type ------------------------------------------------------------------------------- */

static VOID CmpDeleteKeyBody(PVOID Object)
{
    PCM_KEY_BODY Body = Object;
    if (Body->Name != NULL)
        ExFreePoolWithTag(Body->Name, 'nKmC');
    if (Body->Node == NULL)
        return;
    if (KiCurrentThread() == NULL) {
        /* A kernel handle a driver left open, closed with the System
         * process's table after every processor stopped: no thread can
         * take the lock, and none can race for it. */
        CmpDereferenceNode(Body->Node);
        return;
    }
    CmpLockRegistry();
    CmpDereferenceNode(Body->Node);
    CmpUnlockRegistry();
}

/* ---- boot and shutdown ---------------------------------------------------------------------------- */

/* Create Path (absolute, every key on the way) under the lock. */
static NTSTATUS CmpCreatePath(PCUNICODE_STRING KeyPath, BOOLEAN HiveRoots, PCM_KEY_NODE *Node)
{
    CMP_PATH Path = { KeyPath->Buffer, KeyPath->Length / sizeof(WCHAR) };
    PCWCH Name;
    USHORT Length;
    NTSTATUS Status;
    if (Path.Count == 0 || Path.Buffer[0] != L'\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    Path.Buffer++;
    Path.Count--;
    if (!CmpNextComponent(&Path, &Name, &Length, &Status) ||
        CmpCompareNames(Name, Length, CmpRootNode->Name, CmpRootNode->NameLength) != 0)
        return NT_SUCCESS(Status) ? STATUS_OBJECT_PATH_NOT_FOUND : Status;
    PCM_KEY_NODE Current = CmpRootNode;
    while (CmpNextComponent(&Path, &Name, &Length, &Status)) {
        PCM_KEY_NODE Next = CmpFindSubkey(Current, Name, Length, NULL);
        if (Next == NULL) {
            Status = CmpInsertSubkey(Current, Name, Length, FALSE, NULL, 0, &Next);
            if (!NT_SUCCESS(Status))
                return Status;
            Next->HiveRoot = HiveRoots;
        }
        Current = Next;
    }
    *Node = Current;
    return Status;
}

NTSTATUS CmCreateKeyByPath(PCUNICODE_STRING KeyPath)
{
    PCM_KEY_NODE Node;
    CmpLockRegistry();
    NTSTATUS Status = CmpCreatePath(KeyPath, FALSE, &Node);
    CmpUnlockRegistry();
    return Status;
}

NTSTATUS CmSetValueByPath(PCUNICODE_STRING KeyPath, PCUNICODE_STRING ValueName, ULONG Type, const VOID *Data,
                          ULONG DataLength)
{
    PCM_KEY_NODE Node;
    CmpLockRegistry();
    NTSTATUS Status = CmpCreatePath(KeyPath, FALSE, &Node);
    if (NT_SUCCESS(Status))
        Status = CmpSetValue(Node, ValueName->Buffer, ValueName->Length, Type, Data, DataLength);
    CmpUnlockRegistry();
    return Status;
}

/* The keys drivers expect: the hive roots, the service and control keys,
 * the paths of RTL_REGISTRY_*. CurrentControlSet is a key here (on
 * Windows a link to ControlSet00n). */
static const PCWSTR CmpHiveRoots[] = {
    L"\\REGISTRY\\MACHINE\\SYSTEM", L"\\REGISTRY\\MACHINE\\SOFTWARE", L"\\REGISTRY\\MACHINE\\HARDWARE",
    L"\\REGISTRY\\USER\\.DEFAULT",
};
static const PCWSTR CmpBootKeys[] = {
    L"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services",
    L"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Control",
    L"\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
    L"\\REGISTRY\\MACHINE\\HARDWARE\\DEVICEMAP",
};

static VOID CmpCreateBootKeys(VOID)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(CmpHiveRoots) + RTL_NUMBER_OF(CmpBootKeys); i++) {
        BOOLEAN Root = i < RTL_NUMBER_OF(CmpHiveRoots);
        UNICODE_STRING Path;
        PCM_KEY_NODE Node;
        RtlInitUnicodeString(&Path, Root ? CmpHiveRoots[i] : CmpBootKeys[i - RTL_NUMBER_OF(CmpHiveRoots)]);
        CmpLockRegistry();
        NTSTATUS Status = CmpCreatePath(&Path, Root, &Node);
        CmpUnlockRegistry();
        if (!NT_SUCCESS(Status))
            KiInternalError("cannot create the registry's boot keys (0x%08X)", (ULONG)Status);
    }
}

PCM_KEY_BODY CmpRootKeyObject;

VOID CmInitializeSystem(VOID)
{
    OBJECT_TYPE_INITIALIZER Init = {
        .Name = L"Key", .AsciiName = "Key", .PoolTag = 'yeK ',
        .GenericMapping = { KEY_READ, KEY_WRITE, KEY_EXECUTE, KEY_ALL_ACCESS },
        .ValidAccessMask = KEY_ALL_ACCESS | SYNCHRONIZE, .DeleteProcedure = CmpDeleteKeyBody,
    };
    CmpKeyObjectType = ObCreateObjectType(&Init);
    CmpKeyObjectType->CloseProcedure = CmpCloseKeyHandle;   /* the last handle: RegNtPre/PostKeyHandleClose */
    ExInitializeFastMutex(&CmpLock);
    CmpBooting = TRUE;
    static const WCHAR Registry[] = L"REGISTRY";
    CmpRootNode = ExpAllocateKernel(sizeof(CM_KEY_NODE) + sizeof(Registry) - sizeof(WCHAR), 'yKmC');
    if (CmpRootNode == NULL)
        KiInternalError("cannot allocate the registry's root key");
    memcpy(CmpRootNode->Name, Registry, sizeof(Registry) - sizeof(WCHAR));
    CmpRootNode->NameLength = sizeof(Registry) - sizeof(WCHAR);
    CmpRootNode->References = 1;
    CmpRootNode->HiveRoot = TRUE;
    CmpTouch(CmpRootNode);
    if (!NT_SUCCESS(ObCreateObject(CmpKeyObjectType, sizeof(CM_KEY_BODY), (PVOID *)&CmpRootKeyObject)))
        KiInternalError("cannot create the registry's root key object");
    CmpRootKeyObject->Name = NULL;
    CmpRootKeyObject->Node = CmpRootNode;
    CmpRootNode->References++;
    CmpCreateBootKeys();
}

/* Every handle is closed by now; a key body still referenced is a leak
 * (reported), and its node is freed with the tree regardless. */
static VOID CmpFreeTree(PCM_KEY_NODE Node)
{
    for (ULONG i = 0; i < Node->SubkeyCount; i++)
        CmpFreeTree(Node->Subkeys[i]);
    CmpFreeNode(Node);
}

VOID CmShutdownSystem(VOID)
{
    if (CmpKeyObjectType == NULL)
        return;
    if (CmpRootKeyObject != NULL) {
        ObfDereferenceObject(CmpRootKeyObject);
        CmpRootKeyObject = NULL;
    }
    LONG Leaked = __atomic_load_n(&CmpKeyObjectType->TotalNumberOfObjects, __ATOMIC_RELAXED);
    if (Leaked != 0)
        RtlpReport("ntps: leak: %ld key object%s still referenced at shutdown (a missing ObDereferenceObject?)\n",
                   (long)Leaked, Leaked == 1 ? "" : "s");
    CmpFreeTree(CmpRootNode);
    CmpRootNode = NULL;
    ObDeleteObjectType(CmpKeyObjectType);
    CmpKeyObjectType = NULL;
}
