/*
 * KeSaveFloatingPointState / KeRestoreFloatingPointState and the extended
 * state pair: on x64 a save always succeeds, at PASSIVE_LEVEL and at
 * DISPATCH_LEVEL (in a DPC too), nested pairs work, and the restore puts
 * back the floating-point control state the save found (MXCSR here).
 * RtlGetEnabledExtendedFeatures always reports the legacy x87/SSE state.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static volatile LONG DpcStatus = -1, DpcDone;

static VOID FloatDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    KFLOATING_SAVE Save;
    NTSTATUS Status = KeSaveFloatingPointState(&Save);
    volatile double X = 1.5;
    X = X * 3.0;
    if (NT_SUCCESS(Status))
        Status = KeRestoreFloatingPointState(&Save);
    DpcStatus = X == 4.5 ? Status : -2;
    DpcDone = 1;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KFLOATING_SAVE Outer, Inner;
    unsigned int Original = __builtin_ia32_stmxcsr();

    KT_EQ(KeSaveFloatingPointState(&Outer), STATUS_SUCCESS);
    __builtin_ia32_ldmxcsr((Original & ~0x6000u) | 0x6000u);   /* round toward zero */
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);      /* nested, at a higher IRQL */
    KT_EQ(KeSaveFloatingPointState(&Inner), STATUS_SUCCESS);
    __builtin_ia32_ldmxcsr((Original & ~0x6000u) | 0x2000u);   /* round down */
    KT_EQ(KeRestoreFloatingPointState(&Inner), STATUS_SUCCESS);
    KT_EQ(__builtin_ia32_stmxcsr() & 0x6000u, 0x6000u);         /* the inner save's */
    KeLowerIrql(Old);
    KT_EQ(KeRestoreFloatingPointState(&Outer), STATUS_SUCCESS);
    KT_EQ(__builtin_ia32_stmxcsr(), Original);

    XSTATE_SAVE XSave;
    ULONG64 Mask = RtlGetEnabledExtendedFeatures(XSTATE_MASK_LEGACY | XSTATE_MASK_AVX);
    KT_EQ(Mask & XSTATE_MASK_LEGACY, XSTATE_MASK_LEGACY);
    KT_EQ(RtlGetEnabledExtendedFeatures(0), 0);
    KT_EQ(KeSaveExtendedProcessorState(Mask, &XSave), STATUS_SUCCESS);
    __builtin_ia32_ldmxcsr(Original | 0x8000u);                 /* flush to zero */
    KeRestoreExtendedProcessorState(&XSave);
    KT_EQ(__builtin_ia32_stmxcsr(), Original);

    KDPC Dpc;
    KeInitializeDpc(&Dpc, FloatDpc, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);     /* runs as the insert returns, at PASSIVE */
    KeFlushQueuedDpcs();
    KT_EQ(DpcDone, 1);
    KT_EQ(DpcStatus, STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
