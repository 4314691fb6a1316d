/*
 * Registry callbacks for the opening, query and close operations drivers
 * filter: RegNtPre/PostCreateKeyEx and OpenKeyEx (the V1 structure:
 * Version 1, CompleteName, Options, Disposition, the post's Object the new
 * key), RegNtPre/PostQueryValueKey (the value name, class and caller's
 * buffer), EnumerateValueKey, QueryKey, EnumerateKey (the index) and
 * KeyHandleClose (the key object, at the last handle). A pre routine's
 * error fails the operation with it (an open, a query); a query it
 * bypasses (STATUS_CALLBACK_BYPASS) returns success with what the routine
 * wrote into the caller's buffer; a post routine that returns
 * STATUS_CALLBACK_BYPASS changes the status to its ReturnStatus.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static LARGE_INTEGER Cookie;
static PVOID OurKey;                /* the key object, from the post-create */
static volatile LONG PreCreate, PostCreate, PreOpenBlocked, PreQueryValue, PostQueryValue, PreEnumValue, PreQueryKey,
    PreEnumKey, PreClose, PostClose, V1Ok, BypassSeen;
static ULONG EnumIndex = 99;
static volatile BOOLEAN DenyQueryKeyAfter;

static BOOLEAN EndsWith(PCUNICODE_STRING Name, PCWSTR Leaf)
{
    UNICODE_STRING L;
    RtlInitUnicodeString(&L, Leaf);
    if (Name == NULL || Name->Length < L.Length)
        return FALSE;
    UNICODE_STRING Tail = { L.Length, L.Length, (PWCH)((PUCHAR)Name->Buffer + Name->Length - L.Length) };
    return RtlEqualUnicodeString(&Tail, &L, TRUE);
}

static NTSTATUS OnCreateOpen(REG_NOTIFY_CLASS Class, PVOID Argument2)
{
    if (Class == RegNtPreCreateKeyEx || Class == RegNtPreOpenKeyEx) {
        PREG_CREATE_KEY_INFORMATION_V1 Info = Argument2;
        if (Info->Version == 1 && Info->Disposition != NULL && Info->ResultObject != NULL)
            InterlockedIncrement(&V1Ok);
        if (Class == RegNtPreCreateKeyEx && EndsWith(Info->CompleteName, L"NtpsCallbackQuery"))
            InterlockedIncrement(&PreCreate);
        if (Class == RegNtPreOpenKeyEx && EndsWith(Info->CompleteName, L"Blocked")) {
            InterlockedIncrement(&PreOpenBlocked);
            return STATUS_ACCESS_DENIED;
        }
        return STATUS_SUCCESS;
    }
    PREG_POST_OPERATION_INFORMATION Post = Argument2;
    PREG_CREATE_KEY_INFORMATION_V1 Pre = Post->PreInformation;
    if (Class == RegNtPostCreateKeyEx && EndsWith(Pre->CompleteName, L"NtpsCallbackQuery") &&
        NT_SUCCESS(Post->Status) && Post->Object != NULL) {
        OurKey = Post->Object;
        InterlockedIncrement(&PostCreate);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS OnRegistry(PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Context);
    REG_NOTIFY_CLASS Class = (REG_NOTIFY_CLASS)(ULONG_PTR)Argument1;
    switch (Class) {
    case RegNtPreCreateKeyEx:
    case RegNtPostCreateKeyEx:
    case RegNtPreOpenKeyEx:
    case RegNtPostOpenKeyEx:
        return OnCreateOpen(Class, Argument2);
    case RegNtPreQueryValueKey: {
        PREG_QUERY_VALUE_KEY_INFORMATION Info = Argument2;
        if (Info->Object != OurKey)
            return STATUS_SUCCESS;
        InterlockedIncrement(&PreQueryValue);
        if (EndsWith(Info->ValueName, L"Forbidden"))
            return STATUS_ACCESS_DENIED;
        if (EndsWith(Info->ValueName, L"Hidden") && Info->KeyValueInformationClass == KeyValuePartialInformation &&
            Info->Length >= sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 3) {
            PKEY_VALUE_PARTIAL_INFORMATION Out = Info->KeyValueInformation;
            Out->TitleIndex = 0;
            Out->Type = REG_DWORD;
            Out->DataLength = sizeof(ULONG);
            *(PULONG)Out->Data = 7;
            *Info->ResultLength = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + sizeof(ULONG);
            InterlockedIncrement(&BypassSeen);
            return STATUS_CALLBACK_BYPASS;
        }
        return STATUS_SUCCESS;
    }
    case RegNtPostQueryValueKey:
        if (((PREG_POST_OPERATION_INFORMATION)Argument2)->Object == OurKey)
            InterlockedIncrement(&PostQueryValue);
        return STATUS_SUCCESS;
    case RegNtPreEnumerateValueKey:
        if (((PREG_ENUMERATE_VALUE_KEY_INFORMATION)Argument2)->Object == OurKey)
            InterlockedIncrement(&PreEnumValue);
        return STATUS_SUCCESS;
    case RegNtPreQueryKey:
        if (((PREG_QUERY_KEY_INFORMATION)Argument2)->Object == OurKey)
            InterlockedIncrement(&PreQueryKey);
        return STATUS_SUCCESS;
    case RegNtPreEnumerateKey: {
        PREG_ENUMERATE_KEY_INFORMATION Info = Argument2;
        if (Info->Object == OurKey) {
            InterlockedIncrement(&PreEnumKey);
            EnumIndex = Info->Index;
        }
        return STATUS_SUCCESS;
    }
    case RegNtPostQueryKey: {
        PREG_POST_OPERATION_INFORMATION Post = Argument2;
        if (Post->Object != OurKey || !DenyQueryKeyAfter)
            return STATUS_SUCCESS;
        Post->ReturnStatus = STATUS_ACCESS_DENIED;      /* documented: a post routine changes the status */
        return STATUS_CALLBACK_BYPASS;
    }
    case RegNtPreKeyHandleClose:
        if (((PREG_KEY_HANDLE_CLOSE_INFORMATION)Argument2)->Object == OurKey)
            InterlockedIncrement(&PreClose);
        return STATUS_SUCCESS;
    case RegNtPostKeyHandleClose:
        if (((PREG_POST_OPERATION_INFORMATION)Argument2)->Object == OurKey)
            InterlockedIncrement(&PostClose);
        return STATUS_SUCCESS;
    default:
        return STATUS_SUCCESS;
    }
}

static HANDLE OpenRelative(HANDLE Root, PCWSTR Name, BOOLEAN Create, NTSTATUS Expected)
{
    UNICODE_STRING Path;
    RtlInitUnicodeString(&Path, Name);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, Root, NULL);
    HANDLE Key = NULL;
    NTSTATUS Status = Create ? ZwCreateKey(&Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, 0, NULL)
                             : ZwOpenKey(&Key, KEY_ALL_ACCESS, &Attributes);
    KT_EQ(Status, Expected);
    return NT_SUCCESS(Status) ? Key : NULL;
}

static VOID Exercise(VOID)
{
    HANDLE Key = OpenRelative(NULL, L"\\Registry\\Machine\\Software\\NtpsCallbackQuery", TRUE, STATUS_SUCCESS);
    KT_EQ(PreCreate, 1);
    KT_EQ(PostCreate, 1);
    KT_CHECK(V1Ok >= 1);
    HANDLE Child = OpenRelative(Key, L"Child", TRUE, STATUS_SUCCESS);
    OpenRelative(Key, L"Blocked", FALSE, STATUS_ACCESS_DENIED);         /* the routine's status, not "not found" */
    KT_EQ(PreOpenBlocked, 1);

    UNICODE_STRING Answer = RTL_CONSTANT_STRING(L"Answer"), Hidden = RTL_CONSTANT_STRING(L"Hidden"),
                   Forbidden = RTL_CONSTANT_STRING(L"Forbidden");
    ULONG FortyTwo = 42, Length = 0;
    KT_EQ(ZwSetValueKey(Key, &Answer, 0, REG_DWORD, &FortyTwo, sizeof(FortyTwo)), STATUS_SUCCESS);
    UCHAR Buffer[64];
    PKEY_VALUE_PARTIAL_INFORMATION Partial = (PKEY_VALUE_PARTIAL_INFORMATION)Buffer;
    KT_EQ(ZwQueryValueKey(Key, &Answer, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(*(PULONG)Partial->Data, 42);
    KT_EQ(ZwQueryValueKey(Key, &Hidden, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(BypassSeen, 1);
    KT_EQ(*(PULONG)Partial->Data, 7);                                   /* the routine's answer */
    KT_EQ(Length, FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + sizeof(ULONG));
    KT_EQ(ZwQueryValueKey(Key, &Forbidden, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length),
          STATUS_ACCESS_DENIED);
    KT_EQ(PreQueryValue, 3);
    KT_EQ(PostQueryValue, 1);       /* the bypassed and the blocked queries get no post from the routine that ended them */
    KT_EQ(ZwEnumerateValueKey(Key, 0, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(PreEnumValue, 1);
    KT_EQ(ZwQueryKey(Key, KeyBasicInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(PreQueryKey, 1);
    DenyQueryKeyAfter = TRUE;
    KT_EQ(ZwQueryKey(Key, KeyBasicInformation, Buffer, sizeof(Buffer), &Length), STATUS_ACCESS_DENIED);
    DenyQueryKeyAfter = FALSE;
    KT_EQ(ZwEnumerateKey(Key, 0, KeyBasicInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    KT_EQ(PreEnumKey, 1);
    KT_EQ(EnumIndex, 0);

    ZwDeleteKey(Child);
    ZwClose(Child);
    KT_EQ(PreClose, 0);
    ZwDeleteKey(Key);
    ZwClose(Key);
    KT_EQ(PreClose, 1);
    KT_EQ(PostClose, 1);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    UNICODE_STRING Altitude = RTL_CONSTANT_STRING(L"360000");
    KT_EQ(CmRegisterCallbackEx(OnRegistry, &Altitude, DriverObject, NULL, &Cookie, NULL), STATUS_SUCCESS);
    Exercise();
    KT_EQ(CmUnRegisterCallback(Cookie), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
