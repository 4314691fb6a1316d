/*
 * The registry's Nt services called from user mode (a Win32 process's
 * thread): every pointer is probed, so bad ones (NULL, unmapped, kernel
 * addresses) are STATUS_ACCESS_VIOLATION, never a crash; handles are
 * access-checked (a KEY_READ handle cannot set values or make subkeys);
 * a kernel handle means nothing to user mode; a process handle is not a
 * key (STATUS_OBJECT_TYPE_MISMATCH); OBJ_KERNEL_HANDLE from user mode
 * gives a handle in the process's table.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: reject leak
#include <ntddk.h>
#include <ntps.h>
#include "ktest.h"

#define KERNEL_ADDRESS ((PVOID)0xFFFF800000001000ULL)
#define UNMAPPED ((PVOID)0x1000)

static ULONG Buffer[64];
static WCHAR PathText[] = L"\\Registry\\Machine\\Software\\NtpsUser";
static UNICODE_STRING Path = { sizeof(PathText) - sizeof(WCHAR), sizeof(PathText), PathText };
static WCHAR NameText[] = L"Value";
static UNICODE_STRING Name = { sizeof(NameText) - sizeof(WCHAR), sizeof(NameText), NameText };

static VOID CheckPointers(HANDLE Key)
{
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Out;
    ULONG Length, Disposition;
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE, NULL, NULL);
    /* The handle's and the disposition's places. */
    KT_EQ(NtOpenKey(NULL, KEY_READ, &Attributes), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtOpenKey((PHANDLE)KERNEL_ADDRESS, KEY_READ, &Attributes), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtCreateKey(&Out, KEY_READ, &Attributes, 0, NULL, 0, (PULONG)KERNEL_ADDRESS), STATUS_ACCESS_VIOLATION);
    /* The attributes, the name and its buffer. */
    KT_EQ(NtOpenKey(&Out, KEY_READ, (POBJECT_ATTRIBUTES)UNMAPPED), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtOpenKey(&Out, KEY_READ, (POBJECT_ATTRIBUTES)KERNEL_ADDRESS), STATUS_ACCESS_VIOLATION);
    UNICODE_STRING BadBuffer = { 8, 8, (PWCH)KERNEL_ADDRESS };
    InitializeObjectAttributes(&Attributes, &BadBuffer, OBJ_CASE_INSENSITIVE, NULL, NULL);
    KT_EQ(NtOpenKey(&Out, KEY_READ, &Attributes), STATUS_ACCESS_VIOLATION);
    InitializeObjectAttributes(&Attributes, (PUNICODE_STRING)UNMAPPED, OBJ_CASE_INSENSITIVE, NULL, NULL);
    KT_EQ(NtOpenKey(&Out, KEY_READ, &Attributes), STATUS_ACCESS_VIOLATION);
    /* The class. */
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE, NULL, NULL);
    KT_EQ(NtCreateKey(&Out, KEY_READ, &Attributes, 0, (PUNICODE_STRING)KERNEL_ADDRESS, 0, &Disposition),
          STATUS_ACCESS_VIOLATION);
    /* Value names, data, information buffers and result lengths. */
    ULONG Data = 5;
    KT_EQ(NtSetValueKey(Key, (PUNICODE_STRING)UNMAPPED, 0, REG_DWORD, &Data, sizeof(Data)), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtSetValueKey(Key, &BadBuffer, 0, REG_DWORD, &Data, sizeof(Data)), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtSetValueKey(Key, &Name, 0, REG_DWORD, KERNEL_ADDRESS, sizeof(Data)), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtSetValueKey(Key, &Name, 0, REG_DWORD, UNMAPPED, sizeof(Data)), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtSetValueKey(Key, &Name, 0, REG_DWORD, NULL, sizeof(Data)), STATUS_ACCESS_VIOLATION);
    UNICODE_STRING NullBuffer = { 8, 8, NULL };
    KT_EQ(NtSetValueKey(Key, &NullBuffer, 0, REG_DWORD, &Data, sizeof(Data)), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtSetValueKey(Key, NULL, 0, REG_DWORD, &Data, sizeof(Data)), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtOpenKey(&Out, KEY_READ, NULL), STATUS_INVALID_PARAMETER);
    KT_EQ(NtSetValueKey(Key, &Name, 0, REG_DWORD, &Data, sizeof(Data)), STATUS_SUCCESS);
    KT_EQ(NtQueryValueKey(Key, &Name, KeyValuePartialInformation, KERNEL_ADDRESS, 64, &Length),
          STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryValueKey(Key, &Name, KeyValuePartialInformation, UNMAPPED, 64, &Length), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryValueKey(Key, &Name, KeyValuePartialInformation, Buffer, sizeof(Buffer), (PULONG)KERNEL_ADDRESS),
          STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryValueKey(Key, &Name, KeyValuePartialInformation, Buffer, sizeof(Buffer), NULL),
          STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryValueKey(Key, (PUNICODE_STRING)KERNEL_ADDRESS, KeyValuePartialInformation, Buffer, sizeof(Buffer),
                          &Length), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtEnumerateValueKey(Key, 0, KeyValueBasicInformation, KERNEL_ADDRESS, 64, &Length),
          STATUS_ACCESS_VIOLATION);
    KT_EQ(NtEnumerateKey(Key, 0, KeyBasicInformation, KERNEL_ADDRESS, 64, &Length), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryKey(Key, KeyBasicInformation, UNMAPPED, 64, &Length), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryKey(Key, KeyBasicInformation, Buffer, sizeof(Buffer), (PULONG)KERNEL_ADDRESS),
          STATUS_ACCESS_VIOLATION);
    KT_EQ(NtDeleteValueKey(Key, (PUNICODE_STRING)KERNEL_ADDRESS), STATUS_ACCESS_VIOLATION);
    /* And the good calls work. */
    KT_EQ(NtQueryValueKey(Key, &Name, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(((PKEY_VALUE_PARTIAL_INFORMATION)Buffer)->Type, REG_DWORD);
    KT_EQ(*(PULONG)((PKEY_VALUE_PARTIAL_INFORMATION)Buffer)->Data, 5);
    KT_EQ(NtQueryKey(Key, KeyBasicInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
}

static VOID CheckHandles(HANDLE Key, HANDLE KernelKey)
{
    OBJECT_ATTRIBUTES Attributes;
    HANDLE ReadOnly, Sub;
    ULONG Length, Data = 1;
    UNICODE_STRING Empty = { 0, 0, NULL };
    InitializeObjectAttributes(&Attributes, &Empty, 0, Key, NULL);
    KT_EQ(NtOpenKey(&ReadOnly, KEY_READ, &Attributes), STATUS_SUCCESS);
    KT_EQ(NtSetValueKey(ReadOnly, &Name, 0, REG_DWORD, &Data, sizeof(Data)), STATUS_ACCESS_DENIED);
    KT_EQ(NtDeleteValueKey(ReadOnly, &Name), STATUS_ACCESS_DENIED);
    KT_EQ(NtDeleteKey(ReadOnly), STATUS_ACCESS_DENIED);
    KT_EQ(NtQueryValueKey(ReadOnly, &Name, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length),
          STATUS_SUCCESS);
    WCHAR SubText[] = L"Sub";
    UNICODE_STRING SubName = { sizeof(SubText) - sizeof(WCHAR), sizeof(SubText), SubText };
    InitializeObjectAttributes(&Attributes, &SubName, OBJ_CASE_INSENSITIVE, ReadOnly, NULL);
    KT_EQ(NtCreateKey(&Sub, KEY_ALL_ACCESS, &Attributes, 0, NULL, 0, NULL), STATUS_ACCESS_DENIED);
    InitializeObjectAttributes(&Attributes, &SubName, OBJ_CASE_INSENSITIVE, Key, NULL);
    ULONG Disposition = 0;
    KT_EQ(NtCreateKey(&Sub, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, &Disposition), STATUS_SUCCESS);
    KT_EQ(Disposition, REG_CREATED_NEW_KEY);
    KT_EQ(NtDeleteKey(Sub), STATUS_SUCCESS);
    NtClose(Sub);
    NtClose(ReadOnly);
    /* A kernel handle, a closed handle, a process handle. */
    KT_EQ(NtQueryKey(KernelKey, KeyBasicInformation, Buffer, sizeof(Buffer), &Length), STATUS_INVALID_HANDLE);
    InitializeObjectAttributes(&Attributes, &SubName, OBJ_CASE_INSENSITIVE, KernelKey, NULL);
    KT_EQ(NtOpenKey(&Sub, KEY_READ, &Attributes), STATUS_INVALID_HANDLE);
    KT_EQ(NtQueryKey(NtCurrentProcess(), KeyBasicInformation, Buffer, sizeof(Buffer), &Length),
          STATUS_OBJECT_TYPE_MISMATCH);
    InitializeObjectAttributes(&Attributes, &SubName, OBJ_CASE_INSENSITIVE, NtCurrentProcess(), NULL);
    KT_EQ(NtOpenKey(&Sub, KEY_READ, &Attributes), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(NtFlushKey(NtCurrentThread()), STATUS_OBJECT_TYPE_MISMATCH);
    /* OBJ_KERNEL_HANDLE is ignored for user mode: the handle is the process's. */
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(NtOpenKey(&Sub, KEY_READ, &Attributes), STATUS_SUCCESS);
    KT_EQ(NtQueryKey(Sub, KeyBasicInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(NtClose(Sub), STATUS_SUCCESS);
}

static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    KT_EQ(ExGetPreviousMode(), UserMode);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE, NULL, NULL);
    HANDLE Key;
    ULONG Disposition = 0;
    KT_EQ(NtCreateKey(&Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, &Disposition), STATUS_SUCCESS);
    KT_EQ(Disposition, REG_OPENED_EXISTING_KEY);    /* the driver made it */
    CheckPointers(Key);
    CheckHandles(Key, (HANDLE)Parameter);
    KT_EQ(NtDeleteKey(Key), STATUS_SUCCESS);
    KT_EQ(NtClose(Key), STATUS_SUCCESS);
    /* Left open: the process's end closes it (no leak at shutdown). */
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE, NULL, NULL);
    KT_EQ(NtCreateKey(&Key, KEY_READ, &Attributes, 0, NULL, REG_OPTION_VOLATILE, NULL), STATUS_SUCCESS);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    HANDLE KernelKey;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateKey(&KernelKey, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, NULL), STATUS_SUCCESS);
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\regtest.exe");
    NTPS_PROCESS_CREATE Create = { &Image, NULL, SubsystemInformationTypeWin32, NULL, UserMain, KernelKey };
    HANDLE Process;
    KT_EQ(NtpsCreateProcess(&Create, &Process, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, NULL), STATUS_SUCCESS);
    PROCESS_BASIC_INFORMATION Basic;
    KT_EQ(ZwQueryInformationProcess(Process, ProcessBasicInformation, &Basic, sizeof(Basic), NULL), STATUS_SUCCESS);
    KT_EQ(Basic.ExitStatus, STATUS_SUCCESS);
    ZwClose(Process);
    /* The user process deleted it: this handle sees that. */
    ULONG Length;
    KT_EQ(ZwQueryKey(KernelKey, KeyBasicInformation, Buffer, sizeof(Buffer), &Length), STATUS_KEY_DELETED);
    ZwClose(KernelKey);
    /* It made the key again before it ended. */
    KT_EQ(ZwOpenKey(&KernelKey, DELETE, &Attributes), STATUS_SUCCESS);
    KT_EQ(ZwDeleteKey(KernelKey), STATUS_SUCCESS);
    ZwClose(KernelKey);
    KT_DONE();
    return STATUS_SUCCESS;
}
