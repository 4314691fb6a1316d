/*
 * cm/rtlreg.c - the Rtl registry routines drivers use for their settings:
 * RtlQueryRegistryValues (query tables), RtlWriteRegistryValue,
 * RtlDeleteRegistryValue, RtlCheckRegistryKey, RtlCreateRegistryKey.
 * They live in cm because they call the registry's services (Rtl is the
 * bottom layer); they call them as Zw* routines do, in kernel mode.
 *
 * Query tables, as documented, with these readings where the page is
 * silent or unclear (cm/README.md):
 *  - the table ends at an entry whose QueryRoutine and Name are both NULL;
 *  - an entry without a Name (and without NOVALUE) is about every value of
 *    the current key;
 *  - a SUBKEY entry only moves the focus (to Name, relative to the key the
 *    call opened); a missing subkey without REQUIRED leaves the focus on
 *    "no key", where named entries get their defaults;
 *  - a TOPKEY entry moves the focus back, then is an ordinary entry if it
 *    has a QueryRoutine or DIRECT;
 *  - string data always reaches the caller NUL-terminated;
 *  - REG_EXPAND_SZ is expanded (unless NOEXPAND) from the Environment
 *    block (NAME=VALUE strings, an empty one last); unknown names, or no
 *    block, leave %NAME% as it is; the result is REG_SZ.
 */
#include "cm/cm.h"

#include <string.h>

#define CMP_IRQL_RTL_PASSIVE 0x2001E

static const PCWSTR CmpRtlBases[RTL_REGISTRY_MAXIMUM] = {
    L"",
    L"\\Registry\\Machine\\System\\CurrentControlSet\\Services",
    L"\\Registry\\Machine\\System\\CurrentControlSet\\Control",
    L"\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion",
    L"\\Registry\\Machine\\Hardware\\DeviceMap",
    L"\\Registry\\User\\.Default",      /* the System process's user */
};

static SIZE_T CmpWcsLength(PCWSTR String)
{
    SIZE_T n = 0;
    while (String[n] != 0)
        n++;
    return n;
}

/* ---- the key a call is about ---------------------------------------------------------------------- */

typedef struct _CMP_RTL_KEY {
    HANDLE Handle;
    BOOLEAN Owned;                  /* opened here: closed here */
} CMP_RTL_KEY;

/* RelativeTo and Path as documented; Write: the key is created when it is
 * missing, unless RTL_REGISTRY_OPTIONAL. */
static NTSTATUS CmpRtlOpen(ULONG RelativeTo, PCWSTR Path, BOOLEAN Write, CMP_RTL_KEY *Key)
{
    Key->Owned = FALSE;
    if (RelativeTo & RTL_REGISTRY_HANDLE) {
        Key->Handle = (HANDLE)Path;
        return STATUS_SUCCESS;
    }
    ULONG Base = RelativeTo & ~RTL_REGISTRY_OPTIONAL;
    if (Base >= RTL_REGISTRY_MAXIMUM || (Base == RTL_REGISTRY_ABSOLUTE && Path == NULL))
        return STATUS_INVALID_PARAMETER;
    SIZE_T BaseLength = CmpWcsLength(CmpRtlBases[Base]);
    SIZE_T PathLength = Path != NULL ? CmpWcsLength(Path) : 0;
    BOOLEAN Join = BaseLength != 0 && PathLength != 0;
    SIZE_T Count = BaseLength + Join + PathLength;
    if (Count * sizeof(WCHAR) > MAXUSHORT - 1)
        return STATUS_NAME_TOO_LONG;
    PWCH Name = ExpAllocateKernel((Count + 1) * sizeof(WCHAR), 'tRmC');
    if (Name == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(Name, CmpRtlBases[Base], BaseLength * sizeof(WCHAR));
    if (Join)
        Name[BaseLength] = L'\\';
    if (PathLength != 0)
        memcpy(Name + BaseLength + Join, Path, PathLength * sizeof(WCHAR));
    UNICODE_STRING String = { (USHORT)(Count * sizeof(WCHAR)), (USHORT)(Count * sizeof(WCHAR)), Name };
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &String, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    NTSTATUS Status = Write && !(RelativeTo & RTL_REGISTRY_OPTIONAL)
                          ? CmpZwCreateKey(&Key->Handle, KEY_READ | KEY_WRITE, &Attributes, 0, NULL)
                          : CmpZwOpenKey(&Key->Handle, Write ? KEY_READ | KEY_WRITE : KEY_READ, &Attributes);
    ExpFreeKernel(Name);
    Key->Owned = NT_SUCCESS(Status);
    return Status;
}

static VOID CmpRtlClose(CMP_RTL_KEY *Key)
{
    if (Key->Owned)
        CmpZwClose(Key->Handle);
    Key->Owned = FALSE;
}

static NTSTATUS CmpRtlOpenRelative(HANDLE Root, PCWSTR Path, ACCESS_MASK Access, CMP_RTL_KEY *Key)
{
    UNICODE_STRING String;
    RtlInitUnicodeString(&String, Path);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &String, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, Root, NULL);
    NTSTATUS Status = CmpZwOpenKey(&Key->Handle, Access, &Attributes);
    Key->Owned = NT_SUCCESS(Status);
    return Status;
}

/* ---- values as the routines see them ---------------------------------------------------------------- */

typedef struct _CMP_RTL_VALUE {
    PWSTR Name;                     /* NUL-terminated */
    ULONG Type;
    PVOID Data;
    ULONG Length;
    PVOID Allocation;               /* what to free: name and data together */
    BOOLEAN FromRegistry;           /* not a default */
} CMP_RTL_VALUE;

static BOOLEAN CmpIsString(ULONG Type)
{
    return Type == REG_SZ || Type == REG_EXPAND_SZ || Type == REG_MULTI_SZ;
}

/* Full information -> a value with its name and data terminated as the
 * routines expect (string data gets a NUL if it lacks one). */
static NTSTATUS CmpRtlValueFromInformation(PKEY_VALUE_FULL_INFORMATION Full, CMP_RTL_VALUE *Value)
{
    ULONG Data = Full->DataLength, Extra = CmpIsString(Full->Type) ? 2 * sizeof(WCHAR) : 0;
    PUCHAR Block = ExpAllocateKernel(Full->NameLength + sizeof(WCHAR) + Data + Extra + 1, 'vRmC');
    if (Block == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(Block, Full->Name, Full->NameLength);
    PUCHAR Copy = Block + Full->NameLength + sizeof(WCHAR);
    memcpy(Copy, (PUCHAR)Full + Full->DataOffset, Data);
    if (CmpIsString(Full->Type)) {
        Data &= ~1u;
        if (Data < sizeof(WCHAR) || *(PWCH)(Copy + Data - sizeof(WCHAR)) != 0)
            Data += sizeof(WCHAR);      /* the block is zeroed */
    }
    Value->Allocation = Block;
    Value->Name = (PWSTR)Block;
    Value->Type = Full->Type;
    Value->Data = Copy;
    Value->Length = Data;
    Value->FromRegistry = TRUE;
    return STATUS_SUCCESS;
}

/* One value by full information: by name (Name non-NULL) or by index. */
static NTSTATUS CmpRtlReadValue(HANDLE Key, PCWSTR Name, ULONG Index, CMP_RTL_VALUE *Value)
{
    ULONG Size = 256, Needed = 0;
    UNICODE_STRING String;
    if (Name != NULL)
        RtlInitUnicodeString(&String, Name);
    for (;;) {
        PKEY_VALUE_FULL_INFORMATION Full = ExpAllocateKernel(Size, 'vRmC');
        if (Full == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        NTSTATUS Status = Name != NULL
            ? CmpZwQueryValueKey(Key, &String, KeyValueFullInformation, Full, Size, &Needed)
            : CmpZwEnumerateValueKey(Key, Index, KeyValueFullInformation, Full, Size, &Needed);
        if (NT_SUCCESS(Status))
            Status = CmpRtlValueFromInformation(Full, Value);
        ExpFreeKernel(Full);
        if (Status != STATUS_BUFFER_OVERFLOW && Status != STATUS_BUFFER_TOO_SMALL)
            return Status;
        Size = Needed;      /* the value changed size meanwhile: again */
    }
}

/* %NAME% from the environment block; the result is allocated. */
static PWCH CmpRtlLookupVariable(PCWSTR Environment, PCWCH Name, SIZE_T Length)
{
    for (PCWSTR Entry = Environment; Environment != NULL && *Entry != 0; Entry += CmpWcsLength(Entry) + 1) {
        SIZE_T i = 0;
        while (i < Length && Entry[i] != 0 && RtlUpcaseUnicodeChar(Entry[i]) == RtlUpcaseUnicodeChar(Name[i]))
            i++;
        if (i == Length && Entry[i] == L'=')
            return (PWCH)Entry + i + 1;
    }
    return NULL;
}

static NTSTATUS CmpRtlExpand(PCWSTR Environment, const CMP_RTL_VALUE *In, PVOID *Out, ULONG *OutLength)
{
    PCWCH Text = In->Data;
    SIZE_T Count = In->Length / sizeof(WCHAR), Size = 0;
    for (int Pass = 0; Pass < 2; Pass++) {
        PWCH Result = Pass == 1 ? ExpAllocateKernel((Size + 1) * sizeof(WCHAR), 'xRmC') : NULL;
        if (Pass == 1 && Result == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        SIZE_T o = 0;
        for (SIZE_T i = 0; i < Count && Text[i] != 0;) {
            SIZE_T End = i + 1;
            while (End < Count && Text[End] != 0 && Text[End] != L'%')
                End++;
            PWCH Variable = Text[i] == L'%' && End < Count && Text[End] == L'%' && End > i + 1
                                ? CmpRtlLookupVariable(Environment, Text + i + 1, End - i - 1) : NULL;
            PCWCH Piece = Variable != NULL ? Variable : Text + i;
            SIZE_T Length = Variable != NULL ? CmpWcsLength(Variable) : Text[i] == L'%' ? 1 : End - i;
            if (Result != NULL)
                memcpy(Result + o, Piece, Length * sizeof(WCHAR));
            o += Length;
            i = Variable != NULL ? End + 1 : Text[i] == L'%' ? i + 1 : End;
        }
        if (Result != NULL) {
            Result[o] = 0;
            *Out = Result;
            *OutLength = (ULONG)((o + 1) * sizeof(WCHAR));
        }
        Size = o;
    }
    return STATUS_SUCCESS;
}

/* ---- delivering a value to a table entry --------------------------------------------------------------- */

/* RTL_QUERY_REGISTRY_DIRECT: the documented formats. */
static NTSTATUS CmpRtlStoreDirect(PRTL_QUERY_REGISTRY_TABLE Entry, ULONG Type, PVOID Data, ULONG Length)
{
    if (CmpIsString(Type)) {
        PUNICODE_STRING String = Entry->EntryContext;
        if (Length > MAXUSHORT - 1)
            return STATUS_BUFFER_TOO_SMALL;
        if (String->Buffer == NULL) {
            /* The caller frees it with RtlFreeUnicodeString. */
            String->Buffer = RtlpAllocateStringRoutine(Length);
            if (String->Buffer == NULL)
                return STATUS_INSUFFICIENT_RESOURCES;
            String->MaximumLength = (USHORT)Length;
        } else if (Length > String->MaximumLength) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        memcpy(String->Buffer, Data, Length);
        String->Length = (USHORT)(Length - sizeof(WCHAR));
        return STATUS_SUCCESS;
    }
    if (Length <= sizeof(ULONG)) {
        if (Length != 0)
            memcpy(Entry->EntryContext, Data, Length);
        return STATUS_SUCCESS;
    }
    /* A LONG first: its magnitude is the buffer's size; negative: the
     * data alone, else length, type, then the data. */
    LONG Size = *(PLONG)Entry->EntryContext;
    if (Size < 0) {
        if ((ULONG)-Size < Length)
            return STATUS_BUFFER_TOO_SMALL;
        memcpy(Entry->EntryContext, Data, Length);
        return STATUS_SUCCESS;
    }
    if ((ULONG)Size < Length + 2 * sizeof(ULONG))
        return STATUS_BUFFER_TOO_SMALL;
    ((PULONG)Entry->EntryContext)[0] = Length;
    ((PULONG)Entry->EntryContext)[1] = Type;
    memcpy((PULONG)Entry->EntryContext + 2, Data, Length);
    return STATUS_SUCCESS;
}

/* A QueryRoutine's error ends the table, except STATUS_BUFFER_TOO_SMALL. */
static NTSTATUS CmpRtlCall(PRTL_QUERY_REGISTRY_TABLE Entry, PWSTR Name, ULONG Type, PVOID Data, ULONG Length,
                           PVOID Context)
{
    NTSTATUS Status = Entry->QueryRoutine(Name, Type, Data, Length, Context, Entry->EntryContext);
    return Status == STATUS_BUFFER_TOO_SMALL ? STATUS_SUCCESS : Status;
}

static NTSTATUS CmpRtlDeliver(PRTL_QUERY_REGISTRY_TABLE Entry, const CMP_RTL_VALUE *Value, PVOID Context,
                              PVOID Environment)
{
    BOOLEAN NoExpand = (Entry->Flags & RTL_QUERY_REGISTRY_NOEXPAND) != 0;
    BOOLEAN Direct = (Entry->Flags & RTL_QUERY_REGISTRY_DIRECT) != 0;
    if (Value->Type == REG_MULTI_SZ && !NoExpand) {
        if (Direct)
            return STATUS_INVALID_PARAMETER;    /* documented: DIRECT needs NOEXPAND for it */
        PWCH Strings = Value->Data;
        SIZE_T Count = Value->Length / sizeof(WCHAR);
        NTSTATUS Status = STATUS_SUCCESS;
        for (SIZE_T i = 0; i < Count && Strings[i] != 0 && NT_SUCCESS(Status);) {
            SIZE_T n = 0;
            while (i + n < Count && Strings[i + n] != 0)
                n++;
            Status = CmpRtlCall(Entry, Value->Name, REG_SZ, Strings + i, (ULONG)((n + 1) * sizeof(WCHAR)), Context);
            i += n + 1;
        }
        return Status;
    }
    if (Value->Type == REG_EXPAND_SZ && !NoExpand) {
        CMP_RTL_VALUE Expanded = *Value;
        NTSTATUS Status = CmpRtlExpand(Environment, Value, &Expanded.Data, &Expanded.Length);
        if (!NT_SUCCESS(Status))
            return Status;
        Expanded.Type = REG_SZ;
        Status = Direct ? CmpRtlStoreDirect(Entry, REG_SZ, Expanded.Data, Expanded.Length)
                        : CmpRtlCall(Entry, Value->Name, REG_SZ, Expanded.Data, Expanded.Length, Context);
        ExpFreeKernel(Expanded.Data);
        return Status;
    }
    return Direct ? CmpRtlStoreDirect(Entry, Value->Type, Value->Data, Value->Length)
                  : CmpRtlCall(Entry, Value->Name, Value->Type, Value->Data, Value->Length, Context);
}

/* ---- one table entry -------------------------------------------------------------------------------- */

/* DefaultLength 0 for a string type: computed from the data. */
static ULONG CmpRtlDefaultLength(ULONG Type, PCWSTR Data)
{
    if (Type == REG_SZ || Type == REG_EXPAND_SZ)
        return (ULONG)((CmpWcsLength(Data) + 1) * sizeof(WCHAR));
    if (Type == REG_MULTI_SZ) {
        SIZE_T n = 0;
        while (Data[n] != 0)
            n += CmpWcsLength(Data + n) + 1;
        return (ULONG)((n + 1) * sizeof(WCHAR));
    }
    return 0;
}

/* A named value of the current key (Key NULL: no key), or its default. */
static NTSTATUS CmpRtlQueryNamed(PRTL_QUERY_REGISTRY_TABLE Entry, HANDLE Key, PVOID Context, PVOID Environment)
{
    CMP_RTL_VALUE Value = { .Allocation = NULL };
    NTSTATUS Status = Key != NULL ? CmpRtlReadValue(Key, Entry->Name, 0, &Value) : STATUS_OBJECT_NAME_NOT_FOUND;
    if (Status == STATUS_OBJECT_NAME_NOT_FOUND) {
        ULONG Type = Entry->DefaultType & 0xFF;
        if ((Entry->Flags & RTL_QUERY_REGISTRY_REQUIRED) || Type == REG_NONE)
            return (Entry->Flags & RTL_QUERY_REGISTRY_REQUIRED) ? Status : STATUS_SUCCESS;
        Value.Name = Entry->Name;
        Value.Type = Type;
        Value.Data = Entry->DefaultData;
        Value.Length = Entry->DefaultLength;
        if (Value.Length == 0 && CmpIsString(Type) && Value.Data != NULL)
            Value.Length = CmpRtlDefaultLength(Type, Entry->DefaultData);
        return CmpRtlDeliver(Entry, &Value, Context, Environment);
    }
    if (!NT_SUCCESS(Status))
        return Status;
    Value.Name = Entry->Name;
    if ((Entry->Flags & (RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK)) ==
            (RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK) &&
        Value.Type != Entry->DefaultType >> RTL_QUERY_REGISTRY_TYPECHECK_SHIFT)
        Status = STATUS_OBJECT_TYPE_MISMATCH;
    else
        Status = CmpRtlDeliver(Entry, &Value, Context, Environment);
    ExpFreeKernel(Value.Allocation);
    if (NT_SUCCESS(Status) && (Entry->Flags & RTL_QUERY_REGISTRY_DELETE)) {
        UNICODE_STRING Name;
        RtlInitUnicodeString(&Name, Entry->Name);
        Status = CmpZwDeleteValueKey(Key, &Name);
    }
    return Status;
}

/* Every value of the current key, in order. */
static NTSTATUS CmpRtlQueryAll(PRTL_QUERY_REGISTRY_TABLE Entry, HANDLE Key, PVOID Context, PVOID Environment)
{
    ULONG Index = 0, Seen = 0;
    NTSTATUS Status = STATUS_SUCCESS;
    while (Key != NULL && NT_SUCCESS(Status)) {
        CMP_RTL_VALUE Value;
        Status = CmpRtlReadValue(Key, NULL, Index, &Value);
        if (Status == STATUS_NO_MORE_ENTRIES) {
            Status = STATUS_SUCCESS;
            break;
        }
        if (!NT_SUCCESS(Status))
            break;
        Seen++;
        Status = CmpRtlDeliver(Entry, &Value, Context, Environment);
        if (NT_SUCCESS(Status) && (Entry->Flags & RTL_QUERY_REGISTRY_DELETE)) {
            UNICODE_STRING Name;
            RtlInitUnicodeString(&Name, Value.Name);
            Status = CmpZwDeleteValueKey(Key, &Name);   /* the next one moved to Index */
        } else {
            Index++;
        }
        ExpFreeKernel(Value.Allocation);
    }
    if (NT_SUCCESS(Status) && Seen == 0 && (Entry->Flags & RTL_QUERY_REGISTRY_REQUIRED))
        Status = STATUS_OBJECT_NAME_NOT_FOUND;
    return Status;
}

typedef struct _CMP_RTL_QUERY {
    HANDLE Top;                     /* the key RelativeTo and Path name */
    CMP_RTL_KEY Sub;                /* the SUBKEY focus, when opened */
    HANDLE Current;                 /* NULL: a missing optional subkey */
    PVOID Context, Environment;
} CMP_RTL_QUERY;

static NTSTATUS CmpRtlFocus(CMP_RTL_QUERY *Query, PRTL_QUERY_REGISTRY_TABLE Entry)
{
    CmpRtlClose(&Query->Sub);
    Query->Current = Query->Top;
    if (!(Entry->Flags & RTL_QUERY_REGISTRY_SUBKEY))
        return STATUS_SUCCESS;
    NTSTATUS Status = CmpRtlOpenRelative(Query->Top, Entry->Name, KEY_READ | KEY_SET_VALUE, &Query->Sub);
    if (Status == STATUS_OBJECT_NAME_NOT_FOUND && !(Entry->Flags & RTL_QUERY_REGISTRY_REQUIRED)) {
        Query->Current = NULL;
        return STATUS_SUCCESS;
    }
    Query->Current = Query->Sub.Handle;
    return Status;
}

static NTSTATUS CmpRtlEntry(CMP_RTL_QUERY *Query, PRTL_QUERY_REGISTRY_TABLE Entry)
{
    ULONG Flags = Entry->Flags;
    BOOLEAN Direct = (Flags & RTL_QUERY_REGISTRY_DIRECT) != 0;
    if ((Flags & RTL_QUERY_REGISTRY_SUBKEY) && Entry->Name == NULL)
        return STATUS_INVALID_PARAMETER;
    if (Flags & (RTL_QUERY_REGISTRY_SUBKEY | RTL_QUERY_REGISTRY_TOPKEY)) {
        NTSTATUS Status = CmpRtlFocus(Query, Entry);
        if (!NT_SUCCESS(Status) || (Flags & RTL_QUERY_REGISTRY_SUBKEY) || (!Direct && Entry->QueryRoutine == NULL))
            return Status;
    }
    if (Direct ? Entry->Name == NULL || (Flags & RTL_QUERY_REGISTRY_NOVALUE) : Entry->QueryRoutine == NULL)
        return STATUS_INVALID_PARAMETER;
    if (Flags & RTL_QUERY_REGISTRY_NOVALUE)
        return CmpRtlCall(Entry, Entry->Name, REG_NONE, NULL, 0, Query->Context);
    if (Entry->Name == NULL)
        return CmpRtlQueryAll(Entry, Query->Current, Query->Context, Query->Environment);
    return CmpRtlQueryNamed(Entry, Query->Current, Query->Context, Query->Environment);
}

NTSTATUS RtlQueryRegistryValues(ULONG RelativeTo, PCWSTR Path, PRTL_QUERY_REGISTRY_TABLE QueryTable, PVOID Context,
                                PVOID Environment)
{
    CmpCheckIrql(CMP_IRQL_RTL_PASSIVE, __builtin_return_address(0));
    CMP_CALLBACK_RULE("RtlQueryRegistryValues");
    CMP_RTL_KEY Top;
    NTSTATUS Status = CmpRtlOpen(RelativeTo, Path, FALSE, &Top);
    if (!NT_SUCCESS(Status))
        return Status;
    CMP_RTL_QUERY Query = { Top.Handle, { NULL, FALSE }, Top.Handle, Context, Environment };
    for (PRTL_QUERY_REGISTRY_TABLE Entry = QueryTable;
         NT_SUCCESS(Status) && (Entry->QueryRoutine != NULL || Entry->Name != NULL); Entry++)
        Status = CmpRtlEntry(&Query, Entry);
    CmpRtlClose(&Query.Sub);
    CmpRtlClose(&Top);
    return Status;
}

/* ---- the other helpers --------------------------------------------------------------------------------- */

NTSTATUS RtlWriteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName, ULONG ValueType, PVOID ValueData,
                               ULONG ValueLength)
{
    CmpCheckIrql(CMP_IRQL_RTL_PASSIVE, __builtin_return_address(0));
    CMP_CALLBACK_RULE("RtlWriteRegistryValue");
    CMP_RTL_KEY Key;
    NTSTATUS Status = CmpRtlOpen(RelativeTo, Path, TRUE, &Key);
    if (!NT_SUCCESS(Status))
        return Status;
    UNICODE_STRING Name;
    RtlInitUnicodeString(&Name, ValueName);
    Status = CmpZwSetValueKey(Key.Handle, &Name, ValueType, ValueData, ValueLength);
    CmpRtlClose(&Key);
    return Status;
}

NTSTATUS RtlDeleteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName)
{
    CmpCheckIrql(CMP_IRQL_RTL_PASSIVE, __builtin_return_address(0));
    CMP_CALLBACK_RULE("RtlDeleteRegistryValue");
    CMP_RTL_KEY Key;
    NTSTATUS Status = CmpRtlOpen(RelativeTo | RTL_REGISTRY_OPTIONAL, Path, TRUE, &Key);
    if (!NT_SUCCESS(Status))
        return Status;
    UNICODE_STRING Name;
    RtlInitUnicodeString(&Name, ValueName);
    Status = CmpZwDeleteValueKey(Key.Handle, &Name);
    CmpRtlClose(&Key);
    return Status;
}

NTSTATUS RtlCheckRegistryKey(ULONG RelativeTo, PWSTR Path)
{
    CmpCheckIrql(CMP_IRQL_RTL_PASSIVE, __builtin_return_address(0));
    CMP_CALLBACK_RULE("RtlCheckRegistryKey");
    CMP_RTL_KEY Key;
    NTSTATUS Status = CmpRtlOpen(RelativeTo, Path, FALSE, &Key);
    CmpRtlClose(&Key);
    return Status;
}

NTSTATUS RtlCreateRegistryKey(ULONG RelativeTo, PWSTR Path)
{
    CmpCheckIrql(CMP_IRQL_RTL_PASSIVE, __builtin_return_address(0));
    CMP_CALLBACK_RULE("RtlCreateRegistryKey");
    CMP_RTL_KEY Key;
    NTSTATUS Status = CmpRtlOpen(RelativeTo & ~RTL_REGISTRY_OPTIONAL, Path, TRUE, &Key);
    CmpRtlClose(&Key);
    return Status;
}
