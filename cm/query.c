/*
 * cm/query.c - what keys say about themselves: Nt/Zw QueryKey and
 * EnumerateKey with the KEY_*_INFORMATION classes; and the common parts of
 * every query: the caller's buffer, the documented too-small rules, names
 * captured from the caller.
 *
 * Too small, as documented: a buffer that cannot hold the fixed part of
 * the structure gets nothing (STATUS_BUFFER_TOO_SMALL); one that holds
 * the fixed part but not the names and data gets as much of the whole as
 * fits (STATUS_BUFFER_OVERFLOW, "partial data"); *ResultLength is the size
 * of the whole in both cases. A key without a class has ClassLength 0 and
 * ClassOffset 0xFFFFFFFF. Subkeys are enumerated in name order
 * (case-insensitive), values in the order they were first set.
 */
#include "cm/cm.h"

#include <string.h>

/* ---- the caller's memory ------------------------------------------------------------------------ */

NTSTATUS CmpProbeInformation(KPROCESSOR_MODE Mode, PVOID Buffer, ULONG Length, PULONG ResultLength)
{
    if (Mode == KernelMode)
        return STATUS_SUCCESS;
    __try {
        ProbeForWrite(Buffer, Length, sizeof(ULONG));
        ProbeForWrite(ResultLength, sizeof(ULONG), sizeof(ULONG));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

NTSTATUS CmpReturnInformation(KPROCESSOR_MODE Mode, const VOID *Info, ULONG Required, ULONG Fixed, PVOID Buffer,
                              ULONG Length, PULONG ResultLength)
{
    NTSTATUS Status = STATUS_BUFFER_TOO_SMALL;
    if (Length >= Fixed) {
        ULONG Copy = Length < Required ? Length : Required;
        Status = ExpCopyToCaller(Mode, Buffer, Info, Copy);
        if (!NT_SUCCESS(Status))
            return Status;
        Status = Copy < Required ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    }
    NTSTATUS Written = ExpCopyToCaller(Mode, ResultLength, &Required, sizeof(ULONG));
    return NT_SUCCESS(Written) ? Status : Written;
}

/* From a caller's memory that may be bad (NULL included), inside the
 * caller's __try: the fault is the point, so UBSan's null check stays out. */
__attribute__((no_sanitize("null")))
VOID CmpCopyFromCaller(PVOID To, const VOID *From, SIZE_T Bytes)
{
    volatile UCHAR *Out = To;
    const volatile UCHAR *In = From;
    for (SIZE_T i = 0; i < Bytes; i++)
        Out[i] = In[i];
}

/* Strings are probed with WCHAR alignment, as Windows probes them. */
NTSTATUS CmpCaptureName(KPROCESSOR_MODE Mode, PUNICODE_STRING Name, PUNICODE_STRING Copy)
{
    UNICODE_STRING String;
    memset(Copy, 0, sizeof(*Copy));
    NTSTATUS Status = ExpCopyFromCaller(Mode, &String, Name, sizeof(String));
    if (!NT_SUCCESS(Status))
        return Status;
    if ((String.Length & 1) || String.Length > CMP_MAX_VALUE_NAME * sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER;
    if (String.Length == 0)
        return STATUS_SUCCESS;
    Copy->Buffer = ExpAllocateKernel(String.Length, 'mNmC');
    if (Copy->Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        if (Mode != KernelMode)
            ProbeForRead(String.Buffer, String.Length, sizeof(WCHAR));
        CmpCopyFromCaller(Copy->Buffer, String.Buffer, String.Length);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Status = GetExceptionCode();
    }
    if (!NT_SUCCESS(Status)) {
        CmpReleaseName(Copy);
        return Status;
    }
    Copy->Length = Copy->MaximumLength = String.Length;
    return STATUS_SUCCESS;
}

VOID CmpReleaseName(PUNICODE_STRING Copy)
{
    if (Copy->Buffer != NULL)
        ExpFreeKernel(Copy->Buffer);
    memset(Copy, 0, sizeof(*Copy));
}

/* ---- key information ------------------------------------------------------------------------------- */

typedef struct _CMP_KEY_INFO {
    PUCHAR Buffer;
    ULONG Required;
    ULONG Fixed;
} CMP_KEY_INFO;

static NTSTATUS CmpAllocateInfo(CMP_KEY_INFO *Info, ULONG Fixed, ULONG Required)
{
    Info->Fixed = Fixed;
    Info->Required = Required;
    Info->Buffer = ExpAllocateKernel(Required, 'iKmC');
    return Info->Buffer != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

/* Lock held. \REGISTRY\...\Node's name, from the root down. */
static NTSTATUS CmpBuildNameInformation(PCM_KEY_NODE Node, CMP_KEY_INFO *Info)
{
    ULONG Length = 0;
    for (PCM_KEY_NODE N = Node; N != NULL; N = N->Parent)
        Length += sizeof(WCHAR) + N->NameLength;
    ULONG Fixed = FIELD_OFFSET(KEY_NAME_INFORMATION, Name);
    NTSTATUS Status = CmpAllocateInfo(Info, Fixed, Fixed + Length);
    if (!NT_SUCCESS(Status))
        return Status;
    PKEY_NAME_INFORMATION Name = (PKEY_NAME_INFORMATION)Info->Buffer;
    Name->NameLength = Length;
    PUCHAR End = Info->Buffer + Fixed + Length;
    for (PCM_KEY_NODE N = Node; N != NULL; N = N->Parent) {
        End -= N->NameLength;
        memcpy(End, N->Name, N->NameLength);
        End -= sizeof(WCHAR);
        *(PWCH)End = L'\\';
    }
    return STATUS_SUCCESS;
}

typedef struct _CMP_KEY_COUNTS {
    ULONG MaxNameLen, MaxClassLen, MaxValueNameLen, MaxValueDataLen;
} CMP_KEY_COUNTS;

static VOID CmpCountKey(PCM_KEY_NODE Node, CMP_KEY_COUNTS *Counts)
{
    memset(Counts, 0, sizeof(*Counts));
    for (ULONG i = 0; i < Node->SubkeyCount; i++) {
        PCM_KEY_NODE Child = Node->Subkeys[i];
        if (Child->NameLength > Counts->MaxNameLen)
            Counts->MaxNameLen = Child->NameLength;
        if (Child->ClassLength > Counts->MaxClassLen)
            Counts->MaxClassLen = Child->ClassLength;
    }
    for (ULONG i = 0; i < Node->ValueCount; i++) {
        PCM_KEY_VALUE Value = Node->Values[i];
        if (Value->NameLength > Counts->MaxValueNameLen)
            Counts->MaxValueNameLen = Value->NameLength;
        if (Value->DataLength > Counts->MaxValueDataLen)
            Counts->MaxValueDataLen = Value->DataLength;
    }
}

static NTSTATUS CmpBuildFullInformation(PCM_KEY_NODE Node, CMP_KEY_INFO *Info)
{
    ULONG Fixed = FIELD_OFFSET(KEY_FULL_INFORMATION, Class);
    NTSTATUS Status = CmpAllocateInfo(Info, Fixed, Fixed + Node->ClassLength);
    if (!NT_SUCCESS(Status))
        return Status;
    CMP_KEY_COUNTS Counts;
    CmpCountKey(Node, &Counts);
    PKEY_FULL_INFORMATION Full = (PKEY_FULL_INFORMATION)Info->Buffer;
    Full->LastWriteTime = Node->LastWriteTime;
    Full->ClassOffset = Node->ClassLength != 0 ? Fixed : 0xFFFFFFFF;
    Full->ClassLength = Node->ClassLength;
    Full->SubKeys = Node->SubkeyCount;
    Full->MaxNameLen = Counts.MaxNameLen;
    Full->MaxClassLen = Counts.MaxClassLen;
    Full->Values = Node->ValueCount;
    Full->MaxValueNameLen = Counts.MaxValueNameLen;
    Full->MaxValueDataLen = Counts.MaxValueDataLen;
    if (Node->ClassLength != 0)
        memcpy(Info->Buffer + Fixed, Node->Class, Node->ClassLength);
    return STATUS_SUCCESS;
}

static NTSTATUS CmpBuildCachedInformation(PCM_KEY_NODE Node, CMP_KEY_INFO *Info)
{
    NTSTATUS Status = CmpAllocateInfo(Info, sizeof(KEY_CACHED_INFORMATION), sizeof(KEY_CACHED_INFORMATION));
    if (!NT_SUCCESS(Status))
        return Status;
    CMP_KEY_COUNTS Counts;
    CmpCountKey(Node, &Counts);
    PKEY_CACHED_INFORMATION Cached = (PKEY_CACHED_INFORMATION)Info->Buffer;
    Cached->LastWriteTime = Node->LastWriteTime;
    Cached->SubKeys = Node->SubkeyCount;
    Cached->MaxNameLen = Counts.MaxNameLen;
    Cached->Values = Node->ValueCount;
    Cached->MaxValueNameLen = Counts.MaxValueNameLen;
    Cached->MaxValueDataLen = Counts.MaxValueDataLen;
    Cached->NameLength = Node->NameLength;
    return STATUS_SUCCESS;
}

/* Lock held. Node's information in Class (validated). */
static NTSTATUS CmpBuildKeyInformation(PCM_KEY_NODE Node, KEY_INFORMATION_CLASS Class, CMP_KEY_INFO *Info)
{
    NTSTATUS Status;
    ULONG Fixed;
    switch (Class) {
    case KeyBasicInformation:
        Fixed = FIELD_OFFSET(KEY_BASIC_INFORMATION, Name);
        Status = CmpAllocateInfo(Info, Fixed, Fixed + Node->NameLength);
        if (NT_SUCCESS(Status)) {
            PKEY_BASIC_INFORMATION Basic = (PKEY_BASIC_INFORMATION)Info->Buffer;
            Basic->LastWriteTime = Node->LastWriteTime;
            Basic->NameLength = Node->NameLength;
            memcpy(Info->Buffer + Fixed, Node->Name, Node->NameLength);
        }
        return Status;
    case KeyNodeInformation:
        Fixed = FIELD_OFFSET(KEY_NODE_INFORMATION, Name);
        Status = CmpAllocateInfo(Info, Fixed, Fixed + Node->NameLength + Node->ClassLength);
        if (NT_SUCCESS(Status)) {
            PKEY_NODE_INFORMATION Key = (PKEY_NODE_INFORMATION)Info->Buffer;
            Key->LastWriteTime = Node->LastWriteTime;
            Key->ClassOffset = Node->ClassLength != 0 ? Fixed + Node->NameLength : 0xFFFFFFFF;
            Key->ClassLength = Node->ClassLength;
            Key->NameLength = Node->NameLength;
            memcpy(Info->Buffer + Fixed, Node->Name, Node->NameLength);
            if (Node->ClassLength != 0)
                memcpy(Info->Buffer + Fixed + Node->NameLength, Node->Class, Node->ClassLength);
        }
        return Status;
    case KeyFullInformation:
        return CmpBuildFullInformation(Node, Info);
    case KeyNameInformation:
        return CmpBuildNameInformation(Node, Info);
    default:    /* KeyCachedInformation */
        return CmpBuildCachedInformation(Node, Info);
    }
}

static volatile ULONG CmpKeyClassesReported;

/* The key (Index MAXULONG) or its Index-th subkey, in Class. */
static NTSTATUS CmpQueryKeyCommon(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS Class, PVOID Buffer,
                                  ULONG Length, PULONG ResultLength)
{
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    BOOLEAN Enumerate = Index != MAXULONG;
    NTSTATUS Status = CmpProbeInformation(Mode, Buffer, Length, ResultLength);
    if (!NT_SUCCESS(Status))
        return Status;
    /* Documented: the key's name needs no access right. */
    ACCESS_MASK Access = Enumerate ? KEY_ENUMERATE_SUB_KEYS : Class == KeyNameInformation ? 0 : KEY_QUERY_VALUE;
    PCM_KEY_BODY Body;
    Status = CmpReferenceKey(KeyHandle, Access, Mode, &Body, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    CMP_CALLS Calls;
    BOOLEAN Notify = CmpRegCallbacksActive();
    REG_QUERY_KEY_INFORMATION Query = { .Object = Body, .KeyInformationClass = Class, .KeyInformation = Buffer,
                                        .Length = Length, .ResultLength = ResultLength };
    REG_ENUMERATE_KEY_INFORMATION Enum = { .Object = Body, .Index = Index, .KeyInformationClass = Class,
                                           .KeyInformation = Buffer, .Length = Length, .ResultLength = ResultLength };
    PVOID Pre = Enumerate ? (PVOID)&Enum : (PVOID)&Query;
    NTSTATUS PreStatus = Notify ? CmpPreNotify(&Calls, Enumerate ? RegNtPreEnumerateKey : RegNtPreQueryKey, Pre)
                                : STATUS_SUCCESS;
    if (PreStatus != STATUS_SUCCESS) {
        Status = PreStatus == STATUS_CALLBACK_BYPASS ? STATUS_SUCCESS : PreStatus;
    } else {
        CMP_KEY_INFO Info = { NULL, 0, 0 };
        CmpLockRegistry();
        PCM_KEY_NODE Node = Body->Node;
        if (Node->Deleted)
            Status = STATUS_KEY_DELETED;
        else if (Enumerate && Index >= Node->SubkeyCount)
            Status = STATUS_NO_MORE_ENTRIES;
        else
            Status = CmpBuildKeyInformation(Enumerate ? Node->Subkeys[Index] : Node, Class, &Info);
        CmpUnlockRegistry();
        if (NT_SUCCESS(Status))
            Status = CmpReturnInformation(Mode, Info.Buffer, Info.Required, Info.Fixed, Buffer, Length,
                                          ResultLength);
        if (Info.Buffer != NULL)
            ExpFreeKernel(Info.Buffer);
    }
    if (Notify)
        Status = CmpPostNotify(&Calls, Enumerate ? RegNtPostEnumerateKey : RegNtPostQueryKey, Body, Status,
                               Pre);
    ObfDereferenceObject(Body);
    return Status;
}

static NTSTATUS CmpQueryKeyBody(HANDLE KeyHandle, KEY_INFORMATION_CLASS Class, PVOID Buffer, ULONG Length,
                                PULONG ResultLength)
{
    if ((ULONG)Class >= MaxKeyInfoClass)
        return STATUS_INVALID_PARAMETER;
    if (Class > KeyCachedInformation)   /* flags, virtualization, handle tags, trust, layer */
        return RtlpClassNotImplemented("NtQueryKey", Class, &CmpKeyClassesReported);
    return CmpQueryKeyCommon(KeyHandle, MAXULONG, Class, Buffer, Length, ResultLength);
}

/* Documented: only the basic, node and full classes. */
static NTSTATUS CmpEnumerateKeyBody(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS Class, PVOID Buffer,
                                    ULONG Length, PULONG ResultLength)
{
    if (Class != KeyBasicInformation && Class != KeyNodeInformation && Class != KeyFullInformation)
        return STATUS_INVALID_PARAMETER;
    if (Index == MAXULONG)
        return STATUS_NO_MORE_ENTRIES;
    return CmpQueryKeyCommon(KeyHandle, Index, Class, Buffer, Length, ResultLength);
}

NTSTATUS NtQueryKey(HANDLE KeyHandle, KEY_INFORMATION_CLASS KeyInformationClass, PVOID KeyInformation, ULONG Length,
                    PULONG ResultLength)
{
    KI_SYSTEM_SERVICE(NtQueryKey, KeyHandle, KeyInformationClass, KeyInformation, Length, ResultLength);
    CMP_NT("NtQueryKey", CmpQueryKeyBody, KeyHandle, KeyInformationClass, KeyInformation, Length, ResultLength);
}

NTSTATUS ZwQueryKey(HANDLE KeyHandle, KEY_INFORMATION_CLASS KeyInformationClass, PVOID KeyInformation, ULONG Length,
                    PULONG ResultLength)
{
    KI_SYSTEM_SERVICE(NtQueryKey, KeyHandle, KeyInformationClass, KeyInformation, Length, ResultLength);
    CMP_ZW("ZwQueryKey", CmpQueryKeyBody, KeyHandle, KeyInformationClass, KeyInformation, Length, ResultLength);
}

NTSTATUS NtEnumerateKey(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS KeyInformationClass,
                        PVOID KeyInformation, ULONG Length, PULONG ResultLength)
{
    KI_SYSTEM_SERVICE(NtEnumerateKey, KeyHandle, Index, KeyInformationClass, KeyInformation, Length, ResultLength);
    CMP_NT("NtEnumerateKey", CmpEnumerateKeyBody, KeyHandle, Index, KeyInformationClass, KeyInformation, Length,
           ResultLength);
}

NTSTATUS ZwEnumerateKey(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS KeyInformationClass,
                        PVOID KeyInformation, ULONG Length, PULONG ResultLength)
{
    KI_SYSTEM_SERVICE(NtEnumerateKey, KeyHandle, Index, KeyInformationClass, KeyInformation, Length, ResultLength);
    CMP_ZW("ZwEnumerateKey", CmpEnumerateKeyBody, KeyHandle, Index, KeyInformationClass, KeyInformation, Length,
           ResultLength);
}
