/*
 * Registry churn: threads create, open, set, query, enumerate and delete
 * the same few keys and values at once. Every call ends with one of the
 * statuses a racing caller can see (a key deleted under an open handle is
 * STATUS_KEY_DELETED, a key with subkeys STATUS_CANNOT_DELETE, a value or
 * key gone is STATUS_OBJECT_NAME_NOT_FOUND, an index past the end
 * STATUS_NO_MORE_ENTRIES), and what is read back is whole (a DWORD value
 * is always 4 bytes of one writer). No verifier report: no callback.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: reject VERIFIER
#include <ntddk.h>
#include "ktest.h"

#define THREADS 4
#define ROUNDS 300
#define ROOT L"\\Registry\\Machine\\Software\\NtpsChurn"

static HANDLE Root;
static volatile LONG Unexpected;

static BOOLEAN Allowed(NTSTATUS Status)
{
    return Status == STATUS_SUCCESS || Status == STATUS_KEY_DELETED || Status == STATUS_CANNOT_DELETE ||
           Status == STATUS_OBJECT_NAME_NOT_FOUND || Status == STATUS_NO_MORE_ENTRIES ||
           Status == STATUS_BUFFER_OVERFLOW;
}

static VOID Note(NTSTATUS Status, int Line)
{
    if (!Allowed(Status)) {
        if (InterlockedIncrement(&Unexpected) < 5)
            DbgPrint("FAIL: line %d: status 0x%08X\n", Line, (ULONG)Status);
    }
}
#define NOTE(s) Note((s), __LINE__)

static VOID Round(ULONG Thread, ULONG i)
{
    static const PCWSTR Keys[] = { L"K0", L"K1", L"K0\\Sub", L"K1\\Sub", L"K2" };
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Key;
    RtlInitUnicodeString(&Name, Keys[(Thread + i) % RTL_NUMBER_OF(Keys)]);
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, Root, NULL);
    NTSTATUS Status = ZwCreateKey(&Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, NULL);
    NOTE(Status);
    if (!NT_SUCCESS(Status))
        return;     /* the parent of a Sub was deleted */
    UNICODE_STRING Value = RTL_CONSTANT_STRING(L"V");
    ULONG Data = Thread * 0x01010101u;
    NOTE(ZwSetValueKey(Key, &Value, 0, REG_DWORD, &Data, sizeof(Data)));
    ULONG Buffer[16], Length;
    Status = ZwQueryValueKey(Key, &Value, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length);
    NOTE(Status);
    if (NT_SUCCESS(Status)) {
        PKEY_VALUE_PARTIAL_INFORMATION Partial = (PKEY_VALUE_PARTIAL_INFORMATION)Buffer;
        ULONG Got = *(PULONG)Partial->Data;
        if (Partial->DataLength != 4 || Got % 0x01010101u != 0 || Got / 0x01010101u >= THREADS)
            NOTE(STATUS_UNSUCCESSFUL);
    }
    for (ULONG j = 0; j < 3; j++) {
        NOTE(ZwEnumerateKey(Root, j, KeyBasicInformation, Buffer, sizeof(Buffer), &Length));
        NOTE(ZwEnumerateValueKey(Key, j, KeyValueFullInformation, Buffer, sizeof(Buffer), &Length));
    }
    NOTE(ZwQueryKey(Key, KeyFullInformation, Buffer, sizeof(Buffer), &Length));
    if ((i + Thread) % 3 == 0)
        NOTE(ZwDeleteValueKey(Key, &Value));
    if ((i + Thread) % 2 == 0)
        NOTE(ZwDeleteKey(Key));
    if ((i % 7) == 0)
        ZwYieldExecution();
    ZwClose(Key);
}

static VOID Worker(PVOID Context)
{
    ULONG Thread = (ULONG)(ULONG_PTR)Context;
    for (ULONG i = 0; i < ROUNDS; i++)
        Round(Thread, i);
}

/* Children first: what is left at the end. */
static VOID DeleteTree(HANDLE Key)
{
    ULONG Buffer[64], Length;
    while (NT_SUCCESS(ZwEnumerateKey(Key, 0, KeyBasicInformation, Buffer, sizeof(Buffer) - sizeof(WCHAR), &Length))) {
        PKEY_BASIC_INFORMATION Basic = (PKEY_BASIC_INFORMATION)Buffer;
        UNICODE_STRING Name = { (USHORT)Basic->NameLength, (USHORT)Basic->NameLength, Basic->Name };
        OBJECT_ATTRIBUTES Attributes;
        HANDLE Child;
        InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, Key, NULL);
        if (!NT_SUCCESS(ZwOpenKey(&Child, KEY_ALL_ACCESS, &Attributes)))
            break;
        DeleteTree(Child);
        ZwClose(Child);
    }
    KT_EQ(ZwDeleteKey(Key), STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(ROOT);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateKey(&Root, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, NULL), STATUS_SUCCESS);
    PETHREAD Threads[THREADS];
    for (ULONG i = 0; i < THREADS; i++)
        Threads[i] = KtStartThread(Worker, (PVOID)(ULONG_PTR)i);
    for (ULONG i = 0; i < THREADS; i++) {
        KT_CHECK(Threads[i] != NULL);
        KtJoin(Threads[i]);
    }
    KT_EQ(Unexpected, 0);
    DeleteTree(Root);
    ZwClose(Root);
    KT_DONE();
    return STATUS_SUCCESS;
}
