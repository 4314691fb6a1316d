/*
 * The scenario action set_value (tests/scenarios/set_value.yaml) as a
 * registry monitor sees it: a CmRegisterCallbackEx routine prints each
 * post-set-value notification under \REGISTRY\MACHINE\SOFTWARE\NTPSTEST
 * (the key's name from CmCallbackGetKeyObjectIDEx, the value's name, type
 * and size, from the pre-information) and checks it comes from a user
 * process in user mode, as a program's RegSetValueEx would.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --scenario @SCENARIOS@/set_value.yaml
// NTPS-TEST: expect ^set: \\REGISTRY\\MACHINE\\SOFTWARE\\NtpsTest\\Greeting type 1 size 12 "hello"$
// NTPS-TEST: expect ^set: \\REGISTRY\\MACHINE\\SOFTWARE\\NtpsTest\\Level type 4 size 4 0x2a$
// NTPS-TEST: expect ^set: \\REGISTRY\\MACHINE\\SOFTWARE\\NtpsTest\\Big type 11 size 8$
// NTPS-TEST: expect ^set: \\REGISTRY\\MACHINE\\SOFTWARE\\NtpsTest\\List type 7 size 12$
// NTPS-TEST: expect ^set: \\REGISTRY\\MACHINE\\SOFTWARE\\NtpsTest\\Blob type 3 size 3$
// NTPS-TEST: expect ^set: \\REGISTRY\\MACHINE\\SOFTWARE\\NtpsTest\\(\(null\))? type 1 size 16 "default"$
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect expectations: 0 of 0 passed$
#include <ntddk.h>
#include <ntstrsafe.h>
#include "ktest.h"

static LARGE_INTEGER Cookie;
static volatile LONG Seen, FromUser;

static BOOLEAN UnderTestKey(PCUNICODE_STRING Name)
{
    static const WCHAR Prefix[] = L"\\REGISTRY\\MACHINE\\SOFTWARE\\NTPSTEST";
    USHORT n = (USHORT)(sizeof(Prefix) - sizeof(WCHAR));
    UNICODE_STRING Head = { n, n, Name->Buffer };
    UNICODE_STRING Want = { n, n, (PWCH)Prefix };
    return Name->Length >= n && RtlEqualUnicodeString(&Head, &Want, TRUE);
}

static NTSTATUS RegistryCallback(PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Context);
    if ((REG_NOTIFY_CLASS)(ULONG_PTR)Argument1 != RegNtPostSetValueKey)
        return STATUS_SUCCESS;
    PREG_POST_OPERATION_INFORMATION Post = Argument2;
    PCUNICODE_STRING Name;
    if (!NT_SUCCESS(Post->Status) ||
        !NT_SUCCESS(CmCallbackGetKeyObjectIDEx(&Cookie, Post->Object, NULL, &Name, 0)))
        return STATUS_SUCCESS;
    if (UnderTestKey(Name)) {
        PREG_SET_VALUE_KEY_INFORMATION Pre = Post->PreInformation;
        char Text[40] = "";
        if (Pre->Type == REG_SZ)
            RtlStringCbPrintfA(Text, sizeof(Text), " \"%ws\"", (PCWSTR)Pre->Data);
        else if (Pre->Type == REG_DWORD)
            RtlStringCbPrintfA(Text, sizeof(Text), " 0x%x", *(PULONG)Pre->Data);
        DbgPrint("set: %wZ\\%wZ type %lu size %lu%s\n", Name, Pre->ValueName, Pre->Type, Pre->DataSize, Text);
        InterlockedIncrement(&Seen);
        if (ExGetPreviousMode() == UserMode && PsGetCurrentProcessId() != (HANDLE)4)
            InterlockedIncrement(&FromUser);
    }
    CmCallbackReleaseKeyObjectIDEx(Name);
    return STATUS_SUCCESS;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    CmUnRegisterCallback(Cookie);
    KT_CHECK(Seen == 6);
    KT_CHECK(FromUser == 6);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Altitude = RTL_CONSTANT_STRING(L"380000");
    DriverObject->DriverUnload = Unload;
    return CmRegisterCallbackEx(RegistryCallback, &Altitude, DriverObject, NULL, &Cookie, NULL);
}
