/*
 * ke/group.c - processor groups. ntps has one group (group 0) of at most
 * 64 processors, so a processor's index and its number within the group
 * are the same; the group DDIs map onto the plain ones.
 */
#include "ke/ke.h"

NTSTATUS KeGetProcessorNumberFromIndex(ULONG ProcIndex, PPROCESSOR_NUMBER ProcNumber)
{
    if (ProcIndex >= KeNumberProcessors)
        return STATUS_INVALID_PARAMETER;
    ProcNumber->Group = 0;
    ProcNumber->Number = (UCHAR)ProcIndex;
    ProcNumber->Reserved = 0;
    return STATUS_SUCCESS;
}

ULONG KeGetProcessorIndexFromNumber(PPROCESSOR_NUMBER ProcNumber)
{
    if (ProcNumber->Group != 0 || ProcNumber->Number >= KeNumberProcessors)
        return 0xFFFFFFFF;  /* INVALID_PROCESSOR_INDEX */
    return ProcNumber->Number;
}

KAFFINITY KeQueryGroupAffinity(USHORT GroupNumber)
{
    return GroupNumber == 0 ? KeActiveProcessors : 0;
}

VOID KeSetSystemGroupAffinityThread(PGROUP_AFFINITY Affinity, PGROUP_AFFINITY PreviousAffinity)
{
    if (Affinity->Group != 0)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF002, (ULONG_PTR)KiCurrentThread(), Affinity->Group,
                     (ULONG_PTR)__builtin_return_address(0));
    KAFFINITY Previous = KeSetSystemAffinityThreadEx(Affinity->Mask);
    if (PreviousAffinity != NULL) {
        PreviousAffinity->Mask = Previous;
        PreviousAffinity->Group = 0;
        PreviousAffinity->Reserved[0] = PreviousAffinity->Reserved[1] = PreviousAffinity->Reserved[2] = 0;
    }
}

VOID KeRevertToUserGroupAffinityThread(PGROUP_AFFINITY PreviousAffinity)
{
    KeRevertToUserAffinityThreadEx(PreviousAffinity->Mask);
}
