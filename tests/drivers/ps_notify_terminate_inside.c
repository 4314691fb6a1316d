/*
 * A thread that ends (PsTerminateSystemThread) inside a notify routine
 * leaves the routine's critical region open: bug check 0x20
 * KERNEL_APC_PENDING_DURING_EXIT, as on Windows, rather than a routine
 * call that never ends (its removal would wait forever). P2 0xfffe: the
 * critical region a system thread starts in, and the routine's.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000020 \(0x0000000000000000, 0x000000000000fffe, 0x0000000000000000, 0x0000000000000001\)
// NTPS-TEST: expect the thread ends inside a notify routine
#include <ntddk.h>

static VOID EndsHere(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId);
    if (Create && ThreadId == PsGetCurrentThreadId())   /* the new thread's own call */
        PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID Nothing(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)EndsHere);
    HANDLE Handle;
    if (NT_SUCCESS(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Nothing, NULL)))
        ZwClose(Handle);
    return STATUS_SUCCESS;
}
