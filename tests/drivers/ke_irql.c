/*
 * IRQL: KeGetCurrentIrql, KeRaiseIrql (old value out), KeLowerIrql,
 * KeRaiseIrqlToDpcLevel; raising to the current level is allowed.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KIRQL A, B, C, D;
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KeRaiseIrql(APC_LEVEL, &A);
    KT_EQ(A, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KeRaiseIrql(APC_LEVEL, &B);                 /* same level: fine */
    KT_EQ(B, APC_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &C);
    KT_EQ(C, APC_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeRaiseIrql(HIGH_LEVEL, &D);
    KT_EQ(D, DISPATCH_LEVEL);
    KT_EQ(KeGetCurrentIrql(), HIGH_LEVEL);
    KeLowerIrql(D);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(C);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(B);
    KeLowerIrql(A);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    KT_EQ(Old, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(Old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_DONE();
    return STATUS_SUCCESS;
}
