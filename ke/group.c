/*
 * ke/group.c - processor groups. ntps has one group (group 0) of at most
 * 64 processors, so a processor's index and its number within the group
 * are the same; the group DDIs map onto the plain ones. Its topology: one
 * NUMA node, one package, a core per processor.
 */
#include "ke/ke.h"

#include <string.h>

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

/* ---- topology ----------------------------------------------------------------------
 * One group, one NUMA node (node 0) and one package hold every processor;
 * each processor is a core of its own (no simultaneous multithreading).
 * ntps models no caches: RelationCache reports none. */

USHORT KeQueryMaximumGroupCount(VOID)
{
    return 1;
}

USHORT KeGetCurrentNodeNumber(VOID)
{
    return 0;
}

USHORT KeQueryHighestNodeNumber(VOID)
{
    return 0;
}

/* A node that does not exist has no processors: an empty mask, count 0. */
VOID KeQueryNodeActiveAffinity(USHORT NodeNumber, PGROUP_AFFINITY Affinity, PUSHORT Count)
{
    KAFFINITY Mask = NodeNumber == 0 ? KeActiveProcessors : 0;
    if (Affinity != NULL) {
        Affinity->Mask = Mask;
        Affinity->Group = 0;
        Affinity->Reserved[0] = Affinity->Reserved[1] = Affinity->Reserved[2] = 0;
    }
    if (Count != NULL)
        *Count = (USHORT)__builtin_popcountl(Mask);
}

static VOID KiFillGroupAffinity(PGROUP_AFFINITY Affinity, KAFFINITY Mask)
{
    Affinity->Mask = Mask;
    Affinity->Group = 0;
    Affinity->Reserved[0] = Affinity->Reserved[1] = Affinity->Reserved[2] = 0;
}

/* Writes the record for one relationship (when it fits) and returns its size. */
static ULONG KiRelationRecord(LOGICAL_PROCESSOR_RELATIONSHIP Relation, ULONG Processor,
                              PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX Record, BOOLEAN Write)
{
    ULONG Size = sizeof(SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX);
    if (!Write)
        return Size;
    memset(Record, 0, Size);
    Record->Relationship = Relation;
    Record->Size = Size;
    switch (Relation) {
    case RelationProcessorCore:
        Record->Processor.GroupCount = 1;
        KiFillGroupAffinity(&Record->Processor.GroupMask[0], (KAFFINITY)1 << Processor);
        break;
    case RelationProcessorPackage:
        Record->Processor.GroupCount = 1;
        KiFillGroupAffinity(&Record->Processor.GroupMask[0], KeActiveProcessors);
        break;
    case RelationNumaNode:
        Record->NumaNode.NodeNumber = 0;
        Record->NumaNode.GroupCount = 1;
        KiFillGroupAffinity(&Record->NumaNode.GroupMask, KeActiveProcessors);
        break;
    default:    /* RelationGroup */
        Record->Group.MaximumGroupCount = 1;
        Record->Group.ActiveGroupCount = 1;
        Record->Group.GroupInfo[0].MaximumProcessorCount = (UCHAR)KeNumberProcessors;
        Record->Group.GroupInfo[0].ActiveProcessorCount = (UCHAR)KeNumberProcessors;
        Record->Group.GroupInfo[0].ActiveProcessorMask = KeActiveProcessors;
        break;
    }
    return Size;
}

/* Documented: with *Length too small (or Information NULL) the routine
 * returns STATUS_INFO_LENGTH_MISMATCH and the length it needs; on success
 * *Length is the length written. */
NTSTATUS KeQueryLogicalProcessorRelationship(PPROCESSOR_NUMBER ProcessorNumber,
                                             LOGICAL_PROCESSOR_RELATIONSHIP RelationshipType,
                                             PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX Information, PULONG Length)
{
    static const LOGICAL_PROCESSOR_RELATIONSHIP Kinds[] = { RelationProcessorCore, RelationNumaNode, RelationCache,
                                                            RelationProcessorPackage, RelationGroup };
    if (Length == NULL)
        return STATUS_INVALID_PARAMETER;
    ULONG First = 0, Last = KeNumberProcessors;     /* the processors asked about */
    if (ProcessorNumber != NULL) {
        ULONG Index = KeGetProcessorIndexFromNumber(ProcessorNumber);
        if (Index == INVALID_PROCESSOR_INDEX)
            return STATUS_INVALID_PARAMETER;
        First = Index;
        Last = Index + 1;
    }
    BOOLEAN Known = RelationshipType == RelationAll || RelationshipType == RelationNumaNodeEx;
    for (SIZE_T k = 0; k < RTL_NUMBER_OF(Kinds); k++)
        Known |= Kinds[k] == RelationshipType;
    if (!Known)
        return STATUS_INVALID_PARAMETER;

    for (int Pass = 0; Pass < 2; Pass++) {
        BOOLEAN Write = Pass == 1;
        ULONG Used = 0;
        for (SIZE_T k = 0; k < RTL_NUMBER_OF(Kinds); k++) {
            LOGICAL_PROCESSOR_RELATIONSHIP Kind = Kinds[k];
            BOOLEAN Wanted = RelationshipType == RelationAll || RelationshipType == Kind ||
                             (RelationshipType == RelationNumaNodeEx && Kind == RelationNumaNode);
            if (!Wanted || Kind == RelationCache)
                continue;
            ULONG Records = Kind == RelationProcessorCore ? Last - First : 1;
            for (ULONG r = 0; r < Records; r++)
                Used += KiRelationRecord(Kind, First + r,
                                         Write ? (PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX)((PUCHAR)Information + Used)
                                               : NULL, Write);
        }
        if (!Write && (*Length < Used || (Information == NULL && Used != 0))) {
            *Length = Used;
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        if (Write)
            *Length = Used;
    }
    return STATUS_SUCCESS;
}
