/*
 * ZwYieldExecution inside a DPC routine: bug check 0xB8
 * ATTEMPTED_SWITCH_FROM_DPC (P1 the interrupted thread).
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000B8
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KDPC Dpc;

static VOID DpcRoutine(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    ZwYieldExecution();
    DbgPrint("a yield in a DPC returned\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeDpc(&Dpc, DpcRoutine, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    KtSleep(100);
    KT_CHECK(!"no bug check");
    KT_DONE();
    return STATUS_SUCCESS;
}
