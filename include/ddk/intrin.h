/*
 * ddk/intrin.h - interlocked operations, barriers and processor hints that
 * drivers use, on GCC atomics. All interlocked operations are full barriers,
 * as documented for the Interlocked* family.
 */
#ifndef _NTPS_DDK_INTRIN_H
#define _NTPS_DDK_INTRIN_H

#define NTPS_SEQ __ATOMIC_SEQ_CST

FORCEINLINE LONG InterlockedIncrement(LONG volatile *Addend) { return __atomic_add_fetch(Addend, 1, NTPS_SEQ); }
FORCEINLINE LONG InterlockedDecrement(LONG volatile *Addend) { return __atomic_sub_fetch(Addend, 1, NTPS_SEQ); }
FORCEINLINE LONG InterlockedExchange(LONG volatile *Target, LONG Value) { return __atomic_exchange_n(Target, Value, NTPS_SEQ); }
FORCEINLINE LONG InterlockedExchangeAdd(LONG volatile *Addend, LONG Value) { return __atomic_fetch_add(Addend, Value, NTPS_SEQ); }
FORCEINLINE LONG InterlockedAdd(LONG volatile *Addend, LONG Value) { return __atomic_add_fetch(Addend, Value, NTPS_SEQ); }
FORCEINLINE LONG InterlockedCompareExchange(LONG volatile *Destination, LONG Exchange, LONG Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, NTPS_SEQ, NTPS_SEQ);
    return Comparand;
}
FORCEINLINE LONG InterlockedOr(LONG volatile *Destination, LONG Value) { return __atomic_fetch_or(Destination, Value, NTPS_SEQ); }
FORCEINLINE LONG InterlockedAnd(LONG volatile *Destination, LONG Value) { return __atomic_fetch_and(Destination, Value, NTPS_SEQ); }
FORCEINLINE LONG InterlockedXor(LONG volatile *Destination, LONG Value) { return __atomic_fetch_xor(Destination, Value, NTPS_SEQ); }

FORCEINLINE LONG64 InterlockedIncrement64(LONG64 volatile *Addend) { return __atomic_add_fetch(Addend, 1, NTPS_SEQ); }
FORCEINLINE LONG64 InterlockedDecrement64(LONG64 volatile *Addend) { return __atomic_sub_fetch(Addend, 1, NTPS_SEQ); }
FORCEINLINE LONG64 InterlockedExchange64(LONG64 volatile *Target, LONG64 Value) { return __atomic_exchange_n(Target, Value, NTPS_SEQ); }
FORCEINLINE LONG64 InterlockedExchangeAdd64(LONG64 volatile *Addend, LONG64 Value) { return __atomic_fetch_add(Addend, Value, NTPS_SEQ); }
FORCEINLINE LONG64 InterlockedAdd64(LONG64 volatile *Addend, LONG64 Value) { return __atomic_add_fetch(Addend, Value, NTPS_SEQ); }
FORCEINLINE LONG64 InterlockedCompareExchange64(LONG64 volatile *Destination, LONG64 Exchange, LONG64 Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, NTPS_SEQ, NTPS_SEQ);
    return Comparand;
}
FORCEINLINE LONG64 InterlockedOr64(LONG64 volatile *Destination, LONG64 Value) { return __atomic_fetch_or(Destination, Value, NTPS_SEQ); }
FORCEINLINE LONG64 InterlockedAnd64(LONG64 volatile *Destination, LONG64 Value) { return __atomic_fetch_and(Destination, Value, NTPS_SEQ); }
FORCEINLINE LONG64 InterlockedXor64(LONG64 volatile *Destination, LONG64 Value) { return __atomic_fetch_xor(Destination, Value, NTPS_SEQ); }

FORCEINLINE PVOID InterlockedExchangePointer(PVOID volatile *Target, PVOID Value) { return __atomic_exchange_n(Target, Value, NTPS_SEQ); }
FORCEINLINE PVOID InterlockedCompareExchangePointer(PVOID volatile *Destination, PVOID Exchange, PVOID Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, NTPS_SEQ, NTPS_SEQ);
    return Comparand;
}

FORCEINLINE SHORT InterlockedIncrement16(SHORT volatile *Addend) { return __atomic_add_fetch(Addend, 1, NTPS_SEQ); }
FORCEINLINE SHORT InterlockedDecrement16(SHORT volatile *Addend) { return __atomic_sub_fetch(Addend, 1, NTPS_SEQ); }
FORCEINLINE SHORT InterlockedCompareExchange16(SHORT volatile *Destination, SHORT Exchange, SHORT Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, NTPS_SEQ, NTPS_SEQ);
    return Comparand;
}
FORCEINLINE CHAR InterlockedExchange8(CHAR volatile *Target, CHAR Value) { return __atomic_exchange_n(Target, Value, NTPS_SEQ); }
FORCEINLINE BOOLEAN InterlockedBitTestAndSet(LONG volatile *Base, LONG Bit)
{
    return (BOOLEAN)((__atomic_fetch_or(Base, (LONG)(1u << (Bit & 31)), NTPS_SEQ) >> (Bit & 31)) & 1);
}
FORCEINLINE BOOLEAN InterlockedBitTestAndReset(LONG volatile *Base, LONG Bit)
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

FORCEINLINE LONG ReadAcquire(LONG const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_ACQUIRE); }
FORCEINLINE LONG ReadNoFence(LONG const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_RELAXED); }
FORCEINLINE VOID WriteRelease(LONG volatile *Destination, LONG Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELEASE); }
FORCEINLINE VOID WriteNoFence(LONG volatile *Destination, LONG Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELAXED); }
FORCEINLINE LONG64 ReadAcquire64(LONG64 const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_ACQUIRE); }
FORCEINLINE VOID WriteRelease64(LONG64 volatile *Destination, LONG64 Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELEASE); }
FORCEINLINE PVOID ReadPointerAcquire(PVOID const volatile *Source) { return __atomic_load_n(Source, __ATOMIC_ACQUIRE); }
FORCEINLINE VOID WritePointerRelease(PVOID volatile *Destination, PVOID Value) { __atomic_store_n(Destination, Value, __ATOMIC_RELEASE); }

#define MemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define KeMemoryBarrier() MemoryBarrier()
#define KeMemoryBarrierWithoutFence() __asm__ volatile("" ::: "memory")
#define _ReadWriteBarrier() __asm__ volatile("" ::: "memory")
#define _ReadBarrier() _ReadWriteBarrier()
#define _WriteBarrier() _ReadWriteBarrier()
#define YieldProcessor() __builtin_ia32_pause()
#define _mm_pause() __builtin_ia32_pause()

#endif /* _NTPS_DDK_INTRIN_H */
