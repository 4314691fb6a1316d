/*
 * ps_notify_apc_level_user.c - a process create notify routine that raises
 * to APC_LEVEL and returns there, called in a user thread inside
 * NtpsCreateProcess. Windows would stop at the way back to user mode with
 * 0x4A IRQL_GT_ZERO_AT_SYSTEM_SERVICE (P2 the IRQL); with Driver Verifier
 * it stops when the routine returns. ntps does the latter: bug check 0xC4
 * rule IrqlReturn (0x2001D), P2 the IRQL (1), P3 the IRQL it was called at
 * (0), P4 the routine, as soon as the routine returns, before the next
 * routine is called at the wrong IRQL.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x000000000002001d, 0x0000000000000001, 0x0000000000000000,
// NTPS-TEST: expect notify routine .* \(ps_notify_apc_level_user.so!RaisesToApc\+0x0\) returned at IRQL 1
// NTPS-TEST: reject ^second routine$
// NTPS-TEST: reject ^back in user mode$
#include <ntps.h>

static UNICODE_STRING Parent = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\explorer.exe");
static UNICODE_STRING Child = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\notepad.exe");

static VOID RaisesToApc(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ParentId); UNREFERENCED_PARAMETER(ProcessId);
    KIRQL OldIrql;
    if (Create && ExGetPreviousMode() == UserMode)
        KeRaiseIrql(APC_LEVEL, &OldIrql);       /* and forgets KeLowerIrql */
}

static VOID Second(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ParentId); UNREFERENCED_PARAMETER(ProcessId);
    if (Create && ExGetPreviousMode() == UserMode)
        DbgPrint("second routine\n");
}

static NTSTATUS NTAPI Nothing(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return 0;
}

static NTSTATUS NTAPI CreatesChild(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    NTPS_PROCESS_CREATE C = { &Child, NULL, SubsystemInformationTypeWin32, NULL, Nothing, NULL };
    HANDLE Handle;
    NtpsCreateProcess(&C, &Handle, NULL);
    DbgPrint("back in user mode\n");
    return 0;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PsSetCreateProcessNotifyRoutine(RaisesToApc, FALSE);
    PsSetCreateProcessNotifyRoutine(Second, FALSE);
    NTPS_PROCESS_CREATE C = { &Parent, NULL, SubsystemInformationTypeWin32, NULL, CreatesChild, NULL };
    HANDLE Handle;
    if (NT_SUCCESS(NtpsCreateProcess(&C, &Handle, NULL))) {
        ZwWaitForSingleObject(Handle, FALSE, NULL);
        ZwClose(Handle);
    }
    PsSetCreateProcessNotifyRoutine(RaisesToApc, TRUE);
    PsSetCreateProcessNotifyRoutine(Second, TRUE);
    return STATUS_SUCCESS;
}
