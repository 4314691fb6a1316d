/*
 * rtl/random.c - RtlRandom and RtlRandomEx: pseudo-random numbers in
 * [0, MAXLONG - 1] from a caller's seed, which each call advances; the same
 * seed gives the same sequence (so a simulation replays them).
 *
 * Both are Lehmer generators modulo the prime 2^31 - 1 (MAXLONG): the seed
 * becomes seed * A mod MAXLONG, a value in [1, MAXLONG - 1], and the result
 * is that value less 1. RtlRandom uses A = 16807, RtlRandomEx the better
 * A = 48271. A seed outside [1, MAXLONG - 1] is first folded into it.
 */
#include "rtl/rtl.h"

static ULONG RtlpLehmer(PULONG Seed, ULONGLONG Multiplier)
{
    ULONGLONG State = *Seed % MAXLONG;
    if (State == 0)
        State = 1;
    State = State * Multiplier % MAXLONG;
    *Seed = (ULONG)State;
    return (ULONG)State - 1;
}

NTKERNELAPI ULONG RtlRandom(PULONG Seed)
{
    return RtlpLehmer(Seed, 16807);
}

NTKERNELAPI ULONG RtlRandomEx(PULONG Seed)
{
    return RtlpLehmer(Seed, 48271);
}
