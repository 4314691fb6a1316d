/*
 * Registering a notify routine above PASSIVE_LEVEL breaks DDI rule
 * IrqlPsPassive: bug check 0xC4, P1 0x2001C, P2 the IRQL, P3 PASSIVE_LEVEL.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x000000000002001c, 0x0000000000000002, 0x0000000000000000,
// NTPS-TEST: reject ^registered$
#include <ntddk.h>

static VOID ThreadRoutine(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(ThreadId); UNREFERENCED_PARAMETER(Create);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL OldIrql;
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    PsSetCreateThreadNotifyRoutine(ThreadRoutine);
    KeLowerIrql(OldIrql);
    DbgPrint("registered\n");
    return STATUS_SUCCESS;
}
