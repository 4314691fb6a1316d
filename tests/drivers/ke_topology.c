/*
 * Processor topology: one group, one NUMA node (node 0) holding every
 * active processor, one package, a core per processor.
 * KeQueryLogicalProcessorRelationship returns STATUS_INFO_LENGTH_MISMATCH
 * with the length it needs when the buffer is missing or short, then the
 * records; for one processor, only the relationships it is part of.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static UCHAR Buffer[64 * 1024];

static ULONG CountRecords(LOGICAL_PROCESSOR_RELATIONSHIP Kind, ULONG Length, KAFFINITY *Masks)
{
    ULONG Count = 0;
    *Masks = 0;
    for (ULONG Offset = 0; Offset < Length;) {
        PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX Info = (PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX)(Buffer + Offset);
        if (Info->Size == 0)
            break;
        if (Info->Relationship == Kind) {
            Count++;
            if (Kind == RelationProcessorCore || Kind == RelationProcessorPackage)
                *Masks |= Info->Processor.GroupMask[0].Mask;
            else if (Kind == RelationNumaNode)
                *Masks |= Info->NumaNode.GroupMask.Mask;
            else if (Kind == RelationGroup)
                *Masks |= Info->Group.GroupInfo[0].ActiveProcessorMask;
        }
        Offset += Info->Size;
    }
    return Count;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG N = KeQueryActiveProcessorCount(NULL);
    KAFFINITY All = KeQueryActiveProcessors(), Masks;

    KT_EQ(KeQueryMaximumGroupCount(), 1);
    KT_EQ(KeQueryHighestNodeNumber(), 0);
    KT_EQ(KeGetCurrentNodeNumber(), 0);
    GROUP_AFFINITY Affinity;
    USHORT Count = 0;
    KeQueryNodeActiveAffinity(0, &Affinity, &Count);
    KT_EQ(Affinity.Mask, All);
    KT_EQ(Affinity.Group, 0);
    KT_EQ(Count, N);
    KeQueryNodeActiveAffinity(1, &Affinity, &Count);    /* no such node */
    KT_EQ(Affinity.Mask, 0);
    KT_EQ(Count, 0);
    KeQueryNodeActiveAffinity(0, NULL, NULL);

    /* every relationship, the two-step way */
    ULONG Length = 0;
    KT_EQ(KeQueryLogicalProcessorRelationship(NULL, RelationAll, NULL, &Length), STATUS_INFO_LENGTH_MISMATCH);
    KT_CHECK(Length > 0 && Length <= sizeof(Buffer));
    ULONG Short = Length - 1;
    KT_EQ(KeQueryLogicalProcessorRelationship(NULL, RelationAll, (PVOID)Buffer, &Short), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(Short, Length);
    ULONG Got = sizeof(Buffer);
    KT_EQ(KeQueryLogicalProcessorRelationship(NULL, RelationAll, (PVOID)Buffer, &Got), STATUS_SUCCESS);
    KT_EQ(Got, Length);
    KT_EQ(CountRecords(RelationProcessorCore, Got, &Masks), N);
    KT_EQ(Masks, All);
    KT_EQ(CountRecords(RelationNumaNode, Got, &Masks), 1);
    KT_EQ(Masks, All);
    KT_EQ(CountRecords(RelationProcessorPackage, Got, &Masks), 1);
    KT_EQ(Masks, All);
    KT_EQ(CountRecords(RelationGroup, Got, &Masks), 1);
    KT_EQ(Masks, All);

    /* one relationship kind, one processor */
    PROCESSOR_NUMBER Last = { 0, (UCHAR)(N - 1), 0 };
    Got = sizeof(Buffer);
    KT_EQ(KeQueryLogicalProcessorRelationship(&Last, RelationProcessorCore, (PVOID)Buffer, &Got), STATUS_SUCCESS);
    KT_EQ(CountRecords(RelationProcessorCore, Got, &Masks), 1);
    KT_EQ(Masks, (KAFFINITY)1 << (N - 1));
    KT_EQ(((PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX)Buffer)->Processor.Flags, 0);   /* no SMT */
    Got = sizeof(Buffer);
    KT_EQ(KeQueryLogicalProcessorRelationship(NULL, RelationGroup, (PVOID)Buffer, &Got), STATUS_SUCCESS);
    PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX Group = (PVOID)Buffer;
    KT_EQ(Group->Group.ActiveGroupCount, 1);
    KT_EQ(Group->Group.GroupInfo[0].ActiveProcessorCount, N);

    PROCESSOR_NUMBER Bad = { 0, (UCHAR)N, 0 };
    Got = sizeof(Buffer);
    KT_EQ(KeQueryLogicalProcessorRelationship(&Bad, RelationAll, (PVOID)Buffer, &Got), STATUS_INVALID_PARAMETER);
    KT_EQ(KeQueryLogicalProcessorRelationship(NULL, (LOGICAL_PROCESSOR_RELATIONSHIP)42, (PVOID)Buffer, &Got),
          STATUS_INVALID_PARAMETER);
    KT_DONE();
    return STATUS_SUCCESS;
}
