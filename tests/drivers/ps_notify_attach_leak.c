/*
 * ps_notify_attach_leak.c - a process create notify routine that attaches
 * to the new process (KeStackAttachProcess, as drivers do to read its
 * PEB) and never detaches, called in a user thread inside
 * NtpsCreateProcess: on its way back to user mode the thread is still in
 * the attached APC environment, which Windows stops with bug check 0x1
 * APC_INDEX_MISMATCH, P2 the APC state index (1), P3 0 (no APC disable
 * count left over), P4 0 (a system call). The user code after the call
 * never runs.
 */
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000001 \(0x[0-9a-f]+, 0x0000000000000001, 0x0000000000000000, 0x0000000000000000\)
// NTPS-TEST: expect APC_INDEX_MISMATCH
// NTPS-TEST: reject ^back in user mode$
#include <ntps.h>
static UNICODE_STRING Parent = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\explorer.exe");
static UNICODE_STRING Child = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\notepad.exe");
static KAPC_STATE State;
static VOID Attaches(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    UNREFERENCED_PARAMETER(ProcessId);
    if (CreateInfo != NULL && ExGetPreviousMode() == UserMode) {
        /* Referenced, as a driver that attaches must: the new process may
         * end (and would be deleted) while this thread stays attached. */
        ObReferenceObject(Process);
        KeStackAttachProcess(Process, &State);     /* never detaches */
    }
}
static NTSTATUS NTAPI Nothing(PVOID Parameter) { UNREFERENCED_PARAMETER(Parameter); return 0; }
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
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    PsSetCreateProcessNotifyRoutineEx(Attaches, FALSE);
    NTPS_PROCESS_CREATE C = { &Parent, NULL, SubsystemInformationTypeWin32, NULL, CreatesChild, NULL };
    HANDLE Handle;
    if (NT_SUCCESS(NtpsCreateProcess(&C, &Handle, NULL))) { ZwWaitForSingleObject(Handle, FALSE, NULL); ZwClose(Handle); }
    PsSetCreateProcessNotifyRoutineEx(Attaches, TRUE);
    return STATUS_SUCCESS;
}
