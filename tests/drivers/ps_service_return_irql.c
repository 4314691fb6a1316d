/*
 * ps_service_return_irql.c - returning to user mode at a raised IRQL is
 * bug check 0x4A IRQL_GT_ZERO_AT_SYSTEM_SERVICE (P1 the service, P2 the
 * IRQL), checked where every system service returns to user mode.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000004A \(0x[0-9a-f]+, 0x0000000000000001,
// NTPS-TEST: expect ^IRQL_GT_ZERO_AT_SYSTEM_SERVICE
#include <ntps.h>
#include "ktest.h"

static NTSTATUS NTAPI RaisingMain(PVOID Parameter)
{
    (void)Parameter;
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);   /* as a leaking kernel routine would leave it */
    NtYieldExecution();
    return 0;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\app.exe");
    NTPS_PROCESS_CREATE C = { &Image, NULL, SubsystemInformationTypeWin32, NULL, RaisingMain, NULL };
    HANDLE Handle;
    KT_EQ(NtpsCreateProcess(&C, &Handle, NULL), STATUS_SUCCESS);
    ZwWaitForSingleObject(Handle, FALSE, NULL);
    return STATUS_SUCCESS;
}
