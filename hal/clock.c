/*
 * hal/clock.c - host time sources and the realtime clock "interrupt": a host
 * thread that calls Ke's tick routine every clock interval and at the next
 * programmed event (the earliest timer), whichever comes first.
 */
#include "hal/hal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/* 100 ns units between 1601-01-01 and 1970-01-01. */
#define HALP_EPOCH_DIFFERENCE 116444736000000000ULL

ULONGLONG HalQueryMonotonicTime100ns(VOID)
{
    struct timespec Ts;
    clock_gettime(CLOCK_MONOTONIC, &Ts);
    return (ULONGLONG)Ts.tv_sec * 10000000ULL + (ULONGLONG)Ts.tv_nsec / 100;
}

LONGLONG HalQueryHostSystemTime(VOID)
{
    struct timespec Ts;
    clock_gettime(CLOCK_REALTIME, &Ts);
    return (LONGLONG)((ULONGLONG)Ts.tv_sec * 10000000ULL + (ULONGLONG)Ts.tv_nsec / 100 + HALP_EPOCH_DIFFERENCE);
}

VOID HalStallHost(ULONG MicroSeconds)
{
    ULONGLONG End = HalQueryMonotonicTime100ns() + (ULONGLONG)MicroSeconds * 10;
    while (HalQueryMonotonicTime100ns() < End)
        __builtin_ia32_pause();
}

/* ---- the clock thread ----------------------------------------------------- */

static pthread_t HalpClockThread;
static atomic_int HalpClockRunning;
static atomic_ullong HalpNextEvent = ~0ULL;
static volatile LONG HalpClockWord;     /* futex: bumped to re-plan the sleep */
static ULONGLONG HalpClockPeriod;
static VOID (*HalpClockTick)(ULONGLONG);

static void HalpFutexWaitUntil(volatile LONG *Word, LONG Expected, ULONGLONG Deadline)
{
    struct timespec Ts = { (time_t)(Deadline / 10000000ULL), (long)(Deadline % 10000000ULL) * 100 };
    syscall(SYS_futex, Word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, Expected, &Ts, NULL,
            FUTEX_BITSET_MATCH_ANY);
}

static void *HalpClockMain(void *Unused)
{
    (void)Unused;
    ULONGLONG NextTick = HalQueryMonotonicTime100ns() + HalpClockPeriod;
    while (atomic_load(&HalpClockRunning)) {
        LONG Seen = __atomic_load_n(&HalpClockWord, __ATOMIC_ACQUIRE);
        ULONGLONG Event = atomic_load(&HalpNextEvent);
        ULONGLONG Deadline = Event < NextTick ? Event : NextTick;
        ULONGLONG Now = HalQueryMonotonicTime100ns();
        if (Now < Deadline) {
            HalpFutexWaitUntil(&HalpClockWord, Seen, Deadline);
            continue;   /* re-plan: woken early, or the deadline passed */
        }
        if (Now >= NextTick) {
            NextTick += HalpClockPeriod;
            if (NextTick <= Now)
                NextTick = Now + HalpClockPeriod;   /* we were descheduled */
        }
        if (Event <= Now)
            atomic_compare_exchange_strong(&HalpNextEvent, &Event, ~0ULL);
        HalpClockTick(Now);
    }
    return NULL;
}

VOID HalStartClock(ULONGLONG Period100ns, VOID (*Tick)(ULONGLONG Now100ns))
{
    HalpClockPeriod = Period100ns ? Period100ns : 156250;
    HalpClockTick = Tick;
    atomic_store(&HalpClockRunning, 1);
    pthread_create(&HalpClockThread, NULL, HalpClockMain, NULL);
}

VOID HalClockSetNextEvent(ULONGLONG Deadline100ns)
{
    ULONGLONG Current = atomic_load(&HalpNextEvent);
    while (Deadline100ns < Current) {
        if (atomic_compare_exchange_weak(&HalpNextEvent, &Current, Deadline100ns)) {
            __atomic_add_fetch(&HalpClockWord, 1, __ATOMIC_RELEASE);
            syscall(SYS_futex, &HalpClockWord, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
            break;
        }
    }
}

VOID HalStopClock(VOID)
{
    if (!atomic_exchange(&HalpClockRunning, 0))
        return;
    __atomic_add_fetch(&HalpClockWord, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &HalpClockWord, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
    pthread_join(HalpClockThread, NULL);
}
