/*
 * The WDK's rule that notify routines do not call the registry: a process
 * notify routine that opens the driver's service key (and queries a value
 * with RtlQueryRegistryValues) is reported as CallbackRegistryCall naming
 * the DDI; the call itself still works. DriverEntry reading its
 * parameters the same way is not reported.
 *
 * The notify dispatch pushes its callback frames with the verifier's
 * callback work (branch h-vfcore); until that is merged this test has no
 * modes (the hook itself is tested by tests/unit/test_cm_callback_rule.c).
 * With h-vfcore merged it passes in rt1 rt2 sim1 sim2: set those modes.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --reg Parameters\Level=dword:3
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^VERIFIER CallbackRegistryCall: ZwOpenKey called inside a driver callback
// NTPS-TEST: expect ^VERIFIER CallbackRegistryCall: RtlQueryRegistryValues called inside a driver callback
// NTPS-TEST: expect ^in the process notify routine .*ProcessNotify
// NTPS-TEST: expect ^ntps: verifier: 2 reports
// NTPS-TEST: reject CallbackRegistryCall: ZwQueryValueKey
// NTPS-TEST: reject CallbackRegistryCall.*(DriverEntry|ReadParameters)
#include <ntddk.h>
#include <ntps.h>
#include "ktest.h"

static WCHAR PathBuffer[128];
static UNICODE_STRING ServiceKey;
static volatile LONG Opened, Queried;

static ULONG ReadLevel(VOID)
{
    ULONG Level = 0;
    RTL_QUERY_REGISTRY_TABLE Table[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_SUBKEY, L"Parameters", NULL, 0, NULL, 0 },
        { NULL, RTL_QUERY_REGISTRY_DIRECT, L"Level", &Level, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    return NT_SUCCESS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, ServiceKey.Buffer, Table, NULL, NULL)) ? Level
                                                                                                            : 0;
}

static VOID ProcessNotify(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ParentId);
    UNREFERENCED_PARAMETER(ProcessId);
    if (!Create)
        return;
    HANDLE Key;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &ServiceKey, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    if (NT_SUCCESS(ZwOpenKey(&Key, KEY_READ, &Attributes))) {
        InterlockedIncrement(&Opened);
        ZwClose(Key);
    }
    if (ReadLevel() == 3)
        InterlockedIncrement(&Queried);
}

static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return STATUS_SUCCESS;
}

static VOID ReadParameters(VOID)
{
    HANDLE Key;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &ServiceKey, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenKey(&Key, KEY_READ, &Attributes), STATUS_SUCCESS);
    ULONG Buffer[32], Length;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"Start");
    KT_EQ(ZwQueryValueKey(Key, &Name, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    ZwClose(Key);
    KT_EQ(ReadLevel(), 3);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    RtlInitEmptyUnicodeString(&ServiceKey, PathBuffer, sizeof(PathBuffer) - sizeof(WCHAR));
    RtlCopyUnicodeString(&ServiceKey, RegistryPath);
    ReadParameters();
    KT_EQ(PsSetCreateProcessNotifyRoutine(ProcessNotify, FALSE), STATUS_SUCCESS);
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\notepad.exe");
    NTPS_PROCESS_CREATE Create = { &Image, NULL, SubsystemInformationTypeWin32, NULL, UserMain, NULL };
    HANDLE Process;
    KT_EQ(NtpsCreateProcess(&Create, &Process, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Process);
    KT_EQ(PsSetCreateProcessNotifyRoutine(ProcessNotify, TRUE), STATUS_SUCCESS);
    KT_EQ(Opened, 1);       /* reported, and done */
    KT_EQ(Queried, 1);
    KT_DONE();
    return STATUS_SUCCESS;
}
