/*
 * ddk/intrin.h - interlocked operations, barriers and processor hints that
 * drivers use, on GCC atomics. All interlocked operations are full barriers,
 * as documented for the Interlocked* family.
 */
#ifndef _NTPS_DDK_INTRIN_H
#define _NTPS_DDK_INTRIN_H

#define NTPS_SEQ __ATOMIC_SEQ_CST

NTPS_INLINE LONG InterlockedIncrement(LONG volatile *Addend) { return __atomic_add_fetch(Addend, 1, NTPS_SEQ); }
NTPS_INLINE LONG InterlockedDecrement(LONG volatile *Addend) { return __atomic_sub_fetch(Addend, 1, NTPS_SEQ); }
NTPS_INLINE LONG InterlockedExchange(LONG volatile *Target, LONG Value) { return __atomic_exchange_n(Target, Value, NTPS_SEQ); }
NTPS_INLINE LONG InterlockedExchangeAdd(LONG volatile *Addend, LONG Value) { return __atomic_fetch_add(Addend, Value, NTPS_SEQ); }
NTPS_INLINE LONG InterlockedAdd(LONG volatile *Addend, LONG Value) { return __atomic_add_fetch(Addend, Value, NTPS_SEQ); }
NTPS_INLINE LONG InterlockedCompareExchange(LONG volatile *Destination, LONG Exchange, LONG Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, NTPS_SEQ, NTPS_SEQ);
    return Comparand;
}
NTPS_INLINE LONG InterlockedOr(LONG volatile *Destination, LONG Value) { return __atomic_fetch_or(Destination, Value, NTPS_SEQ); }
NTPS_INLINE LONG InterlockedAnd(LONG volatile *Destination, LONG Value) { return __atomic_fetch_and(Destination, Value, NTPS_SEQ); }
NTPS_INLINE LONG InterlockedXor(LONG volatile *Destination, LONG Value) { return __atomic_fetch_xor(Destination, Value, NTPS_SEQ); }

NTPS_INLINE LONG64 InterlockedIncrement64(LONG64 volatile *Addend) { return __atomic_add_fetch(Addend, 1, NTPS_SEQ); }
NTPS_INLINE LONG64 InterlockedDecrement64(LONG64 volatile *Addend) { return __atomic_sub_fetch(Addend, 1, NTPS_SEQ); }
NTPS_INLINE LONG64 InterlockedExchange64(LONG64 volatile *Target, LONG64 Value) { return __atomic_exchange_n(Target, Value, NTPS_SEQ); }
NTPS_INLINE LONG64 InterlockedExchangeAdd64(LONG64 volatile *Addend, LONG64 Value) { return __atomic_fetch_add(Addend, Value, NTPS_SEQ); }
NTPS_INLINE LONG64 InterlockedAdd64(LONG64 volatile *Addend, LONG64 Value) { return __atomic_add_fetch(Addend, Value, NTPS_SEQ); }
NTPS_INLINE LONG64 InterlockedCompareExchange64(LONG64 volatile *Destination, LONG64 Exchange, LONG64 Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, NTPS_SEQ, NTPS_SEQ);
    return Comparand;
}
NTPS_INLINE LONG64 InterlockedOr64(LONG64 volatile *Destination, LONG64 Value) { return __atomic_fetch_or(Destination, Value, NTPS_SEQ); }
NTPS_INLINE LONG64 InterlockedAnd64(LONG64 volatile *Destination, LONG64 Value) { return __atomic_fetch_and(Destination, Value, NTPS_SEQ); }
NTPS_INLINE LONG64 InterlockedXor64(LONG64 volatile *Destination, LONG64 Value) { return __atomic_fetch_xor(Destination, Value, NTPS_SEQ); }

NTPS_INLINE PVOID InterlockedExchangePointer(PVOID volatile *Target, PVOID Value) { return __atomic_exchange_n(Target, Value, NTPS_SEQ); }
NTPS_INLINE PVOID InterlockedCompareExchangePointer(PVOID volatile *Destination, PVOID Exchange, PVOID Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, NTPS_SEQ, NTPS_SEQ);
    return Comparand;
}

NTPS_INLINE SHORT InterlockedIncrement16(SHORT volatile *Addend) { return __atomic_add_fetch(Addend, 1, NTPS_SEQ); }
NTPS_INLINE SHORT InterlockedDecrement16(SHORT volatile *Addend) { return __atomic_sub_fetch(Addend, 1, NTPS_SEQ); }
NTPS_INLINE SHORT InterlockedCompareExchange16(SHORT volatile *Destination, SHORT Exchange, SHORT Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, NTPS_SEQ, NTPS_SEQ);
    return Comparand;
}
NTPS_INLINE CHAR InterlockedExchange8(CHAR volatile *Target, CHAR Value) { return __atomic_exchange_n(Target, Value, NTPS_SEQ); }
NTPS_INLINE BOOLEAN InterlockedBitTestAndSet(LONG volatile *Base, LONG Bit)
{
    return (BOOLEAN)((__atomic_fetch_or(Base, (LONG)(1u << (Bit & 31)), NTPS_SEQ) >> (Bit & 31)) & 1);
}
NTPS_INLINE BOOLEAN InterlockedBitTestAndReset(LONG volatile *Base, LONG Bit)
{
    return (BOOLEAN)((__atomic_fetch_and(Base, (LONG)~(1u << (Bit & 31)), NTPS_SEQ) >> (Bit & 31)) & 1);
}

#define _InterlockedIncrement InterlockedIncrement
#define _InterlockedDecrement InterlockedDecrement
#define _InterlockedExchange InterlockedExchange
#define _InterlockedExchangeAdd InterlockedExchangeAdd
#define _InterlockedCompareExchange InterlockedCompareExchange
#define _InterlockedOr InterlockedOr
#define _InterlockedAnd InterlockedAnd
#define _InterlockedXor InterlockedXor
#define _InterlockedIncrement64 InterlockedIncrement64
#define _InterlockedDecrement64 InterlockedDecrement64
#define _InterlockedExchange64 InterlockedExchange64
#define _InterlockedExchangeAdd64 InterlockedExchangeAdd64
#define _InterlockedCompareExchange64 InterlockedCompareExchange64
#define _InterlockedExchangePointer InterlockedExchangePointer
#define _InterlockedCompareExchangePointer InterlockedCompareExchangePointer
#define InterlockedIncrementAcquire InterlockedIncrement
#define InterlockedIncrementRelease InterlockedIncrement
#define InterlockedDecrementAcquire InterlockedDecrement
#define InterlockedDecrementRelease InterlockedDecrement
#define InterlockedCompareExchangeAcquire InterlockedCompareExchange
#define InterlockedCompareExchangeRelease InterlockedCompareExchange
#define InterlockedExchangeNoFence InterlockedExchange
#define InterlockedIncrementNoFence InterlockedIncrement
#define InterlockedDecrementNoFence InterlockedDecrement
#define InterlockedCompareExchangeNoFence InterlockedCompareExchange
#define InterlockedExchangeAddSizeT(a, b) ((SIZE_T)InterlockedExchangeAdd64((LONG64 volatile *)(a), (LONG64)(b)))
#define InterlockedIncrementSizeT(a) ((SIZE_T)InterlockedIncrement64((LONG64 volatile *)(a)))
#define InterlockedDecrementSizeT(a) ((SIZE_T)InterlockedDecrement64((LONG64 volatile *)(a)))

NTPS_INLINE LONG ReadAcquire(LONG const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_ACQUIRE); }
NTPS_INLINE LONG ReadNoFence(LONG const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_RELAXED); }
NTPS_INLINE VOID WriteRelease(LONG volatile *Destination, LONG Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELEASE); }
NTPS_INLINE VOID WriteNoFence(LONG volatile *Destination, LONG Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELAXED); }
NTPS_INLINE LONG64 ReadAcquire64(LONG64 const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_ACQUIRE); }
NTPS_INLINE VOID WriteRelease64(LONG64 volatile *Destination, LONG64 Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELEASE); }
NTPS_INLINE PVOID ReadPointerAcquire(PVOID const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_ACQUIRE); }
NTPS_INLINE VOID WritePointerRelease(PVOID volatile *Destination, PVOID Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELEASE); }

NTPS_INLINE LONG64 ReadNoFence64(LONG64 const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_RELAXED); }
NTPS_INLINE VOID WriteNoFence64(LONG64 volatile *Destination, LONG64 Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELAXED); }
NTPS_INLINE PVOID ReadPointerNoFence(PVOID const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_RELAXED); }
NTPS_INLINE VOID WritePointerNoFence(PVOID volatile *Destination, PVOID Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELAXED); }
NTPS_INLINE ULONG ReadULongAcquire(ULONG const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_ACQUIRE); }
NTPS_INLINE ULONG ReadULongNoFence(ULONG const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_RELAXED); }
NTPS_INLINE VOID WriteULongRelease(ULONG volatile *Destination, ULONG Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELEASE); }
NTPS_INLINE VOID WriteULongNoFence(ULONG volatile *Destination, ULONG Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELAXED); }

/* Bit scans and bit tests (the _BitScan* and _bittest* intrinsics). */
NTPS_INLINE BOOLEAN _BitScanForward(ULONG *Index, ULONG Mask)
{
    if (Mask == 0)
        return FALSE;
    *Index = (ULONG)__builtin_ctz(Mask);
    return TRUE;
}
NTPS_INLINE BOOLEAN _BitScanReverse(ULONG *Index, ULONG Mask)
{
    if (Mask == 0)
        return FALSE;
    *Index = 31 - (ULONG)__builtin_clz(Mask);
    return TRUE;
}
NTPS_INLINE BOOLEAN _BitScanForward64(ULONG *Index, ULONG64 Mask)
{
    if (Mask == 0)
        return FALSE;
    *Index = (ULONG)__builtin_ctzll(Mask);
    return TRUE;
}
NTPS_INLINE BOOLEAN _BitScanReverse64(ULONG *Index, ULONG64 Mask)
{
    if (Mask == 0)
        return FALSE;
    *Index = 63 - (ULONG)__builtin_clzll(Mask);
    return TRUE;
}
NTPS_INLINE BOOLEAN _bittest(LONG const *Base, LONG Offset) { return (BOOLEAN)((Base[Offset >> 5] >> (Offset & 31)) & 1); }
NTPS_INLINE BOOLEAN _bittest64(LONG64 const *Base, LONG64 Offset) { return (BOOLEAN)((Base[Offset >> 6] >> (Offset & 63)) & 1); }
NTPS_INLINE BOOLEAN _bittestandset(LONG *Base, LONG Offset)
{
    BOOLEAN Old = _bittest(Base, Offset);
    Base[Offset >> 5] |= (LONG)(1u << (Offset & 31));
    return Old;
}
NTPS_INLINE BOOLEAN _bittestandreset(LONG *Base, LONG Offset)
{
    BOOLEAN Old = _bittest(Base, Offset);
    Base[Offset >> 5] &= (LONG)~(1u << (Offset & 31));
    return Old;
}
NTPS_INLINE BOOLEAN _bittestandcomplement(LONG *Base, LONG Offset)
{
    BOOLEAN Old = _bittest(Base, Offset);
    Base[Offset >> 5] ^= (LONG)(1u << (Offset & 31));
    return Old;
}
#define BitScanForward _BitScanForward
#define BitScanReverse _BitScanReverse
#define BitScanForward64 _BitScanForward64
#define BitScanReverse64 _BitScanReverse64
#define BitTest _bittest
#define BitTest64 _bittest64
#define BitTestAndSet _bittestandset
#define BitTestAndReset _bittestandreset
#define BitTestAndComplement _bittestandcomplement
#define _interlockedbittestandset InterlockedBitTestAndSet
#define _interlockedbittestandreset InterlockedBitTestAndReset
#define PopulationCount64(x) ((ULONG64)__builtin_popcountll(x))

/* The time-stamp counter. */
NTPS_INLINE ULONG64 __rdtsc(VOID) { return __builtin_ia32_rdtsc(); }
#define ReadTimeStampCounter() __rdtsc()

#define MemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define KeMemoryBarrier() MemoryBarrier()
#define KeMemoryBarrierWithoutFence() __asm__ volatile("" ::: "memory")
#define _ReadWriteBarrier() __asm__ volatile("" ::: "memory")
#define _ReadBarrier() _ReadWriteBarrier()
#define _WriteBarrier() _ReadWriteBarrier()
#define YieldProcessor() __builtin_ia32_pause()
#define _mm_pause() __builtin_ia32_pause()

#endif /* _NTPS_DDK_INTRIN_H */
