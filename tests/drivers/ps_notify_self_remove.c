/*
 * A notify routine that removes itself from inside its own call would wait
 * for itself forever on Windows (the removal waits for the calls in
 * flight). ntps reports it instead of hanging: bug check 0xC4, P1 0x1000
 * (self-deadlock), P2 the routine, with a line saying what happened.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000001000, 0x0000
// NTPS-TEST: expect thread notify routine .* \(ps_notify_self_remove.so!SelfRemover\+0x0\) removes itself while it runs: .* wait for itself forever$
// NTPS-TEST: expect ^VERIFIER CallbackSelfRemoval: the thread notify routine ps_notify_self_remove.so!SelfRemover\+0x0 removes itself while it runs
// NTPS-TEST: reject ^returned$
#include <ntddk.h>

static VOID SelfRemover(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(ThreadId);
    if (Create) {
        PsRemoveCreateThreadNotifyRoutine(SelfRemover);
        DbgPrint("returned\n");
    }
}

static VOID Nothing(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PsSetCreateThreadNotifyRoutine(SelfRemover);
    HANDLE Handle;
    if (NT_SUCCESS(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Nothing, NULL)))
        ZwClose(Handle);
    return STATUS_SUCCESS;
}
