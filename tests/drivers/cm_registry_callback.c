/*
 * Registry callbacks: CmRegisterCallbackEx by altitude (an equal altitude
 * collides), CmRegisterCallback; pre and post notifications of
 * ZwSetValueKey (value name, type, data; the key's name from
 * CmCallbackGetKeyObjectIDEx), ZwDeleteValueKey and ZwDeleteKey; a
 * pre-notification's error fails the operation with it, and
 * STATUS_CALLBACK_BYPASS makes it succeed without happening; the higher
 * altitude is called first; none after CmUnRegisterCallback.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static LARGE_INTEGER High, Low, Legacy;
static volatile LONG Order[8], OrderCount, PreSet, PostSet, PreDeleteValue, PostDeleteValue, PreDeleteKey, PostDeleteKey;
static volatile LONG NameOk, DataOk, LastPostStatus;

static NTSTATUS OnRegistry(PVOID Context, PVOID Argument1, PVOID Argument2)
{
    REG_NOTIFY_CLASS Class = (REG_NOTIFY_CLASS)(ULONG_PTR)Argument1;
    LONG Which = (LONG)(ULONG_PTR)Context;
    switch (Class) {
    case RegNtPreSetValueKey: {
        PREG_SET_VALUE_KEY_INFORMATION Info = Argument2;
        UNICODE_STRING Blocked = RTL_CONSTANT_STRING(L"Blocked"), Bypassed = RTL_CONSTANT_STRING(L"Bypassed");
        LONG n = InterlockedIncrement(&OrderCount) - 1;
        if (n < 8)
            Order[n] = Which;
        if (Which != 1)
            return STATUS_SUCCESS;
        InterlockedIncrement(&PreSet);
        if (RtlEqualUnicodeString(Info->ValueName, &Blocked, TRUE))
            return STATUS_ACCESS_DENIED;
        if (RtlEqualUnicodeString(Info->ValueName, &Bypassed, TRUE))
            return STATUS_CALLBACK_BYPASS;
        if (Info->Type == REG_DWORD && Info->DataSize == 4 && *(PULONG)Info->Data == 42)
            InterlockedIncrement(&DataOk);
        PCUNICODE_STRING KeyName;
        if (NT_SUCCESS(CmCallbackGetKeyObjectIDEx(&High, Info->Object, NULL, &KeyName, 0))) {
            UNICODE_STRING Want = RTL_CONSTANT_STRING(L"\\REGISTRY\\MACHINE\\SOFTWARE\\NtpsCallbackTest");
            if (RtlEqualUnicodeString(KeyName, &Want, TRUE))
                InterlockedIncrement(&NameOk);
            CmCallbackReleaseKeyObjectIDEx(KeyName);
        }
        return STATUS_SUCCESS;
    }
    case RegNtPostSetValueKey:
        if (Which == 1) {
            InterlockedIncrement(&PostSet);
            InterlockedExchange(&LastPostStatus, ((PREG_POST_OPERATION_INFORMATION)Argument2)->Status);
        }
        return STATUS_SUCCESS;
    case RegNtPreDeleteValueKey:
        if (Which == 1)
            InterlockedIncrement(&PreDeleteValue);
        return STATUS_SUCCESS;
    case RegNtPostDeleteValueKey:
        if (Which == 1)
            InterlockedIncrement(&PostDeleteValue);
        return STATUS_SUCCESS;
    case RegNtPreDeleteKey:
        if (Which == 1)
            InterlockedIncrement(&PreDeleteKey);
        return STATUS_SUCCESS;
    case RegNtPostDeleteKey:
        if (Which == 1)
            InterlockedIncrement(&PostDeleteKey);
        return STATUS_SUCCESS;
    default:
        return STATUS_SUCCESS;
    }
}

static NTSTATUS SetDword(HANDLE Key, PCWSTR Name, ULONG Value)
{
    UNICODE_STRING N;
    RtlInitUnicodeString(&N, Name);
    return ZwSetValueKey(Key, &N, 0, REG_DWORD, &Value, sizeof(Value));
}

static BOOLEAN HasValue(HANDLE Key, PCWSTR Name)
{
    UNICODE_STRING N;
    RtlInitUnicodeString(&N, Name);
    UCHAR Buffer[64];
    ULONG Length;
    return NT_SUCCESS(ZwQueryValueKey(Key, &N, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length));
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING A1 = RTL_CONSTANT_STRING(L"385200"), A2 = RTL_CONSTANT_STRING(L"0385200.00"),
                   A3 = RTL_CONSTANT_STRING(L"100000");
    KT_EQ(CmRegisterCallbackEx(OnRegistry, &A3, DriverObject, (PVOID)2, &Low, NULL), STATUS_SUCCESS);
    KT_EQ(CmRegisterCallbackEx(OnRegistry, &A1, DriverObject, (PVOID)1, &High, NULL), STATUS_SUCCESS);
    LARGE_INTEGER Dup;
    KT_EQ(CmRegisterCallbackEx(OnRegistry, &A2, DriverObject, (PVOID)9, &Dup, NULL),
          STATUS_FLT_INSTANCE_ALTITUDE_COLLISION);
    KT_EQ(CmRegisterCallback(OnRegistry, (PVOID)3, &Legacy), STATUS_SUCCESS);

    UNICODE_STRING Path = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\Software\\NtpsCallbackTest");
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE Key;
    KT_EQ(ZwCreateKey(&Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, 0, NULL), STATUS_SUCCESS);

    KT_EQ(SetDword(Key, L"Answer", 42), STATUS_SUCCESS);
    KT_EQ(PreSet, 1);
    KT_EQ(PostSet, 1);
    KT_EQ(LastPostStatus, STATUS_SUCCESS);
    KT_EQ(DataOk, 1);
    KT_EQ(NameOk, 1);
    KT_EQ(OrderCount, 3);
    KT_EQ(Order[0], 1);         /* 385200 */
    KT_EQ(Order[1], 2);         /* 100000 */
    KT_EQ(Order[2], 3);         /* CmRegisterCallback: last */

    KT_EQ(SetDword(Key, L"Blocked", 1), STATUS_ACCESS_DENIED);
    KT_CHECK(!HasValue(Key, L"Blocked"));
    KT_EQ(OrderCount, 4);       /* the lower ones were not called */
    KT_EQ(SetDword(Key, L"Bypassed", 1), STATUS_SUCCESS);
    KT_CHECK(!HasValue(Key, L"Bypassed"));
    KT_CHECK(HasValue(Key, L"Answer"));

    UNICODE_STRING Answer = RTL_CONSTANT_STRING(L"Answer");
    KT_EQ(ZwDeleteValueKey(Key, &Answer), STATUS_SUCCESS);
    KT_EQ(PreDeleteValue, 1);
    KT_EQ(PostDeleteValue, 1);
    KT_EQ(ZwDeleteKey(Key), STATUS_SUCCESS);
    KT_EQ(PreDeleteKey, 1);
    KT_EQ(PostDeleteKey, 1);
    ZwClose(Key);

    KT_EQ(CmUnRegisterCallback(High), STATUS_SUCCESS);
    KT_EQ(CmUnRegisterCallback(High), STATUS_INVALID_PARAMETER);
    KT_EQ(CmUnRegisterCallback(Low), STATUS_SUCCESS);
    KT_EQ(CmUnRegisterCallback(Legacy), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
