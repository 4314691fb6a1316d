/*
 * rtl/bitmap.c - bitmaps (RTL_BITMAP): a caller's array of ULONGs holding
 * SizeOfBitMap bits, bit N being bit N % 32 of ULONG N / 32.
 *
 * Conventions, following the WDK reference pages:
 *  - Searches for a run (RtlFind*Bits) start at HintIndex and, finding
 *    nothing before the end, continue from bit 0; a run never wraps around
 *    the end. They return the run's first bit, or 0xFFFFFFFF. A hint
 *    beyond the bitmap means bit 0. Asking for zero bits (undocumented)
 *    finds the hint itself (bit 0 when the hint is out of range).
 *  - RtlAreBitsSet/RtlAreBitsClear are FALSE for an empty range or one
 *    that does not lie within the bitmap.
 *  - Ranges written past the end (RtlSetBits, RtlClearBits, ...) stop at
 *    the end: the bits of the last ULONG beyond SizeOfBitMap are never
 *    counted, searched or changed, except by RtlSetAllBits/RtlClearAllBits,
 *    which fill whole ULONGs as documented for the buffer.
 *  - Nothing here takes a lock: callers synchronize, as on Windows.
 */
#include "rtl/rtl.h"

#include <string.h>

#define RTLP_NOT_FOUND 0xFFFFFFFFu

static inline ULONG RtlpGetBit(PRTL_BITMAP BitMap, ULONG Index)
{
    return (BitMap->Buffer[Index >> 5] >> (Index & 31)) & 1;
}

/* Set (Value 1) or clear bits [Start, Start + Count), clipped to the bitmap. */
static VOID RtlpFillBits(PRTL_BITMAP BitMap, ULONG Start, ULONG Count, ULONG Value)
{
    ULONG Size = BitMap->SizeOfBitMap;
    if (Start >= Size)
        return;
    if (Count > Size - Start)
        Count = Size - Start;
    while (Count != 0) {
        ULONG Bit = Start & 31, Span = 32 - Bit;
        if (Span > Count)
            Span = Count;
        ULONG Mask = (Span == 32 ? 0xFFFFFFFFu : ((1u << Span) - 1)) << Bit;
        if (Value)
            BitMap->Buffer[Start >> 5] |= Mask;
        else
            BitMap->Buffer[Start >> 5] &= ~Mask;
        Start += Span;
        Count -= Span;
    }
}

/* Length of the run of Value bits starting at Start, counting no further
 * than Limit bits. */
static ULONG RtlpRunLength(PRTL_BITMAP BitMap, ULONG Start, ULONG Value, ULONG Limit)
{
    ULONG Length = 0, Size = BitMap->SizeOfBitMap;
    while (Length < Limit && Start + Length < Size) {
        ULONG Index = Start + Length;
        ULONG Word = BitMap->Buffer[Index >> 5];
        if (!Value)
            Word = ~Word;
        Word >>= Index & 31;       /* the run continues while these are 1 */
        ULONG Avail = 32 - (Index & 31);
        ULONG Ones = Word == 0xFFFFFFFFu >> (Index & 31) ? Avail : (ULONG)__builtin_ctz(~Word);
        if (Ones > Avail)
            Ones = Avail;
        Length += Ones;
        if (Ones < Avail)
            break;
    }
    if (Start + Length > Size)
        Length = Size - Start;
    return Length < Limit ? Length : Limit;
}

/* First run of Count Value bits starting in [From, To); RTLP_NOT_FOUND if none. */
static ULONG RtlpFindRunIn(PRTL_BITMAP BitMap, ULONG Value, ULONG Count, ULONG From, ULONG To)
{
    ULONG Size = BitMap->SizeOfBitMap;
    for (ULONG Start = From; Start < To && Count <= Size - Start;) {
        if (RtlpGetBit(BitMap, Start) != Value) {
            Start++;
            continue;
        }
        ULONG Length = RtlpRunLength(BitMap, Start, Value, Count);
        if (Length >= Count)
            return Start;
        Start += Length + 1;    /* the bit after the run differs */
    }
    return RTLP_NOT_FOUND;
}

static ULONG RtlpFindRun(PRTL_BITMAP BitMap, ULONG Value, ULONG Count, ULONG HintIndex)
{
    ULONG Size = BitMap->SizeOfBitMap;
    if (HintIndex >= Size)
        HintIndex = 0;
    if (Count == 0)
        return HintIndex;
    if (Count > Size)
        return RTLP_NOT_FOUND;
    ULONG Found = RtlpFindRunIn(BitMap, Value, Count, HintIndex, Size);
    if (Found == RTLP_NOT_FOUND && HintIndex != 0)
        Found = RtlpFindRunIn(BitMap, Value, Count, 0, HintIndex);
    return Found;
}

static ULONG RtlpCountSetBits(PRTL_BITMAP BitMap)
{
    ULONG Size = BitMap->SizeOfBitMap, Count = 0;
    for (ULONG i = 0; i < Size / 32; i++)
        Count += (ULONG)__builtin_popcount(BitMap->Buffer[i]);
    if (Size & 31)
        Count += (ULONG)__builtin_popcount(BitMap->Buffer[Size / 32] & ((1u << (Size & 31)) - 1));
    return Count;
}

static BOOLEAN RtlpRangeIs(PRTL_BITMAP BitMap, ULONG StartingIndex, ULONG Length, ULONG Value)
{
    ULONG Size = BitMap->SizeOfBitMap;
    if (Length == 0 || StartingIndex >= Size || Length > Size - StartingIndex)
        return FALSE;
    return RtlpRunLength(BitMap, StartingIndex, Value, Length) == Length;
}

/* ---- DDIs --------------------------------------------------------------------------- */

NTKERNELAPI VOID RtlInitializeBitMap(PRTL_BITMAP BitMapHeader, PULONG BitMapBuffer, ULONG SizeOfBitMap)
{
    BitMapHeader->SizeOfBitMap = SizeOfBitMap;
    BitMapHeader->Buffer = BitMapBuffer;
}

NTKERNELAPI VOID RtlClearAllBits(PRTL_BITMAP BitMapHeader)
{
    memset(BitMapHeader->Buffer, 0, ((SIZE_T)BitMapHeader->SizeOfBitMap + 31) / 32 * sizeof(ULONG));
}

NTKERNELAPI VOID RtlSetAllBits(PRTL_BITMAP BitMapHeader)
{
    memset(BitMapHeader->Buffer, 0xFF, ((SIZE_T)BitMapHeader->SizeOfBitMap + 31) / 32 * sizeof(ULONG));
}

NTKERNELAPI VOID RtlSetBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToSet)
{
    RtlpFillBits(BitMapHeader, StartingIndex, NumberToSet, 1);
}

NTKERNELAPI VOID RtlClearBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToClear)
{
    RtlpFillBits(BitMapHeader, StartingIndex, NumberToClear, 0);
}

NTKERNELAPI VOID RtlSetBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber)
{
    RtlpFillBits(BitMapHeader, BitNumber, 1, 1);
}

NTKERNELAPI VOID RtlClearBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber)
{
    RtlpFillBits(BitMapHeader, BitNumber, 1, 0);
}

NTKERNELAPI BOOLEAN RtlTestBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber)
{
    return BitNumber < BitMapHeader->SizeOfBitMap && RtlpGetBit(BitMapHeader, BitNumber);
}

NTKERNELAPI BOOLEAN RtlAreBitsSet(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length)
{
    return RtlpRangeIs(BitMapHeader, StartingIndex, Length, 1);
}

NTKERNELAPI BOOLEAN RtlAreBitsClear(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length)
{
    return RtlpRangeIs(BitMapHeader, StartingIndex, Length, 0);
}

NTKERNELAPI ULONG RtlNumberOfSetBits(PRTL_BITMAP BitMapHeader)
{
    return RtlpCountSetBits(BitMapHeader);
}

NTKERNELAPI ULONG RtlNumberOfClearBits(PRTL_BITMAP BitMapHeader)
{
    return BitMapHeader->SizeOfBitMap - RtlpCountSetBits(BitMapHeader);
}

NTKERNELAPI ULONG RtlFindClearBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
    return RtlpFindRun(BitMapHeader, 0, NumberToFind, HintIndex);
}

NTKERNELAPI ULONG RtlFindSetBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
    return RtlpFindRun(BitMapHeader, 1, NumberToFind, HintIndex);
}

NTKERNELAPI ULONG RtlFindClearBitsAndSet(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
    ULONG Index = RtlpFindRun(BitMapHeader, 0, NumberToFind, HintIndex);
    if (Index != RTLP_NOT_FOUND)
        RtlpFillBits(BitMapHeader, Index, NumberToFind, 1);
    return Index;
}

NTKERNELAPI ULONG RtlFindSetBitsAndClear(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
    ULONG Index = RtlpFindRun(BitMapHeader, 1, NumberToFind, HintIndex);
    if (Index != RTLP_NOT_FOUND)
        RtlpFillBits(BitMapHeader, Index, NumberToFind, 0);
    return Index;
}

/* The first run of clear bits: its length (0 when every bit is set). */
NTKERNELAPI ULONG RtlFindFirstRunClear(PRTL_BITMAP BitMapHeader, PULONG StartingIndex)
{
    ULONG Size = BitMapHeader->SizeOfBitMap;
    for (ULONG i = 0; i < Size; i++) {
        if (RtlpGetBit(BitMapHeader, i) == 0) {
            *StartingIndex = i;
            return RtlpRunLength(BitMapHeader, i, 0, Size);
        }
    }
    return 0;
}

/* The longest run of clear bits (the first of equal ones): its length, 0
 * when every bit is set. */
NTKERNELAPI ULONG RtlFindLongestRunClear(PRTL_BITMAP BitMapHeader, PULONG StartingIndex)
{
    ULONG Size = BitMapHeader->SizeOfBitMap, Longest = 0;
    for (ULONG i = 0; i < Size;) {
        if (RtlpGetBit(BitMapHeader, i) != 0) {
            i++;
            continue;
        }
        ULONG Length = RtlpRunLength(BitMapHeader, i, 0, Size);
        if (Length > Longest) {
            Longest = Length;
            *StartingIndex = i;
        }
        i += Length;
    }
    return Longest;
}
