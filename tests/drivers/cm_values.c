/*
 * Registry values from a driver: ZwSetValueKey with every common type
 * (REG_NONE, REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ,
 * REG_QWORD, empty data, the default value), replacing a value,
 * case-insensitive names, ZwQueryValueKey and ZwEnumerateValueKey in the
 * basic, full, partial and Align64 classes, the documented too-small
 * statuses (nothing below the fixed part: STATUS_BUFFER_TOO_SMALL; what
 * fits above it: STATUS_BUFFER_OVERFLOW; ResultLength the whole), missing
 * values, ZwDeleteValueKey, bad classes and bad handles.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static HANDLE Key;

static NTSTATUS Set(PCWSTR Name, ULONG Type, const VOID *Data, ULONG Size)
{
    UNICODE_STRING String;
    RtlInitUnicodeString(&String, Name);
    return ZwSetValueKey(Key, &String, 0, Type, (PVOID)Data, Size);
}

static NTSTATUS Query(PCWSTR Name, KEY_VALUE_INFORMATION_CLASS Class, PVOID Buffer, ULONG Length, PULONG Result)
{
    UNICODE_STRING String;
    RtlInitUnicodeString(&String, Name);
    return ZwQueryValueKey(Key, &String, Class, Buffer, Length, Result);
}

static ULONGLONG Buffer[256];

static VOID CheckTypes(VOID)
{
    static const WCHAR Sz[] = L"hello", Expand[] = L"%SystemRoot%\\x", Multi[] = L"one\0two\0";
    static const UCHAR Binary[] = { 1, 2, 3, 4, 5 };
    ULONG Dword = 0x12345678;
    ULONGLONG Qword = 0x1122334455667788ULL;
    struct { PCWSTR Name; ULONG Type; const VOID *Data; ULONG Size; } Values[] = {
        { L"Sz", REG_SZ, Sz, sizeof(Sz) },
        { L"Expand", REG_EXPAND_SZ, Expand, sizeof(Expand) },
        { L"Binary", REG_BINARY, Binary, sizeof(Binary) },
        { L"Dword", REG_DWORD, &Dword, sizeof(Dword) },
        { L"Multi", REG_MULTI_SZ, Multi, sizeof(Multi) },
        { L"Qword", REG_QWORD, &Qword, sizeof(Qword) },
        { L"None", REG_NONE, NULL, 0 },
        { L"", REG_SZ, Sz, sizeof(Sz) },            /* the default value */
        { L"Odd", 0x1234, Binary, 3 },              /* any type number is kept */
    };
    for (ULONG i = 0; i < RTL_NUMBER_OF(Values); i++)
        KT_EQ(Set(Values[i].Name, Values[i].Type, Values[i].Data, Values[i].Size), STATUS_SUCCESS);
    ULONG Length;
    for (ULONG i = 0; i < RTL_NUMBER_OF(Values); i++) {
        PKEY_VALUE_PARTIAL_INFORMATION Partial = (PKEY_VALUE_PARTIAL_INFORMATION)Buffer;
        KT_EQ(Query(Values[i].Name, KeyValuePartialInformation, Partial, sizeof(Buffer), &Length), STATUS_SUCCESS);
        KT_EQ(Partial->Type, Values[i].Type);
        KT_EQ(Partial->DataLength, Values[i].Size);
        KT_EQ(Length, FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + Values[i].Size);
        if (Values[i].Size != 0)
            KT_EQ(RtlCompareMemory(Partial->Data, Values[i].Data, Values[i].Size), Values[i].Size);
        /* Enumeration: the order they were set in. */
        PKEY_VALUE_FULL_INFORMATION Full = (PKEY_VALUE_FULL_INFORMATION)Buffer;
        KT_EQ(ZwEnumerateValueKey(Key, i, KeyValueFullInformation, Full, sizeof(Buffer), &Length), STATUS_SUCCESS);
        UNICODE_STRING Got = { (USHORT)Full->NameLength, (USHORT)Full->NameLength, Full->Name }, Want;
        RtlInitUnicodeString(&Want, Values[i].Name);
        KT_CHECK(RtlEqualUnicodeString(&Got, &Want, FALSE));
        KT_EQ(Full->Type, Values[i].Type);
        KT_EQ(Full->DataLength, Values[i].Size);
        KT_EQ(Full->DataOffset % sizeof(ULONG), 0);
        KT_CHECK(Full->DataOffset >= FIELD_OFFSET(KEY_VALUE_FULL_INFORMATION, Name) + Full->NameLength);
        KT_EQ(Length, Full->DataOffset + Values[i].Size);
        if (Values[i].Size != 0)
            KT_EQ(RtlCompareMemory((PUCHAR)Full + Full->DataOffset, Values[i].Data, Values[i].Size), Values[i].Size);
    }
    KT_EQ(ZwEnumerateValueKey(Key, RTL_NUMBER_OF(Values), KeyValueBasicInformation, Buffer, sizeof(Buffer), &Length),
          STATUS_NO_MORE_ENTRIES);
    /* Basic: the name and type only. */
    PKEY_VALUE_BASIC_INFORMATION Basic = (PKEY_VALUE_BASIC_INFORMATION)Buffer;
    KT_EQ(Query(L"dWoRd", KeyValueBasicInformation, Basic, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(Basic->Type, REG_DWORD);
    KT_EQ(Basic->NameLength, 10);
    KT_EQ(Basic->Name[0], L'D');    /* the case it was set with */
    KT_EQ(Length, FIELD_OFFSET(KEY_VALUE_BASIC_INFORMATION, Name) + 10);
    /* Align64: the data on an 8-byte boundary. */
    PKEY_VALUE_PARTIAL_INFORMATION_ALIGN64 Partial64 = (PKEY_VALUE_PARTIAL_INFORMATION_ALIGN64)Buffer;
    KT_EQ(Query(L"Qword", KeyValuePartialInformationAlign64, Partial64, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(Partial64->Type, REG_QWORD);
    KT_EQ(Partial64->DataLength, 8);
    KT_EQ(Length, FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION_ALIGN64, Data) + 8);
    KT_EQ(*(ULONGLONG *)Partial64->Data, Qword);
    PKEY_VALUE_FULL_INFORMATION Full = (PKEY_VALUE_FULL_INFORMATION)Buffer;
    KT_EQ(Query(L"Sz", KeyValueFullInformationAlign64, Full, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(Full->DataOffset % 8, 0);
    KT_EQ(Query(L"Sz", KeyValueFullInformationAlign64, (PUCHAR)Buffer + 4, 200, &Length),
          STATUS_DATATYPE_MISALIGNMENT);
    /* Replacing keeps the place, changes type and size. */
    KT_EQ(Set(L"SZ", REG_DWORD, &Dword, sizeof(Dword)), STATUS_SUCCESS);
    KT_EQ(ZwEnumerateValueKey(Key, 0, KeyValueBasicInformation, Basic, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(Basic->Type, REG_DWORD);
    KT_EQ(Basic->NameLength, 4);
}

static VOID CheckSizes(VOID)
{
    static const UCHAR Data[40] = { 1 };
    ULONG Length;
    KT_EQ(Set(L"Forty", REG_BINARY, Data, sizeof(Data)), STATUS_SUCCESS);
    ULONG Fixed = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data), Whole = Fixed + sizeof(Data);
    PKEY_VALUE_PARTIAL_INFORMATION Partial = (PKEY_VALUE_PARTIAL_INFORMATION)Buffer;
    RtlFillMemory(Buffer, sizeof(Buffer), 0xCC);
    KT_EQ(Query(L"Forty", KeyValuePartialInformation, Partial, 0, &Length), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(Length, Whole);
    KT_EQ(Query(L"Forty", KeyValuePartialInformation, Partial, Fixed - 1, &Length), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(Length, Whole);
    KT_EQ(((PUCHAR)Buffer)[0], 0xCC);
    KT_EQ(Query(L"Forty", KeyValuePartialInformation, Partial, Fixed, &Length), STATUS_BUFFER_OVERFLOW);
    KT_EQ(Length, Whole);
    KT_EQ(Partial->Type, REG_BINARY);
    KT_EQ(Partial->DataLength, sizeof(Data));
    KT_EQ(Partial->Data[0], 0xCC);
    KT_EQ(Query(L"Forty", KeyValuePartialInformation, Partial, Whole - 1, &Length), STATUS_BUFFER_OVERFLOW);
    KT_EQ(Partial->Data[0], 1);
    KT_EQ(Query(L"Forty", KeyValuePartialInformation, Partial, Whole, &Length), STATUS_SUCCESS);
    KT_EQ(Length, Whole);
    /* The same for basic and full, by index too. */
    ULONG BasicFixed = FIELD_OFFSET(KEY_VALUE_BASIC_INFORMATION, Name);
    KT_EQ(Query(L"Forty", KeyValueBasicInformation, Buffer, BasicFixed - 1, &Length), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(Length, BasicFixed + 10);
    KT_EQ(Query(L"Forty", KeyValueBasicInformation, Buffer, BasicFixed, &Length), STATUS_BUFFER_OVERFLOW);
    KT_EQ(ZwEnumerateValueKey(Key, 0, KeyValueFullInformation, Buffer, 4, &Length), STATUS_BUFFER_TOO_SMALL);
    KT_CHECK(Length > FIELD_OFFSET(KEY_VALUE_FULL_INFORMATION, Name));
    KT_EQ(ZwEnumerateValueKey(Key, 0, KeyValueFullInformation, Buffer,
                              FIELD_OFFSET(KEY_VALUE_FULL_INFORMATION, Name), &Length), STATUS_BUFFER_OVERFLOW);
    /* Empty data. */
    KT_EQ(Query(L"None", KeyValuePartialInformation, Partial, Fixed, &Length), STATUS_SUCCESS);
    KT_EQ(Partial->DataLength, 0);
}

static VOID CheckErrors(VOID)
{
    ULONG Length;
    KT_EQ(Query(L"Missing", KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length),
          STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(Query(L"Sz", (KEY_VALUE_INFORMATION_CLASS)99, Buffer, sizeof(Buffer), &Length), STATUS_INVALID_PARAMETER);
    UNICODE_STRING Odd = { 3, 4, (PWCH)L"ab" };
    ULONG Dword = 1;
    KT_EQ(ZwSetValueKey(Key, &Odd, 0, REG_DWORD, &Dword, sizeof(Dword)), STATUS_INVALID_PARAMETER);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"Dword");
    KT_EQ(ZwSetValueKey(NtCurrentProcess(), &Name, 0, REG_DWORD, &Dword, sizeof(Dword)), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwQueryValueKey(NtCurrentThread(), &Name, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length),
          STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwEnumerateValueKey(NtCurrentProcess(), 0, KeyValueBasicInformation, Buffer, sizeof(Buffer), &Length),
          STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwDeleteValueKey(NtCurrentProcess(), &Name), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwQueryValueKey((HANDLE)(ULONG_PTR)0x7FF0, &Name, KeyValuePartialInformation, Buffer, sizeof(Buffer),
                          &Length), STATUS_INVALID_HANDLE);
    /* Deleting. */
    KT_EQ(ZwDeleteValueKey(Key, &Name), STATUS_SUCCESS);
    KT_EQ(ZwDeleteValueKey(Key, &Name), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(ZwQueryValueKey(Key, &Name, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length),
          STATUS_OBJECT_NAME_NOT_FOUND);
    UNICODE_STRING Default = { 0, 0, NULL };
    KT_EQ(ZwDeleteValueKey(Key, &Default), STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Path = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\Software\\NtpsValues");
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateKey(&Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, NULL), STATUS_SUCCESS);
    CheckTypes();
    CheckSizes();
    CheckErrors();
    KT_EQ(ZwDeleteKey(Key), STATUS_SUCCESS);
    ZwClose(Key);
    KT_DONE();
    return STATUS_SUCCESS;
}
