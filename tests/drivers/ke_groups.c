/* Processor groups: one group, index == number, group affinity. */
// NTPS-TEST: modes rt1 rt2 sim2
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG Count = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    KT_EQ(KeQueryActiveGroupCount(), 1);
    KT_EQ(KeQueryGroupAffinity(0), KeQueryActiveProcessors());
    KT_EQ(KeQueryGroupAffinity(1), 0);
    for (ULONG i = 0; i < Count; i++) {
        PROCESSOR_NUMBER Number;
        KT_EQ(KeGetProcessorNumberFromIndex(i, &Number), STATUS_SUCCESS);
        KT_EQ(Number.Group, 0);
        KT_EQ(Number.Number, i);
        KT_EQ(KeGetProcessorIndexFromNumber(&Number), i);
    }
    PROCESSOR_NUMBER Bad = { 0, (UCHAR)Count, 0 };
    KT_EQ(KeGetProcessorIndexFromNumber(&Bad), INVALID_PROCESSOR_INDEX);
    KT_EQ(KeGetProcessorNumberFromIndex(Count, &Bad), STATUS_INVALID_PARAMETER);

    GROUP_AFFINITY Want = { 0 }, Previous;
    Want.Mask = (KAFFINITY)1 << (Count - 1);
    KeSetSystemGroupAffinityThread(&Want, &Previous);
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), Count - 1);
    KeRevertToUserGroupAffinityThread(&Previous);
    KT_DONE();
    return STATUS_SUCCESS;
}
