/*
 * Registry callbacks as regfltr (Windows-driver-samples) uses them:
 * - CallContext set in a pre-notification comes back in that routine's post;
 * - an operation a routine makes itself reaches only lower altitudes;
 * - an absolute open's RootObject is the \REGISTRY key and RemainingName
 *   the rest of the name;
 * - STATUS_CALLBACK_BYPASS from a pre-open with the routine's own key
 *   object in *ResultObject, and a post routine turning a failed open into
 *   success, give the caller a handle to that object;
 * - CmGetCallbackVersion 1.1, CmGetBoundTransaction NULL,
 *   CmCallbackGetKeyObjectID's name, CmSetCallbackObjectContext not implemented.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^ntps: CmSetCallbackObjectContext is not implemented \(STATUS_NOT_IMPLEMENTED\)$
// NTPS-TEST: expect ^PASS$
#include <ntddk.h>
#include "ktest.h"

#define TEST_KEY L"\\Registry\\Machine\\Software\\NtpsCbContexts"
#define REDIRECT_KEY L"\\Registry\\Machine\\Software\\NtpsCbContexts\\Target"

typedef enum { ModeContext, ModeInternal, ModeRoot, ModeBypass, ModeOverride } TEST_MODE;
typedef struct {
    TEST_MODE Mode;
    LARGE_INTEGER Cookie;
    LONG Pre, Post, ContextSeen;
    BOOLEAN Inside;
    PVOID RootObject;
    UNICODE_STRING Remaining;
    WCHAR RemainingBuffer[128];
} CB;

static CB High, Low;
static UNICODE_STRING Missing = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\Software\\NtpsCbContexts\\Missing");

static NTSTATUS OpenKey(PCWSTR Path, PHANDLE Key)
{
    UNICODE_STRING Name;
    RtlInitUnicodeString(&Name, Path);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    return ZwOpenKey(Key, KEY_ALL_ACCESS, &Attributes);
}

/* The routine's own open of REDIRECT_KEY, as a referenced key object. */
static PVOID OpenTargetObject(VOID)
{
    HANDLE Key;
    PVOID Object = NULL;
    if (NT_SUCCESS(OpenKey(REDIRECT_KEY, &Key))) {
        ObReferenceObjectByHandle(Key, KEY_ALL_ACCESS, NULL, KernelMode, &Object, NULL);
        ZwClose(Key);
    }
    return Object;
}

static NTSTATUS Callback(PVOID Context, PVOID Argument1, PVOID Argument2)
{
    CB *Cb = Context;
    REG_NOTIFY_CLASS Class = (REG_NOTIFY_CLASS)(ULONG_PTR)Argument1;
    switch (Cb->Mode) {
    case ModeContext:
        if (Class == RegNtPreSetValueKey) {
            InterlockedIncrement(&Cb->Pre);
            ((PREG_SET_VALUE_KEY_INFORMATION)Argument2)->CallContext = Cb;
        } else if (Class == RegNtPostSetValueKey) {
            InterlockedIncrement(&Cb->Post);
            if (((PREG_POST_OPERATION_INFORMATION)Argument2)->CallContext == Cb)
                InterlockedIncrement(&Cb->ContextSeen);
        }
        break;
    case ModeInternal:
        if (Class == RegNtPreOpenKeyEx) {
            InterlockedIncrement(&Cb->Pre);
            if (Cb == &High && !Cb->Inside) {       /* the high one opens a key itself, once */
                HANDLE Key;
                Cb->Inside = TRUE;
                if (NT_SUCCESS(OpenKey(TEST_KEY, &Key)))
                    ZwClose(Key);
                Cb->Inside = FALSE;
            }
        }
        break;
    case ModeRoot:
        if (Class == RegNtPreOpenKeyEx) {
            PREG_OPEN_KEY_INFORMATION_V1 Info = Argument2;
            Cb->RootObject = Info->RootObject;
            Cb->Remaining.Buffer = Cb->RemainingBuffer;
            Cb->Remaining.MaximumLength = sizeof(Cb->RemainingBuffer);
            RtlCopyUnicodeString(&Cb->Remaining, Info->RemainingName);
        }
        break;
    case ModeBypass:
        if (Class == RegNtPreOpenKeyEx) {
            PREG_OPEN_KEY_INFORMATION_V1 Info = Argument2;
            if (RtlEqualUnicodeString(Info->CompleteName, &Missing, TRUE)) {
                *Info->ResultObject = OpenTargetObject();
                return STATUS_CALLBACK_BYPASS;
            }
        }
        break;
    case ModeOverride:
        if (Class == RegNtPostOpenKeyEx) {
            PREG_POST_OPERATION_INFORMATION Post = Argument2;
            PREG_OPEN_KEY_INFORMATION_V1 Info = Post->PreInformation;
            if (!NT_SUCCESS(Post->Status) && RtlEqualUnicodeString(Info->CompleteName, &Missing, TRUE)) {
                PVOID Object = OpenTargetObject();
                *Info->ResultObject = Object;
                Post->Object = Object;
                Post->ReturnStatus = STATUS_SUCCESS;
                return STATUS_CALLBACK_BYPASS;
            }
        }
        break;
    }
    return STATUS_SUCCESS;
}

static VOID Register(CB *Cb, PCWSTR Altitude, PDRIVER_OBJECT Driver)
{
    UNICODE_STRING A;
    RtlInitUnicodeString(&A, Altitude);
    KT_EQ(CmRegisterCallbackEx(Callback, &A, Driver, Cb, &Cb->Cookie, NULL), STATUS_SUCCESS);
}

/* Opens Missing: with the bypass or the override it is REDIRECT_KEY. */
static VOID ExpectRedirect(VOID)
{
    HANDLE Key = NULL;
    KT_EQ(OpenKey(Missing.Buffer, &Key), STATUS_SUCCESS);
    if (Key == NULL)
        return;
    PVOID Object;
    PCUNICODE_STRING Name = NULL;
    KT_EQ(ObReferenceObjectByHandle(Key, 0, NULL, KernelMode, &Object, NULL), STATUS_SUCCESS);
    KT_EQ(CmCallbackGetKeyObjectID(&High.Cookie, Object, NULL, &Name), STATUS_SUCCESS);
    UNICODE_STRING Want = RTL_CONSTANT_STRING(L"\\REGISTRY\\MACHINE\\Software\\NtpsCbContexts\\Target");
    KT_CHECK(Name != NULL && RtlEqualUnicodeString(Name, &Want, TRUE));
    ObDereferenceObject(Object);
    ZwClose(Key);
}

static VOID Run(PDRIVER_OBJECT Driver)
{
    HANDLE Key, Target;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(TEST_KEY), TargetName = RTL_CONSTANT_STRING(REDIRECT_KEY);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateKey(&Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, NULL), STATUS_SUCCESS);
    InitializeObjectAttributes(&Attributes, &TargetName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateKey(&Target, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, NULL), STATUS_SUCCESS);
    ZwClose(Target);
    Register(&High, L"380020", Driver);
    Register(&Low, L"380010", Driver);
    /* CallContext: each routine gets its own back */
    ULONG One = 1;
    UNICODE_STRING Value = RTL_CONSTANT_STRING(L"V");
    KT_EQ(ZwSetValueKey(Key, &Value, 0, REG_DWORD, &One, sizeof(One)), STATUS_SUCCESS);
    KT_CHECK(High.Pre == 1 && High.Post == 1 && High.ContextSeen == 1);
    KT_CHECK(Low.Pre == 1 && Low.Post == 1 && Low.ContextSeen == 1);
    /* internal invocation: the high routine's own open reaches only the low one */
    High.Mode = Low.Mode = ModeInternal;
    High.Pre = Low.Pre = 0;
    KT_EQ(OpenKey(TEST_KEY, &Target), STATUS_SUCCESS);
    ZwClose(Target);
    KT_EQ(High.Pre, 1);
    KT_EQ(Low.Pre, 2);
    /* RootObject and RemainingName of an absolute open */
    High.Mode = Low.Mode = ModeRoot;
    KT_EQ(OpenKey(TEST_KEY, &Target), STATUS_SUCCESS);
    ZwClose(Target);
    UNICODE_STRING Rest = RTL_CONSTANT_STRING(L"Machine\\Software\\NtpsCbContexts");
    KT_CHECK(High.RootObject != NULL && RtlEqualUnicodeString(&High.Remaining, &Rest, TRUE));
    PCUNICODE_STRING RootName = NULL;
    if (High.RootObject != NULL)
        KT_EQ(CmCallbackGetKeyObjectIDEx(&High.Cookie, High.RootObject, NULL, &RootName, 0), STATUS_SUCCESS);
    UNICODE_STRING Registry = RTL_CONSTANT_STRING(L"\\REGISTRY");
    KT_CHECK(RootName != NULL && RtlEqualUnicodeString(RootName, &Registry, TRUE));
    CmCallbackReleaseKeyObjectIDEx(RootName);
    /* a pre routine's bypass, then a post routine's override */
    High.Mode = ModeBypass;
    Low.Mode = ModeRoot;
    ExpectRedirect();
    High.Mode = ModeOverride;
    ExpectRedirect();
    /* the version, no transaction, no per-object context */
    ULONG Major = 0, Minor = 0;
    CmGetCallbackVersion(&Major, &Minor);
    KT_CHECK(Major == 1 && Minor == 1);
    KT_CHECK(CmGetBoundTransaction(&High.Cookie, High.RootObject) == NULL);
    PVOID Old = (PVOID)1;
    KT_EQ(CmSetCallbackObjectContext(High.RootObject, &High.Cookie, &High, &Old), STATUS_NOT_IMPLEMENTED);
    KT_EQ(CmUnRegisterCallback(High.Cookie), STATUS_SUCCESS);
    KT_EQ(CmUnRegisterCallback(Low.Cookie), STATUS_SUCCESS);
    KT_EQ(OpenKey(REDIRECT_KEY, &Target), STATUS_SUCCESS);
    KT_EQ(ZwDeleteKey(Target), STATUS_SUCCESS);
    ZwClose(Target);
    KT_EQ(ZwDeleteKey(Key), STATUS_SUCCESS);
    ZwClose(Key);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    Run(DriverObject);
    KT_DONE();
    return STATUS_SUCCESS;
}
