/*
 * KeSetSystemAffinityThreadEx moves the calling thread to a processor of
 * the given set before it returns (KeGetCurrentProcessorNumberEx), returns
 * the previous system affinity (0 when there was none), and
 * KeRevertToUserAffinityThreadEx restores it; at DISPATCH_LEVEL the move
 * waits until IRQL drops. Two processors.
 */
// NTPS-TEST: modes rt2 sim2
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PROCESSOR_NUMBER Number;
    KT_EQ(KeQueryActiveProcessorCount(NULL), 2);

    for (int Round = 0; Round < 20; Round++) {
        KT_EQ(KeSetSystemAffinityThreadEx(2), 0);
        KT_EQ(KeGetCurrentProcessorNumberEx(&Number), 1);
        KT_EQ(Number.Number, 1);
        KT_EQ(Number.Group, 0);
        KtSleep(1);
        KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 1);    /* stays there across waits */
        KT_EQ(KeSetSystemAffinityThreadEx(1), 2);
        KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 0);
        for (int i = 0; i < 1000; i++)
            KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 0);
        KeRevertToUserAffinityThreadEx(2);
        KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 1);
        KeRevertToUserAffinityThreadEx(0);                  /* back to the user affinity */
        KT_EQ(KeSetSystemAffinityThreadEx(3), 0);
        KeRevertToUserAffinityThreadEx(0);
    }

    /* a mask naming no processor, or one that does not exist: no effect */
    KT_EQ(KeSetSystemAffinityThreadEx(2), 0);
    KT_EQ(KeSetSystemAffinityThreadEx(0), 2);
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 1);
    KT_EQ(KeSetSystemAffinityThreadEx(4), 2);
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 1);
    KT_EQ(KeSetSystemAffinityThreadEx(1), 2);           /* still the affinity it had */
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 0);
    KeRevertToUserAffinityThreadEx(0);

    /* at DISPATCH_LEVEL the thread stays until IRQL drops */
    KeSetSystemAffinityThreadEx(1);
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 0);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeSetSystemAffinityThreadEx(2);
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 0);
    KeLowerIrql(Old);
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 1);
    KeRevertToUserAffinityThreadEx(0);
    KT_DONE();
    return STATUS_SUCCESS;
}
