/*
 * ex/uuid.c - ExUuidCreate: a new UUID, random (version 4, variant 1),
 * as Windows makes them since Windows 2000. The bits come from a 64-bit
 * mixer (splitmix64) over a counter and the interrupt time: distinct for
 * every call of a run, and in a simulation the same from one run of a
 * seed to the next (virtual time), which a host random source would not be.
 */
#include "ex/ex.h"

static volatile ULONGLONG ExpUuidCounter;

static ULONGLONG ExpMix(ULONGLONG x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

NTSTATUS ExUuidCreate(UUID *Uuid)
{
    if (Uuid == NULL)
        return STATUS_INVALID_PARAMETER;
    ULONGLONG Count = __atomic_add_fetch(&ExpUuidCounter, 2, __ATOMIC_RELAXED);
    ULONGLONG Time = KeQueryInterruptTime();
    ULONGLONG High = ExpMix(Count ^ Time), Low = ExpMix((Count + 1) ^ (Time << 17));
    Uuid->Data1 = (ULONG)High;
    Uuid->Data2 = (USHORT)(High >> 32);
    Uuid->Data3 = (USHORT)(((High >> 48) & 0x0FFF) | 0x4000);    /* version 4 */
    for (int i = 0; i < 8; i++)
        Uuid->Data4[i] = (UCHAR)(Low >> (8 * i));
    Uuid->Data4[0] = (UCHAR)((Uuid->Data4[0] & 0x3F) | 0x80);     /* variant 1 (RFC 4122) */
    return STATUS_SUCCESS;
}
