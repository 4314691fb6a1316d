/*
 * Registry keys from a driver: ZwCreateKey's dispositions, volatile keys,
 * ZwOpenKey(Ex) by absolute and relative names (RootDirectory),
 * case-insensitive names, bad names, ZwDeleteKey (a key with subkeys
 * cannot go; a deleted key's handles see STATUS_KEY_DELETED), ZwFlushKey,
 * ZwQueryKey and ZwEnumerateKey with their classes and the documented
 * too-small statuses, and handles of the wrong type. (Kernel-mode callers
 * are not access-checked, as on Windows: cm_user checks access.)
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define TEST_ROOT L"\\Registry\\Machine\\Software\\NtpsTest"

static NTSTATUS Create(PHANDLE Key, HANDLE Root, PCWSTR Name, ULONG Options, PULONG Disposition)
{
    UNICODE_STRING String;
    OBJECT_ATTRIBUTES Attributes;
    RtlInitUnicodeString(&String, Name);
    InitializeObjectAttributes(&Attributes, &String, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, Root, NULL);
    return ZwCreateKey(Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, Options, Disposition);
}

static NTSTATUS Open(PHANDLE Key, HANDLE Root, PCWSTR Name, ACCESS_MASK Access)
{
    UNICODE_STRING String;
    OBJECT_ATTRIBUTES Attributes;
    RtlInitUnicodeString(&String, Name);
    InitializeObjectAttributes(&Attributes, &String, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, Root, NULL);
    return ZwOpenKey(Key, Access, &Attributes);
}

static VOID CheckCreateOpen(VOID)
{
    HANDLE Root, Key, Again;
    ULONG Disposition = 0;
    KT_EQ(Create(&Root, NULL, TEST_ROOT, 0, &Disposition), STATUS_SUCCESS);
    KT_EQ(Disposition, REG_CREATED_NEW_KEY);
    KT_EQ(Create(&Key, NULL, L"\\REGISTRY\\machine\\SOFTWARE\\ntpstest", 0, &Disposition), STATUS_SUCCESS);
    KT_EQ(Disposition, REG_OPENED_EXISTING_KEY);
    ZwClose(Key);
    /* Relative names; the last component only is created. */
    KT_EQ(Create(&Key, Root, L"A", 0, NULL), STATUS_SUCCESS);
    ZwClose(Key);
    KT_EQ(Create(&Key, Root, L"Missing\\B", 0, NULL), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(Create(&Key, Root, L"a\\B", 0, &Disposition), STATUS_SUCCESS);
    KT_EQ(Disposition, REG_CREATED_NEW_KEY);
    KT_EQ(Open(&Again, Root, L"A\\b", KEY_READ), STATUS_SUCCESS);
    ZwClose(Again);
    KT_EQ(Open(&Again, Key, L"", KEY_READ), STATUS_SUCCESS);     /* the same key again */
    ZwClose(Again);
    ZwClose(Key);
    KT_EQ(Open(&Key, NULL, TEST_ROOT L"\\A\\B", KEY_READ), STATUS_SUCCESS);
    ZwClose(Key);
    /* Bad names and missing keys. */
    KT_EQ(Open(&Key, NULL, TEST_ROOT L"\\Nope", KEY_READ), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(Open(&Key, NULL, TEST_ROOT L"\\Nope\\Deeper", KEY_READ), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(Open(&Key, Root, L"\\A", KEY_READ), STATUS_OBJECT_PATH_SYNTAX_BAD);
    KT_EQ(Open(&Key, NULL, L"Registry\\Machine", KEY_READ), STATUS_OBJECT_PATH_SYNTAX_BAD);
    KT_EQ(Open(&Key, Root, L"A\\\\B", KEY_READ), STATUS_OBJECT_NAME_INVALID);
    KT_EQ(Open(&Key, NULL, L"\\Registry\\Machine\\Nothing", KEY_READ), STATUS_OBJECT_NAME_NOT_FOUND);
    OBJECT_ATTRIBUTES NoName;
    InitializeObjectAttributes(&NoName, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenKey(&Key, KEY_READ, &NoName), STATUS_OBJECT_NAME_INVALID);
    KT_EQ(ZwOpenKeyEx(&Key, KEY_READ, &NoName, 0x80000000), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwCreateKey(&Key, KEY_READ, &NoName, 0, NULL, 0x80000000, NULL), STATUS_INVALID_PARAMETER);
    /* A volatile key's subkeys must be volatile too. */
    KT_EQ(Create(&Key, Root, L"Volatile", REG_OPTION_VOLATILE, NULL), STATUS_SUCCESS);
    KT_EQ(Create(&Again, Key, L"Stable", REG_OPTION_NON_VOLATILE, NULL), STATUS_CHILD_MUST_BE_VOLATILE);
    KT_EQ(Create(&Again, Key, L"AlsoVolatile", REG_OPTION_VOLATILE, NULL), STATUS_SUCCESS);
    KT_EQ(ZwDeleteKey(Again), STATUS_SUCCESS);
    ZwClose(Again);
    KT_EQ(ZwDeleteKey(Key), STATUS_SUCCESS);
    ZwClose(Key);
    /* A handle that is not a key's. */
    KT_EQ(Open(&Key, NtCurrentProcess(), L"A", KEY_READ), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwFlushKey(NtCurrentProcess()), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwDeleteKey(NtCurrentThread()), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwFlushKey(NULL), STATUS_INVALID_HANDLE);
    KT_EQ(ZwFlushKey(Root), STATUS_SUCCESS);
    ZwClose(Root);
}

static VOID CheckDelete(VOID)
{
    HANDLE Root, A, B;
    KT_EQ(Open(&Root, NULL, TEST_ROOT, KEY_ALL_ACCESS), STATUS_SUCCESS);
    KT_EQ(Open(&A, Root, L"A", KEY_ALL_ACCESS), STATUS_SUCCESS);
    KT_EQ(Open(&B, Root, L"A\\B", KEY_ALL_ACCESS), STATUS_SUCCESS);
    KT_EQ(ZwDeleteKey(A), STATUS_CANNOT_DELETE);
    KT_EQ(ZwDeleteKey(B), STATUS_SUCCESS);
    KT_EQ(ZwDeleteKey(B), STATUS_KEY_DELETED);
    KT_EQ(ZwFlushKey(B), STATUS_KEY_DELETED);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"V");
    ULONG Data = 1, Length;
    UCHAR Buffer[64];
    KT_EQ(ZwSetValueKey(B, &Name, 0, REG_DWORD, &Data, sizeof(Data)), STATUS_KEY_DELETED);
    KT_EQ(ZwQueryKey(B, KeyBasicInformation, Buffer, sizeof(Buffer), &Length), STATUS_KEY_DELETED);
    HANDLE C;
    KT_EQ(Create(&C, B, L"Child", 0, NULL), STATUS_KEY_DELETED);
    ZwClose(B);
    KT_EQ(Open(&B, Root, L"A\\B", KEY_READ), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(ZwDeleteKey(A), STATUS_SUCCESS);
    ZwClose(A);
    /* The hive roots stay. */
    KT_EQ(Open(&A, NULL, L"\\Registry\\Machine\\Software", KEY_ALL_ACCESS), STATUS_SUCCESS);
    KT_EQ(ZwDeleteKey(A), STATUS_CANNOT_DELETE);
    ZwClose(A);
    ZwClose(Root);
}

static VOID CheckQueryKey(VOID)
{
    HANDLE Root, Key;
    KT_EQ(Create(&Root, NULL, TEST_ROOT L"\\Query", 0, NULL), STATUS_SUCCESS);
    /* Subkeys come back in name order, whatever the order they were made in. */
    static const PCWSTR Names[] = { L"Gamma", L"alpha", L"Beta" };
    for (ULONG i = 0; i < RTL_NUMBER_OF(Names); i++) {
        KT_EQ(Create(&Key, Root, Names[i], 0, NULL), STATUS_SUCCESS);
        ZwClose(Key);
    }
    UNICODE_STRING Class = RTL_CONSTANT_STRING(L"MyClass");
    UNICODE_STRING Delta = RTL_CONSTANT_STRING(L"Delta");
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Delta, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, Root, NULL);
    KT_EQ(ZwCreateKey(&Key, KEY_ALL_ACCESS, &Attributes, 0, &Class, 0, NULL), STATUS_SUCCESS);
    ZwClose(Key);
    ULONG Data = 7;
    UNICODE_STRING Value = RTL_CONSTANT_STRING(L"LongerValueName");
    KT_EQ(ZwSetValueKey(Root, &Value, 0, REG_DWORD, &Data, sizeof(Data)), STATUS_SUCCESS);

    ULONG Buffer[128], Length = 0;
    static const PCWSTR Sorted[] = { L"alpha", L"Beta", L"Delta", L"Gamma" };
    for (ULONG i = 0; i < RTL_NUMBER_OF(Sorted); i++) {
        PKEY_BASIC_INFORMATION Basic = (PKEY_BASIC_INFORMATION)Buffer;
        KT_EQ(ZwEnumerateKey(Root, i, KeyBasicInformation, Basic, sizeof(Buffer), &Length), STATUS_SUCCESS);
        UNICODE_STRING Got = { (USHORT)Basic->NameLength, (USHORT)Basic->NameLength, Basic->Name }, Want;
        RtlInitUnicodeString(&Want, Sorted[i]);
        KT_CHECK(RtlEqualUnicodeString(&Got, &Want, FALSE));
        KT_EQ(Length, FIELD_OFFSET(KEY_BASIC_INFORMATION, Name) + Want.Length);
    }
    KT_EQ(ZwEnumerateKey(Root, 4, KeyBasicInformation, Buffer, sizeof(Buffer), &Length), STATUS_NO_MORE_ENTRIES);
    KT_EQ(ZwEnumerateKey(Root, 0, KeyNameInformation, Buffer, sizeof(Buffer), &Length), STATUS_INVALID_PARAMETER);
    /* The node class: name then class. */
    PKEY_NODE_INFORMATION Node = (PKEY_NODE_INFORMATION)Buffer;
    KT_EQ(ZwEnumerateKey(Root, 2, KeyNodeInformation, Node, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(Node->NameLength, 10);
    KT_EQ(Node->ClassLength, Class.Length);
    KT_EQ(Node->ClassOffset, FIELD_OFFSET(KEY_NODE_INFORMATION, Name) + 10);
    KT_CHECK(RtlCompareMemory((PUCHAR)Node + Node->ClassOffset, Class.Buffer, Class.Length) == Class.Length);
    KT_EQ(Length, Node->ClassOffset + Class.Length);
    KT_EQ(ZwEnumerateKey(Root, 0, KeyNodeInformation, Node, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(Node->ClassOffset, 0xFFFFFFFF);
    KT_EQ(Node->ClassLength, 0);
    /* The full class of the key itself: the counts. */
    PKEY_FULL_INFORMATION Full = (PKEY_FULL_INFORMATION)Buffer;
    KT_EQ(ZwQueryKey(Root, KeyFullInformation, Full, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(Full->SubKeys, 4);
    KT_EQ(Full->Values, 1);
    KT_EQ(Full->MaxNameLen, 10);
    KT_EQ(Full->MaxClassLen, Class.Length);
    KT_EQ(Full->MaxValueNameLen, Value.Length);
    KT_EQ(Full->MaxValueDataLen, sizeof(ULONG));
    KT_EQ(Full->ClassLength, 0);
    KT_EQ(Length, FIELD_OFFSET(KEY_FULL_INFORMATION, Class));
    /* The name: the full path, the case as created. */
    PKEY_NAME_INFORMATION Name = (PKEY_NAME_INFORMATION)Buffer;
    KT_EQ(ZwQueryKey(Root, KeyNameInformation, Name, sizeof(Buffer), &Length), STATUS_SUCCESS);
    UNICODE_STRING Got = { (USHORT)Name->NameLength, (USHORT)Name->NameLength, Name->Name };
    UNICODE_STRING Want = RTL_CONSTANT_STRING(L"\\REGISTRY\\MACHINE\\SOFTWARE\\NtpsTest\\Query");
    KT_CHECK(RtlEqualUnicodeString(&Got, &Want, FALSE));

    /* Too small: less than the fixed part gets nothing (TOO_SMALL), more
     * gets what fits (OVERFLOW); ResultLength is the whole in both. */
    ULONG Whole = FIELD_OFFSET(KEY_BASIC_INFORMATION, Name) + 10;
    RtlFillMemory(Buffer, sizeof(Buffer), 0xCC);
    KT_EQ(ZwEnumerateKey(Root, 0, KeyBasicInformation, Buffer, 0, &Length), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(Length, Whole);
    KT_EQ(ZwEnumerateKey(Root, 0, KeyBasicInformation, Buffer, FIELD_OFFSET(KEY_BASIC_INFORMATION, Name) - 1,
                         &Length), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(Length, Whole);
    KT_EQ(((PUCHAR)Buffer)[0], 0xCC);
    KT_EQ(ZwEnumerateKey(Root, 0, KeyBasicInformation, Buffer, FIELD_OFFSET(KEY_BASIC_INFORMATION, Name) + 4,
                         &Length), STATUS_BUFFER_OVERFLOW);
    KT_EQ(Length, Whole);
    PKEY_BASIC_INFORMATION Basic = (PKEY_BASIC_INFORMATION)Buffer;
    KT_EQ(Basic->NameLength, 10);
    KT_EQ(Basic->Name[0], L'a');
    KT_EQ(Basic->Name[1], L'l');
    KT_EQ(((PUCHAR)Buffer)[FIELD_OFFSET(KEY_BASIC_INFORMATION, Name) + 4], 0xCC);
    KT_EQ(ZwEnumerateKey(Root, 0, KeyBasicInformation, Buffer, Whole, &Length), STATUS_SUCCESS);
    KT_EQ(ZwQueryKey(Root, KeyFullInformation, Buffer, FIELD_OFFSET(KEY_FULL_INFORMATION, Class) - 1, &Length),
          STATUS_BUFFER_TOO_SMALL);
    KT_EQ(ZwQueryKey(Root, (KEY_INFORMATION_CLASS)77, Buffer, sizeof(Buffer), &Length), STATUS_INVALID_PARAMETER);
    /* Clean up: children first. */
    for (ULONG i = 0; i < RTL_NUMBER_OF(Sorted); i++) {
        KT_EQ(Open(&Key, Root, Sorted[i], DELETE), STATUS_SUCCESS);
        KT_EQ(ZwDeleteKey(Key), STATUS_SUCCESS);
        ZwClose(Key);
    }
    KT_EQ(ZwEnumerateKey(Root, 0, KeyBasicInformation, Buffer, sizeof(Buffer), &Length), STATUS_NO_MORE_ENTRIES);
    KT_EQ(ZwDeleteKey(Root), STATUS_SUCCESS);
    ZwClose(Root);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    CheckCreateOpen();
    CheckDelete();
    CheckQueryKey();
    HANDLE Root;
    KT_EQ(Open(&Root, NULL, TEST_ROOT, DELETE), STATUS_SUCCESS);
    KT_EQ(ZwDeleteKey(Root), STATUS_SUCCESS);
    ZwClose(Root);
    KT_DONE();
    return STATUS_SUCCESS;
}
