/*
 * A notify routine must return at the IRQL it was called at (PASSIVE_LEVEL);
 * one that returns at DISPATCH_LEVEL is reported at once (bug check 0xC4,
 * rule IrqlReturn 0x2001D, P2 the IRQL, P4 the routine) instead of the
 * routines after it being called at the wrong IRQL.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x000000000002001d, 0x0000000000000002, 0x0000000000000000,
// NTPS-TEST: expect notify routine .* \(ps_notify_irql_return.so!Raises\+0x0\) returned at IRQL 2
// NTPS-TEST: reject ^second routine$
#include <ntddk.h>

static VOID Raises(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(ThreadId);
    KIRQL OldIrql;
    if (Create)
        KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);      /* and forgets KeLowerIrql */
}

static VOID Second(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(ThreadId); UNREFERENCED_PARAMETER(Create);
    DbgPrint("second routine\n");
}

static VOID Nothing(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PsSetCreateThreadNotifyRoutine(Raises);
    PsSetCreateThreadNotifyRoutine(Second);
    HANDLE Handle;
    if (NT_SUCCESS(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Nothing, NULL)))
        ZwClose(Handle);
    return STATUS_SUCCESS;
}
