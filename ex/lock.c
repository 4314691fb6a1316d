/*
 * ex/lock.c - the executive's short internal lock. Kernel code holds it for
 * a few instructions and never across anything that could switch threads,
 * so it needs no IRQL change; in simulation the processors never contend
 * for it among themselves (one host thread runs them all).
 */
#include "ex/ex.h"

#include <sched.h>

VOID ExpAcquireSpinLock(EXP_SPIN_LOCK *Lock)
{
    /* 1: held by a processor; 2: by another host thread (the timeout
     * watchdog, the status line), which a simulated processor may wait
     * for. A simulated processor finding one of its own holding it (the
     * only host thread running them) would wait for ever: an ntps bug. */
    LONG Mine = KiTlsPrcb != NULL ? 1 : 2;
    for (ULONG Spins = 0;; Spins++) {
        LONG Held = 0;
        if (__atomic_compare_exchange_n(&Lock->Value, &Held, Mine, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
        if (KiConfig.Simulation && Mine == 1 && Held == 1)
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

VOID ExpReleaseSpinLock(EXP_SPIN_LOCK *Lock)
{
    __atomic_store_n(&Lock->Value, 0, __ATOMIC_RELEASE);
}
