/*
 * Bitmaps (RTL_BITMAP): set/clear/test single bits and ranges, whole-map
 * fills, counts that ignore the bits past SizeOfBitMap, searches for runs
 * from a hint that go on from bit 0 (a run never wraps), find-and-set /
 * find-and-clear, the first and the longest clear run, and range tests
 * that are FALSE for empty or out-of-range ranges.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG Buffer[4];
    RTL_BITMAP Map;
    ULONG Start = 12345;

    RtlInitializeBitMap(&Map, Buffer, 100);     /* 100 bits in 4 ULONGs */
    KT_EQ(Map.SizeOfBitMap, 100);
    KT_EQ(Map.Buffer, Buffer);
    RtlSetAllBits(&Map);
    KT_EQ(Buffer[3], 0xFFFFFFFFu);              /* whole ULONGs */
    KT_EQ(RtlNumberOfSetBits(&Map), 100);       /* ... but only 100 bits count */
    KT_EQ(RtlNumberOfClearBits(&Map), 0);
    KT_EQ(RtlFindFirstRunClear(&Map, &Start), 0);
    KT_EQ(RtlFindLongestRunClear(&Map, &Start), 0);
    KT_EQ(RtlFindClearBits(&Map, 1, 0), 0xFFFFFFFF);
    RtlClearAllBits(&Map);
    KT_EQ(Buffer[0] | Buffer[1] | Buffer[2] | Buffer[3], 0);
    KT_EQ(RtlNumberOfClearBits(&Map), 100);

    /* single bits */
    RtlSetBit(&Map, 0);
    RtlSetBit(&Map, 33);
    RtlSetBit(&Map, 99);
    KT_EQ(Buffer[0], 1);
    KT_EQ(Buffer[1], 2);
    KT_EQ(Buffer[3], 1u << 3);
    KT_EQ(RtlTestBit(&Map, 33), TRUE);
    KT_EQ(RtlTestBit(&Map, 34), FALSE);
    KT_EQ(RtlTestBit(&Map, 100), FALSE);        /* past the end */
    RtlClearBit(&Map, 33);
    KT_EQ(RtlTestBit(&Map, 33), FALSE);
    KT_EQ(RtlNumberOfSetBits(&Map), 2);

    /* ranges, across ULONG boundaries */
    RtlClearAllBits(&Map);
    RtlSetBits(&Map, 30, 40);                   /* bits 30..69 */
    KT_EQ(RtlNumberOfSetBits(&Map), 40);
    KT_EQ(RtlAreBitsSet(&Map, 30, 40), TRUE);
    KT_EQ(RtlAreBitsSet(&Map, 29, 2), FALSE);
    KT_EQ(RtlAreBitsSet(&Map, 30, 0), FALSE);   /* empty range */
    KT_EQ(RtlAreBitsClear(&Map, 0, 30), TRUE);
    KT_EQ(RtlAreBitsClear(&Map, 70, 30), TRUE);
    KT_EQ(RtlAreBitsClear(&Map, 70, 31), FALSE);    /* past the end */
    RtlClearBits(&Map, 40, 10);                 /* 30..39 and 50..69 set */
    KT_EQ(RtlNumberOfSetBits(&Map), 30);
    KT_EQ(RtlAreBitsClear(&Map, 40, 10), TRUE);

    /* runs: clear runs are 0..29 (30), 40..49 (10), 70..99 (30) */
    KT_EQ(RtlFindFirstRunClear(&Map, &Start), 30);
    KT_EQ(Start, 0);
    KT_EQ(RtlFindLongestRunClear(&Map, &Start), 30);
    KT_EQ(Start, 0);                            /* the first of two equal runs */
    KT_EQ(RtlFindClearBits(&Map, 10, 35), 40);
    KT_EQ(RtlFindClearBits(&Map, 11, 35), 70);
    KT_EQ(RtlFindClearBits(&Map, 30, 75), 0);   /* from the hint to the end, then from 0 */
    KT_EQ(RtlFindClearBits(&Map, 31, 0), 0xFFFFFFFF);
    KT_EQ(RtlFindClearBits(&Map, 5, 500), 0);   /* a hint past the end means 0 */
    KT_EQ(RtlFindSetBits(&Map, 20, 0), 50);
    KT_EQ(RtlFindSetBits(&Map, 10, 60), 60);    /* 60..69 fits from the hint */
    KT_EQ(RtlFindSetBits(&Map, 11, 60), 50);    /* it does not: from 0, 50..69 */
    KT_EQ(RtlFindSetBits(&Map, 21, 0), 0xFFFFFFFF);

    /* find and set / clear */
    KT_EQ(RtlFindClearBitsAndSet(&Map, 10, 40), 40);
    KT_EQ(RtlAreBitsSet(&Map, 30, 40), TRUE);
    KT_EQ(RtlFindClearBitsAndSet(&Map, 31, 0), 0xFFFFFFFF);
    KT_EQ(RtlNumberOfSetBits(&Map), 40);
    KT_EQ(RtlFindSetBitsAndClear(&Map, 40, 0), 30);
    KT_EQ(RtlNumberOfSetBits(&Map), 0);
    KT_EQ(RtlFindFirstRunClear(&Map, &Start), 100);
    KT_EQ(Start, 0);

    /* a tiny map: 5 bits in a ULONG whose other bits are noise */
    ULONG Small = 0xFFFFFFE0u;
    RtlInitializeBitMap(&Map, &Small, 5);
    KT_EQ(RtlNumberOfSetBits(&Map), 0);
    KT_EQ(RtlFindLongestRunClear(&Map, &Start), 5);
    KT_EQ(RtlFindClearBits(&Map, 6, 0), 0xFFFFFFFF);
    RtlSetBits(&Map, 3, 10);                    /* stops at the end */
    KT_EQ(Small, 0xFFFFFFF8u);
    KT_DONE();
    return STATUS_SUCCESS;
}
