/*
 * cm/value.c - values: Nt/Zw SetValueKey, DeleteValueKey, QueryValueKey,
 * EnumerateValueKey, with the KEY_VALUE_*_INFORMATION classes.
 *
 * Layouts are the WDK's; where a name is followed by data (the full
 * information), the data starts at the next ULONG boundary (8 bytes for
 * KeyValueFullInformationAlign64), so a DWORD can be read in place.
 * Value names match case-insensitively and keep the case they were first
 * set with; any type number is accepted and stored as given (Windows does
 * the same); the empty name is the key's default value.
 */
#include "cm/cm.h"

#include <string.h>

#define CMP_ALIGN(x, a) (((x) + ((a) - 1)) & ~((ULONG)(a) - 1))

/* ---- building the information ----------------------------------------------------------------- */

typedef struct _CMP_INFO {
    PUCHAR Buffer;                  /* Required bytes */
    ULONG Required;
    ULONG Fixed;                    /* the part without which nothing is written */
} CMP_INFO;

/* Lock held: Info describes Value in Class (validated). */
static NTSTATUS CmpBuildValueInformation(PCM_KEY_VALUE Value, KEY_VALUE_INFORMATION_CLASS Class, CMP_INFO *Info)
{
    ULONG NameOffset = 0, DataOffset = 0, Header;
    BOOLEAN Name = FALSE, Data = FALSE;
    switch (Class) {
    case KeyValueBasicInformation:
        Header = NameOffset = FIELD_OFFSET(KEY_VALUE_BASIC_INFORMATION, Name);
        Info->Required = NameOffset + Value->NameLength;
        Name = TRUE;
        break;
    case KeyValueFullInformation:
    case KeyValueFullInformationAlign64:
        Header = NameOffset = FIELD_OFFSET(KEY_VALUE_FULL_INFORMATION, Name);
        DataOffset = CMP_ALIGN(NameOffset + Value->NameLength, Class == KeyValueFullInformation ? 4 : 8);
        Info->Required = DataOffset + Value->DataLength;
        Name = Data = TRUE;
        break;
    case KeyValuePartialInformation:
        Header = DataOffset = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data);
        Info->Required = DataOffset + Value->DataLength;
        Data = TRUE;
        break;
    default:    /* KeyValuePartialInformationAlign64 */
        Header = DataOffset = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION_ALIGN64, Data);
        Info->Required = DataOffset + Value->DataLength;
        Data = TRUE;
        break;
    }
    Info->Fixed = Header;
    Info->Buffer = ExpAllocateKernel(Info->Required, 'iVmC');
    if (Info->Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    PULONG Fields = (PULONG)Info->Buffer;
    switch (Class) {
    case KeyValueBasicInformation:          /* TitleIndex, Type, NameLength */
        Fields[1] = Value->Type;
        Fields[2] = Value->NameLength;
        break;
    case KeyValueFullInformation:
    case KeyValueFullInformationAlign64:    /* TitleIndex, Type, DataOffset, DataLength, NameLength */
        Fields[1] = Value->Type;
        Fields[2] = DataOffset;
        Fields[3] = Value->DataLength;
        Fields[4] = Value->NameLength;
        break;
    case KeyValuePartialInformation:        /* TitleIndex, Type, DataLength */
        Fields[1] = Value->Type;
        Fields[2] = Value->DataLength;
        break;
    default:                                /* Type, DataLength */
        Fields[0] = Value->Type;
        Fields[1] = Value->DataLength;
        break;
    }
    if (Name && Value->NameLength != 0)
        memcpy(Info->Buffer + NameOffset, Value->Name, Value->NameLength);
    if (Data && Value->DataLength != 0)
        memcpy(Info->Buffer + DataOffset, Value->Data, Value->DataLength);
    return STATUS_SUCCESS;
}

static volatile ULONG CmpValueClassesReported;

/* The class, then (Align64) the buffer's alignment, then a user caller's pointers. */
static NTSTATUS CmpCheckValueQuery(KEY_VALUE_INFORMATION_CLASS Class, PCSTR Service, PVOID Buffer, ULONG Length,
                                   PULONG ResultLength)
{
    if ((ULONG)Class >= MaxKeyValueInfoClass)
        return STATUS_INVALID_PARAMETER;
    if (Class == KeyValueLayerInformation)
        return RtlpClassNotImplemented(Service, Class, &CmpValueClassesReported);
    if ((Class == KeyValueFullInformationAlign64 || Class == KeyValuePartialInformationAlign64) &&
        ((ULONG_PTR)Buffer & 7) != 0)
        return STATUS_DATATYPE_MISALIGNMENT;
    return CmpProbeInformation(ExGetPreviousMode(), Buffer, Length, ResultLength);
}

/* The value (by name, or by index when Name is NULL) in Class. */
static NTSTATUS CmpQueryValue(HANDLE KeyHandle, PCUNICODE_STRING Name, ULONG Index,
                              KEY_VALUE_INFORMATION_CLASS Class, PVOID Buffer, ULONG Length, PULONG ResultLength)
{
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    PCM_KEY_BODY Body;
    NTSTATUS Status = CmpReferenceKey(KeyHandle, KEY_QUERY_VALUE, Mode, &Body, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    /* The notifications: a query by name or by index, with the caller's
     * buffers (a routine that bypasses the operation fills them). */
    CMP_CALLS Calls;
    BOOLEAN Notify = CmpRegCallbacksActive();
    REG_QUERY_VALUE_KEY_INFORMATION ByName = { .Object = Body, .ValueName = (PUNICODE_STRING)Name,
                                               .KeyValueInformationClass = Class, .KeyValueInformation = Buffer,
                                               .Length = Length, .ResultLength = ResultLength };
    REG_ENUMERATE_VALUE_KEY_INFORMATION ByIndex = { .Object = Body, .Index = Index, .KeyValueInformationClass = Class,
                                                    .KeyValueInformation = Buffer, .Length = Length,
                                                    .ResultLength = ResultLength };
    PVOID Pre = Name != NULL ? (PVOID)&ByName : (PVOID)&ByIndex;
    NTSTATUS PreStatus = Notify ? CmpPreNotify(&Calls, Name != NULL ? RegNtPreQueryValueKey : RegNtPreEnumerateValueKey,
                                               Pre)
                                : STATUS_SUCCESS;
    if (PreStatus != STATUS_SUCCESS) {
        Status = PreStatus == STATUS_CALLBACK_BYPASS ? STATUS_SUCCESS : PreStatus;
    } else {
        CMP_INFO Info = { NULL, 0, 0 };
        CmpLockRegistry();
        PCM_KEY_NODE Node = Body->Node;
        PCM_KEY_VALUE Value = NULL;
        if (Node->Deleted)
            Status = STATUS_KEY_DELETED;
        else if (Name != NULL)
            Value = CmpFindValue(Node, Name->Buffer, Name->Length, NULL);
        else if (Index < Node->ValueCount)
            Value = Node->Values[Index];
        if (NT_SUCCESS(Status))
            Status = Value != NULL ? CmpBuildValueInformation(Value, Class, &Info)
                     : Name != NULL ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_NO_MORE_ENTRIES;
        CmpUnlockRegistry();
        if (NT_SUCCESS(Status))
            Status = CmpReturnInformation(Mode, Info.Buffer, Info.Required, Info.Fixed, Buffer, Length,
                                          ResultLength);
        if (Info.Buffer != NULL)
            ExpFreeKernel(Info.Buffer);
    }
    if (Notify)
        Status = CmpPostNotify(&Calls, Name != NULL ? RegNtPostQueryValueKey : RegNtPostEnumerateValueKey, Body,
                               Status, Pre);
    ObfDereferenceObject(Body);
    return Status;
}

static NTSTATUS CmpQueryValueKeyBody(HANDLE KeyHandle, PUNICODE_STRING ValueName, KEY_VALUE_INFORMATION_CLASS Class,
                                     PVOID Buffer, ULONG Length, PULONG ResultLength)
{
    NTSTATUS Status = CmpCheckValueQuery(Class, "NtQueryValueKey", Buffer, Length, ResultLength);
    if (!NT_SUCCESS(Status))
        return Status;
    UNICODE_STRING Name;
    Status = CmpCaptureName(ExGetPreviousMode(), ValueName, &Name);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = CmpQueryValue(KeyHandle, &Name, 0, Class, Buffer, Length, ResultLength);
    CmpReleaseName(&Name);
    return Status;
}

static NTSTATUS CmpEnumerateValueKeyBody(HANDLE KeyHandle, ULONG Index, KEY_VALUE_INFORMATION_CLASS Class,
                                         PVOID Buffer, ULONG Length, PULONG ResultLength)
{
    NTSTATUS Status = CmpCheckValueQuery(Class, "NtEnumerateValueKey", Buffer, Length, ResultLength);
    if (!NT_SUCCESS(Status))
        return Status;
    return CmpQueryValue(KeyHandle, NULL, Index, Class, Buffer, Length, ResultLength);
}

NTSTATUS NtQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                         PVOID KeyValueInformation, ULONG Length, PULONG ResultLength)
{
    KI_SYSTEM_SERVICE(NtQueryValueKey, KeyHandle, ValueName, KeyValueInformationClass, KeyValueInformation, Length,
                      ResultLength);
    CMP_NT("NtQueryValueKey", CmpQueryValueKeyBody, KeyHandle, ValueName, KeyValueInformationClass,
           KeyValueInformation, Length, ResultLength);
}

NTSTATUS ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                         PVOID KeyValueInformation, ULONG Length, PULONG ResultLength)
{
    KI_SYSTEM_SERVICE(NtQueryValueKey, KeyHandle, ValueName, KeyValueInformationClass, KeyValueInformation, Length,
                      ResultLength);
    CMP_ZW("ZwQueryValueKey", CmpQueryValueKeyBody, KeyHandle, ValueName, KeyValueInformationClass,
           KeyValueInformation, Length, ResultLength);
}

NTSTATUS CmpZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, KEY_VALUE_INFORMATION_CLASS Class,
                            PVOID Information, ULONG Length, PULONG ResultLength)
{
    KI_SYSTEM_SERVICE(NtQueryValueKey, KeyHandle, ValueName, Class, Information, Length, ResultLength);
    CMP_INTERNAL(CmpQueryValueKeyBody, KeyHandle, ValueName, Class, Information, Length, ResultLength);
}

NTSTATUS NtEnumerateValueKey(HANDLE KeyHandle, ULONG Index, KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                             PVOID KeyValueInformation, ULONG Length, PULONG ResultLength)
{
    KI_SYSTEM_SERVICE(NtEnumerateValueKey, KeyHandle, Index, KeyValueInformationClass, KeyValueInformation, Length,
                      ResultLength);
    CMP_NT("NtEnumerateValueKey", CmpEnumerateValueKeyBody, KeyHandle, Index, KeyValueInformationClass,
           KeyValueInformation, Length, ResultLength);
}

NTSTATUS ZwEnumerateValueKey(HANDLE KeyHandle, ULONG Index, KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                             PVOID KeyValueInformation, ULONG Length, PULONG ResultLength)
{
    KI_SYSTEM_SERVICE(NtEnumerateValueKey, KeyHandle, Index, KeyValueInformationClass, KeyValueInformation, Length,
                      ResultLength);
    CMP_ZW("ZwEnumerateValueKey", CmpEnumerateValueKeyBody, KeyHandle, Index, KeyValueInformationClass,
           KeyValueInformation, Length, ResultLength);
}

NTSTATUS CmpZwEnumerateValueKey(HANDLE KeyHandle, ULONG Index, KEY_VALUE_INFORMATION_CLASS Class,
                                PVOID Information, ULONG Length, PULONG ResultLength)
{
    KI_SYSTEM_SERVICE(NtEnumerateValueKey, KeyHandle, Index, Class, Information, Length, ResultLength);
    CMP_INTERNAL(CmpEnumerateValueKeyBody, KeyHandle, Index, Class, Information, Length, ResultLength);
}

/* ---- setting and deleting ---------------------------------------------------------------------- */

/* Data is bytes: probed with byte alignment, as Windows probes it. */
static NTSTATUS CmpCopyData(KPROCESSOR_MODE Mode, PVOID Copy, const VOID *Data, ULONG DataSize)
{
    NTSTATUS Status = STATUS_SUCCESS;
    __try {
        if (Mode != KernelMode)
            ProbeForRead(Data, DataSize, sizeof(UCHAR));
        CmpCopyFromCaller(Copy, Data, DataSize);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Status = GetExceptionCode();
    }
    return Status;
}

static NTSTATUS CmpSetValueKeyBody(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG Type, PVOID Data,
                                   ULONG DataSize)
{
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    UNICODE_STRING Name;
    NTSTATUS Status = CmpCaptureName(Mode, ValueName, &Name);
    if (!NT_SUCCESS(Status))
        return Status;
    PVOID Copy = DataSize != 0 ? ExpAllocateKernel(DataSize, 'dVmC') : NULL;
    if (DataSize != 0 && Copy == NULL)
        Status = STATUS_INSUFFICIENT_RESOURCES;
    else if (DataSize != 0)
        Status = CmpCopyData(Mode, Copy, Data, DataSize);
    PCM_KEY_BODY Body = NULL;
    if (NT_SUCCESS(Status))
        Status = CmpReferenceKey(KeyHandle, KEY_SET_VALUE, Mode, &Body, NULL);
    if (NT_SUCCESS(Status)) {
        CMP_CALLS Calls;
        BOOLEAN Notify = CmpRegCallbacksActive();
        REG_SET_VALUE_KEY_INFORMATION Pre = { .Object = Body, .ValueName = &Name, .Type = Type, .Data = Copy,
                                              .DataSize = DataSize };
        NTSTATUS PreStatus = Notify ? CmpPreNotify(&Calls, RegNtPreSetValueKey, &Pre) : STATUS_SUCCESS;
        if (PreStatus == STATUS_SUCCESS) {
            CmpLockRegistry();
            if (Body->Node->Deleted)
                Status = STATUS_KEY_DELETED;
            else
                Status = CmpSetValue(Body->Node, Name.Buffer, Name.Length, Type, Copy, DataSize);
            CmpUnlockRegistry();
        } else {
            Status = PreStatus == STATUS_CALLBACK_BYPASS ? STATUS_SUCCESS : PreStatus;
        }
        if (Notify)
            Status = CmpPostNotify(&Calls, RegNtPostSetValueKey, Body, Status, &Pre);
        ObfDereferenceObject(Body);
    }
    if (Copy != NULL)
        ExpFreeKernel(Copy);
    CmpReleaseName(&Name);
    return Status;
}

NTSTATUS NtSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type, PVOID Data,
                       ULONG DataSize)
{
    KI_SYSTEM_SERVICE(NtSetValueKey, KeyHandle, ValueName, TitleIndex, Type, Data, DataSize);
    CMP_NT("NtSetValueKey", CmpSetValueKeyBody, KeyHandle, ValueName, Type, Data, DataSize);
}

NTSTATUS ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type, PVOID Data,
                       ULONG DataSize)
{
    KI_SYSTEM_SERVICE(NtSetValueKey, KeyHandle, ValueName, TitleIndex, Type, Data, DataSize);
    CMP_ZW("ZwSetValueKey", CmpSetValueKeyBody, KeyHandle, ValueName, Type, Data, DataSize);
}

NTSTATUS CmpZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG Type, PVOID Data, ULONG DataSize)
{
    KI_SYSTEM_SERVICE(NtSetValueKey, KeyHandle, ValueName, 0, Type, Data, DataSize);
    CMP_INTERNAL(CmpSetValueKeyBody, KeyHandle, ValueName, Type, Data, DataSize);
}

static NTSTATUS CmpDeleteValueKeyBody(HANDLE KeyHandle, PUNICODE_STRING ValueName)
{
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    UNICODE_STRING Name;
    NTSTATUS Status = CmpCaptureName(Mode, ValueName, &Name);
    if (!NT_SUCCESS(Status))
        return Status;
    PCM_KEY_BODY Body;
    Status = CmpReferenceKey(KeyHandle, KEY_SET_VALUE, Mode, &Body, NULL);
    if (NT_SUCCESS(Status)) {
        CMP_CALLS Calls;
        BOOLEAN Notify = CmpRegCallbacksActive();
        REG_DELETE_VALUE_KEY_INFORMATION Pre = { .Object = Body, .ValueName = &Name };
        NTSTATUS PreStatus = Notify ? CmpPreNotify(&Calls, RegNtPreDeleteValueKey, &Pre) : STATUS_SUCCESS;
        if (PreStatus == STATUS_SUCCESS) {
            ULONG Index;
            CmpLockRegistry();
            if (Body->Node->Deleted)
                Status = STATUS_KEY_DELETED;
            else if (CmpFindValue(Body->Node, Name.Buffer, Name.Length, &Index) == NULL)
                Status = STATUS_OBJECT_NAME_NOT_FOUND;
            else
                CmpDeleteValue(Body->Node, Index);
            CmpUnlockRegistry();
        } else {
            Status = PreStatus == STATUS_CALLBACK_BYPASS ? STATUS_SUCCESS : PreStatus;
        }
        if (Notify)
            Status = CmpPostNotify(&Calls, RegNtPostDeleteValueKey, Body, Status, &Pre);
        ObfDereferenceObject(Body);
    }
    CmpReleaseName(&Name);
    return Status;
}

NTSTATUS NtDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName)
{
    KI_SYSTEM_SERVICE(NtDeleteValueKey, KeyHandle, ValueName);
    CMP_NT("NtDeleteValueKey", CmpDeleteValueKeyBody, KeyHandle, ValueName);
}

NTSTATUS ZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName)
{
    KI_SYSTEM_SERVICE(NtDeleteValueKey, KeyHandle, ValueName);
    CMP_ZW("ZwDeleteValueKey", CmpDeleteValueKeyBody, KeyHandle, ValueName);
}

NTSTATUS CmpZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName)
{
    KI_SYSTEM_SERVICE(NtDeleteValueKey, KeyHandle, ValueName);
    CMP_INTERNAL(CmpDeleteValueKeyBody, KeyHandle, ValueName);
}
