/*
 * A blocking wait inside a DPC routine: bug check 0xB8
 * ATTEMPTED_SWITCH_FROM_DPC. (A zero-timeout poll there is allowed.)
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000B8
// NTPS-TEST: expect ^ATTEMPTED_SWITCH_FROM_DPC
// NTPS-TEST: expect ^polled in the DPC: 0x102$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KDPC Dpc;
static KEVENT E, Never;

static VOID DpcRoutine(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    DbgPrint("polled in the DPC: 0x%x\n", (unsigned)KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Zero));
    KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, NULL);
    DbgPrint("a blocking wait in a DPC returned\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&E, NotificationEvent, FALSE);
    KeInitializeEvent(&Never, NotificationEvent, FALSE);
    KeInitializeDpc(&Dpc, DpcRoutine, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    LARGE_INTEGER T = { .QuadPart = KT_MS(2000) };
    KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, &T);
    KT_CHECK(!"no bug check");
    KT_DONE();
    return STATUS_SUCCESS;
}
