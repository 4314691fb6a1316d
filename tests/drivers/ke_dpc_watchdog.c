/*
 * KeQueryDpcWatchdogInformation: STATUS_UNSUCCESSFUL below DISPATCH_LEVEL
 * outside a DPC; at DISPATCH_LEVEL and in a DPC the limits (20 s for one
 * DPC, 120 s for a sequence, in clock ticks) and what remains of them.
 * KeShouldYieldProcessor: FALSE below DISPATCH_LEVEL; TRUE at
 * DISPATCH_LEVEL while a DPC waits for this processor.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KDPC Dpc, Other;
static volatile NTSTATUS DpcStatus = -1;
static KDPC_WATCHDOG_INFORMATION DpcInfo;
static volatile LONG OtherRan;

static VOID QueryDpc(PKDPC Dpc_, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc_); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    KeStallExecutionProcessor(100);
    DpcStatus = KeQueryDpcWatchdogInformation(&DpcInfo);
}

static VOID OtherDpc(PKDPC Dpc_, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc_); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    OtherRan = 1;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KDPC_WATCHDOG_INFORMATION Info;
    ULONG Tick = KeQueryTimeIncrement();
    ULONG Single = (ULONG)(20ULL * 10000000 / Tick), Sequence = (ULONG)(120ULL * 10000000 / Tick);

    KT_EQ(KeQueryDpcWatchdogInformation(&Info), STATUS_UNSUCCESSFUL);
    KT_EQ(KeShouldYieldProcessor(), FALSE);

    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_EQ(KeQueryDpcWatchdogInformation(&Info), STATUS_SUCCESS);
    KeLowerIrql(Old);
    KT_EQ(Info.DpcTimeLimit, Single);
    KT_EQ(Info.DpcWatchdogLimit, Sequence);
    KT_EQ(Info.DpcTimeCount, Single);
    KT_EQ(Info.DpcWatchdogCount, Sequence);

    KeInitializeDpc(&Dpc, QueryDpc, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);     /* runs as the insert returns */
    KT_EQ(DpcStatus, STATUS_SUCCESS);
    KT_EQ(DpcInfo.DpcTimeLimit, Single);
    KT_CHECK(DpcInfo.DpcTimeCount <= Single && DpcInfo.DpcTimeCount + 2 >= Single);
    KT_CHECK(DpcInfo.DpcWatchdogCount <= Sequence && DpcInfo.DpcWatchdogCount + 2 >= Sequence);

    /* a DPC waiting for this processor: yield */
    KeSetSystemAffinityThreadEx(1);
    KeInitializeDpc(&Other, OtherDpc, NULL);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeInsertQueueDpc(&Other, NULL, NULL);
    KT_EQ(KeShouldYieldProcessor(), TRUE);
    KT_EQ(OtherRan, 0);
    KeLowerIrql(Old);
    KT_EQ(OtherRan, 1);
    KT_EQ(KeShouldYieldProcessor(), FALSE);
    KT_DONE();
    return STATUS_SUCCESS;
}
