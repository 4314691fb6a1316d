/*
 * ps_notify_apc_mismatch.c - a process create notify routine that enters a
 * critical region and never leaves it. Called in the creating thread, here
 * a user thread inside NtpsCreateProcess: on its way back to user mode the
 * thread still has normal kernel APCs disabled, which Windows stops with
 * bug check 0x1 APC_INDEX_MISMATCH (P1 the system service, P2 the APC
 * state index 0, P3 the thread's combined APC disable count: 0xffff for
 * one KernelApcDisable left at -1, P4 0 for a system call). The user code
 * after the call never runs.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000001 \(0x[0-9a-f]+, 0x0000000000000000, 0x000000000000ffff, 0x0000000000000000\)
// NTPS-TEST: expect APC_INDEX_MISMATCH
// NTPS-TEST: reject ^back in user mode$
#include <ntps.h>

static UNICODE_STRING Parent = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\explorer.exe");
static UNICODE_STRING Child = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\notepad.exe");

static VOID Unbalanced(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ParentId); UNREFERENCED_PARAMETER(ProcessId);
    if (Create && ExGetPreviousMode() == UserMode)
        KeEnterCriticalRegion();        /* and forgets KeLeaveCriticalRegion */
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
    PsSetCreateProcessNotifyRoutine(Unbalanced, FALSE);
    NTPS_PROCESS_CREATE C = { &Parent, NULL, SubsystemInformationTypeWin32, NULL, CreatesChild, NULL };
    HANDLE Handle;
    if (NT_SUCCESS(NtpsCreateProcess(&C, &Handle, NULL))) {
        ZwWaitForSingleObject(Handle, FALSE, NULL);
        ZwClose(Handle);
    }
    PsSetCreateProcessNotifyRoutine(Unbalanced, TRUE);
    return STATUS_SUCCESS;
}
