/*
 * ex/lock.c - the executive's short internal lock. Kernel code holds it for
 * a few instructions and never across anything that could switch threads,
 * so it needs no IRQL change; in simulation it is never contended.
 */
#include "ex/ex.h"

#include <sched.h>

VOID ExpAcquireSpinLock(EX_SPIN_LOCK *Lock)
{
    for (ULONG Spins = 0;; Spins++) {
        if (!__atomic_exchange_n(&Lock->Value, 1, __ATOMIC_ACQUIRE))
            return;
        if (KiConfig.Simulation)
            KiInternalError("executive lock %p contended in simulation", (void *)Lock);
        while (__atomic_load_n(&Lock->Value, __ATOMIC_RELAXED)) {
            __builtin_ia32_pause();
            if (++Spins > 4096) {
                sched_yield();
                Spins = 0;
            }
        }
    }
}

VOID ExpReleaseSpinLock(EX_SPIN_LOCK *Lock)
{
    __atomic_store_n(&Lock->Value, 0, __ATOMIC_RELEASE);
}
