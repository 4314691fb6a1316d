/*
 * A driver's settings: the service key DriverEntry's RegistryPath names
 * exists with ImagePath, Type, Start, ErrorControl and a Parameters
 * subkey; values given with `ntps run --reg` are there before
 * DriverEntry (relative to the service key, and a full \Registry path);
 * RtlQueryRegistryValues reads them with query tables (DIRECT DWORDs and
 * UNICODE_STRINGs, buffers given or allocated, REQUIRED, defaults,
 * QueryRoutine callbacks for one value and for all, SUBKEY and TOPKEY,
 * MULTI_SZ split into strings, REG_EXPAND_SZ expanded or not, DELETE,
 * TYPECHECK); RtlWriteRegistryValue, RtlDeleteRegistryValue,
 * RtlCheckRegistryKey and RtlCreateRegistryKey. None of this is inside a
 * callback: no verifier report.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --reg Parameters\Level=dword:5 --reg Parameters\Name=sz:Widget --reg Parameters\Big=qword:0x100000000
// NTPS-TEST: args --reg Parameters\List=multi_sz:a,bc,def --reg Parameters\Path=expand_sz:%Root%\x
// NTPS-TEST: args --reg Parameters\Blob=binary:0102ff --reg Start=dword:1
// NTPS-TEST: args --reg \Registry\Machine\Software\NtpsVendor\Setting=dword:0x10
// NTPS-TEST: reject VERIFIER
#include <ntddk.h>
#include "ktest.h"

static WCHAR Seen[64];

static NTSTATUS NTAPI CountStrings(PWSTR ValueName, ULONG ValueType, PVOID ValueData, ULONG ValueLength,
                                   PVOID Context, PVOID EntryContext)
{
    UNREFERENCED_PARAMETER(ValueName);
    UNREFERENCED_PARAMETER(EntryContext);
    KT_EQ(ValueType, REG_SZ);
    KT_EQ(((PWCH)ValueData)[ValueLength / sizeof(WCHAR) - 1], 0);
    /* Concatenate what was seen, to check the order. */
    SIZE_T Used = wcslen(Seen);
    if (Used + ValueLength / sizeof(WCHAR) < RTL_NUMBER_OF(Seen))
        RtlCopyMemory(Seen + Used, ValueData, ValueLength);
    (*(PULONG)Context)++;
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI CountValues(PWSTR ValueName, ULONG ValueType, PVOID ValueData, ULONG ValueLength,
                                  PVOID Context, PVOID EntryContext)
{
    UNREFERENCED_PARAMETER(ValueName);
    UNREFERENCED_PARAMETER(ValueType);
    UNREFERENCED_PARAMETER(ValueData);
    UNREFERENCED_PARAMETER(ValueLength);
    UNREFERENCED_PARAMETER(EntryContext);
    (*(PULONG)Context)++;
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI Refuse(PWSTR ValueName, ULONG ValueType, PVOID ValueData, ULONG ValueLength, PVOID Context,
                             PVOID EntryContext)
{
    UNREFERENCED_PARAMETER(ValueName);
    UNREFERENCED_PARAMETER(ValueType);
    UNREFERENCED_PARAMETER(ValueData);
    UNREFERENCED_PARAMETER(ValueLength);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(EntryContext);
    return STATUS_INVALID_DEVICE_REQUEST;
}

static VOID CheckServiceKey(PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING Expected = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\cm_rtl_query");
    KT_CHECK(RtlEqualUnicodeString(RegistryPath, &Expected, TRUE));
    HANDLE Key;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, RegistryPath, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenKey(&Key, KEY_READ, &Attributes), STATUS_SUCCESS);
    ULONG Buffer[64], Length;
    PKEY_VALUE_PARTIAL_INFORMATION Partial = (PKEY_VALUE_PARTIAL_INFORMATION)Buffer;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"Type");
    KT_EQ(ZwQueryValueKey(Key, &Name, KeyValuePartialInformation, Partial, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(Partial->Type, REG_DWORD);
    KT_EQ(*(PULONG)Partial->Data, 1);   /* SERVICE_KERNEL_DRIVER */
    RtlInitUnicodeString(&Name, L"Start");
    KT_EQ(ZwQueryValueKey(Key, &Name, KeyValuePartialInformation, Partial, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(*(PULONG)Partial->Data, 1);   /* --reg Start=dword:1 replaced the default 3 */
    RtlInitUnicodeString(&Name, L"ImagePath");
    KT_EQ(ZwQueryValueKey(Key, &Name, KeyValuePartialInformation, Partial, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(Partial->Type, REG_EXPAND_SZ);
    KT_CHECK(wcsstr((PWCH)Partial->Data, L"cm_rtl_query.sys") != NULL);
    ZwClose(Key);
}

static VOID CheckDirect(VOID)
{
    ULONG Level = 0, Missing = 77, Start = 0;
    LONGLONG Big = -(LONGLONG)sizeof(Big);    /* over a ULONG: a negative size first */
    UNICODE_STRING Name = { 0, 0, NULL }, Fixed, Default = { 0, 0, NULL };
    WCHAR FixedBuffer[32];
    RtlInitEmptyUnicodeString(&Fixed, FixedBuffer, sizeof(FixedBuffer));
    LONG Blob[4] = { -(LONG)sizeof(Blob) };     /* negative: the data alone */
    ULONG Tagged[6] = { sizeof(Tagged) };       /* positive: length, type, data */
    ULONG Fallback = 42;
    RTL_QUERY_REGISTRY_TABLE Table[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Start", &Start, REG_NONE, NULL, 0 },
        { NULL, RTL_QUERY_REGISTRY_SUBKEY, L"Parameters", NULL, 0, NULL, 0 },
        { NULL, RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED, L"Level", &Level, REG_NONE, NULL, 0 },
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Name", &Name, REG_NONE, NULL, 0 },
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"name", &Fixed, REG_NONE, NULL, 0 },
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Big", &Big, REG_NONE, NULL, 0 },
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Blob", Blob, REG_NONE, NULL, 0 },
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Big", Tagged, REG_NONE, NULL, 0 },
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Absent", &Missing, REG_DWORD, &Fallback, sizeof(ULONG) },
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"AbsentName", &Default, REG_SZ, (PVOID)L"dflt", 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query", Table, NULL, NULL), STATUS_SUCCESS);
    KT_EQ(Start, 1);
    KT_EQ(Level, 5);
    UNICODE_STRING Widget = RTL_CONSTANT_STRING(L"Widget");
    KT_CHECK(RtlEqualUnicodeString(&Name, &Widget, FALSE));
    KT_EQ(Name.MaximumLength, Widget.Length + sizeof(WCHAR));
    KT_EQ(Name.Buffer[6], 0);
    RtlFreeUnicodeString(&Name);
    KT_CHECK(RtlEqualUnicodeString(&Fixed, &Widget, FALSE));
    KT_EQ(Fixed.Buffer, FixedBuffer);
    KT_EQ(Big, 0x100000000LL);
    KT_EQ(((PUCHAR)Blob)[0], 1);
    KT_EQ(((PUCHAR)Blob)[2], 0xFF);
    KT_EQ(Tagged[0], 8);
    KT_EQ(Tagged[1], REG_QWORD);
    KT_EQ(*(ULONGLONG *)&Tagged[2], 0x100000000ULL);
    KT_EQ(Missing, 42);
    UNICODE_STRING Dflt = RTL_CONSTANT_STRING(L"dflt");
    KT_CHECK(RtlEqualUnicodeString(&Default, &Dflt, FALSE));
    RtlFreeUnicodeString(&Default);

    /* A string buffer too small; a REQUIRED value missing. */
    WCHAR Tiny[3];
    UNICODE_STRING Short;
    RtlInitEmptyUnicodeString(&Short, Tiny, sizeof(Tiny));
    RTL_QUERY_REGISTRY_TABLE Small[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Name", &Short, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Parameters", Small, NULL, NULL),
          STATUS_BUFFER_TOO_SMALL);
    RTL_QUERY_REGISTRY_TABLE Required[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED, L"Nope", &Level, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Parameters", Required, NULL, NULL),
          STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"NoSuchDriver", Small, NULL, NULL),
          STATUS_OBJECT_NAME_NOT_FOUND);
    /* TYPECHECK: a DWORD where a string is wanted. */
    RTL_QUERY_REGISTRY_TABLE Typed[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK, L"Level", &Fixed,
          REG_SZ << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Parameters", Typed, NULL, NULL),
          STATUS_OBJECT_TYPE_MISMATCH);
    /* An absolute path given with --reg. */
    ULONG Setting = 0;
    RTL_QUERY_REGISTRY_TABLE Vendor[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Setting", &Setting, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\Software\\NtpsVendor", Vendor, NULL,
                                 NULL), STATUS_SUCCESS);
    KT_EQ(Setting, 0x10);
}

static VOID CheckRoutines(VOID)
{
    /* MULTI_SZ: one call per string, in order. */
    ULONG Count = 0;
    RTL_QUERY_REGISTRY_TABLE Multi[] = {
        { CountStrings, 0, L"List", NULL, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Parameters", Multi, &Count, NULL),
          STATUS_SUCCESS);
    KT_EQ(Count, 3);
    KT_CHECK(wcscmp(Seen, L"abcdef") == 0);
    /* Every value of the key (Name NULL), then TOPKEY back to the service key. */
    ULONG All = 0, Top = 0;
    RTL_QUERY_REGISTRY_TABLE Table[] = {
        { CountValues, RTL_QUERY_REGISTRY_NOEXPAND, NULL, NULL, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Parameters", Table, &All, NULL),
          STATUS_SUCCESS);
    KT_EQ(All, 6);  /* Level Name Big List Path Blob, MULTI_SZ whole with NOEXPAND */
    RTL_QUERY_REGISTRY_TABLE Focus[] = {
        { NULL, RTL_QUERY_REGISTRY_SUBKEY, L"Parameters", NULL, 0, NULL, 0 },
        { CountValues, RTL_QUERY_REGISTRY_TOPKEY | RTL_QUERY_REGISTRY_NOEXPAND, NULL, NULL, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query", Focus, &Top, NULL), STATUS_SUCCESS);
    KT_EQ(Top, 4);  /* ImagePath Type Start ErrorControl */
    /* A QueryRoutine's error ends the query with it. */
    RTL_QUERY_REGISTRY_TABLE Failing[] = {
        { Refuse, 0, L"Level", NULL, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Parameters", Failing, NULL, NULL),
          STATUS_INVALID_DEVICE_REQUEST);
    /* REG_EXPAND_SZ: expanded from the Environment block, or not. */
    static const WCHAR Environment[] = L"Other=1\0Root=C:\\Win\0";
    UNICODE_STRING Expanded = { 0, 0, NULL }, Raw = { 0, 0, NULL };
    RTL_QUERY_REGISTRY_TABLE Expand[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Path", &Expanded, REG_NONE, NULL, 0 },
        { NULL, RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_NOEXPAND, L"Path", &Raw, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Parameters", Expand, NULL,
                                 (PVOID)Environment), STATUS_SUCCESS);
    UNICODE_STRING WantExpanded = RTL_CONSTANT_STRING(L"C:\\Win\\x"), WantRaw = RTL_CONSTANT_STRING(L"%Root%\\x");
    KT_CHECK(RtlEqualUnicodeString(&Expanded, &WantExpanded, FALSE));
    KT_CHECK(RtlEqualUnicodeString(&Raw, &WantRaw, FALSE));
    RtlFreeUnicodeString(&Expanded);
    RtlFreeUnicodeString(&Raw);
    /* DIRECT and a MULTI_SZ without NOEXPAND: documented as invalid. */
    UNICODE_STRING List = { 0, 0, NULL };
    RTL_QUERY_REGISTRY_TABLE DirectMulti[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"List", &List, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Parameters", DirectMulti, NULL, NULL),
          STATUS_INVALID_PARAMETER);
}

static VOID CheckWriteDelete(VOID)
{
    ULONG Value = 9, Read = 0;
    KT_EQ(RtlCheckRegistryKey(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Created"), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(RtlCreateRegistryKey(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Created"), STATUS_SUCCESS);
    KT_EQ(RtlCheckRegistryKey(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Created"), STATUS_SUCCESS);
    KT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Created", L"Nine", REG_DWORD, &Value,
                                sizeof(Value)), STATUS_SUCCESS);
    /* Written where the key is missing: created. */
    KT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, L"NtpsTestControl", L"Nine", REG_DWORD, &Value,
                                sizeof(Value)), STATUS_SUCCESS);
    KT_EQ(RtlCheckRegistryKey(RTL_REGISTRY_ABSOLUTE,
                              L"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\NtpsTestControl"),
          STATUS_SUCCESS);
    /* DELETE: read, then gone. */
    RTL_QUERY_REGISTRY_TABLE Table[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_DELETE, L"Nine", &Read, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Created", Table, NULL, NULL), STATUS_SUCCESS);
    KT_EQ(Read, 9);
    Read = 0;
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"cm_rtl_query\\Created", Table, NULL, NULL), STATUS_SUCCESS);
    KT_EQ(Read, 0);
    KT_EQ(RtlDeleteRegistryValue(RTL_REGISTRY_CONTROL, L"NtpsTestControl", L"Nine"), STATUS_SUCCESS);
    KT_EQ(RtlDeleteRegistryValue(RTL_REGISTRY_CONTROL, L"NtpsTestControl", L"Nine"), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(RtlDeleteRegistryValue(RTL_REGISTRY_CONTROL, L"NtpsNoSuchKey", L"Nine"), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(RtlCheckRegistryKey(RTL_REGISTRY_CONTROL, L"NtpsNoSuchKey"), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(RtlCheckRegistryKey(77, L"x"), STATUS_INVALID_PARAMETER);
    /* RTL_REGISTRY_HANDLE: Path is an open key. */
    HANDLE Key;
    UNICODE_STRING Path = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\cm_rtl_query");
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenKey(&Key, KEY_ALL_ACCESS, &Attributes), STATUS_SUCCESS);
    KT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_HANDLE, (PCWSTR)Key, L"ViaHandle", REG_DWORD, &Value, sizeof(Value)),
          STATUS_SUCCESS);
    Read = 0;
    RTL_QUERY_REGISTRY_TABLE ViaHandle[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"ViaHandle", &Read, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    KT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_HANDLE, (PCWSTR)Key, ViaHandle, NULL, NULL), STATUS_SUCCESS);
    KT_EQ(Read, 9);
    ZwClose(Key);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    CheckServiceKey(RegistryPath);
    CheckDirect();
    CheckRoutines();
    CheckWriteDelete();
    KT_DONE();
    return STATUS_SUCCESS;
}
