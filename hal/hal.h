/*
 * hal/hal.h - the "hardware" ntps runs on: execution contexts (fibers) with
 * their own guard-paged stacks, host threads that act as processors, the
 * clock, and sleeping/waking an idle processor.
 *
 * The HAL knows nothing of threads, processes or the scheduler; Ke builds
 * those on top of HAL_CONTEXT and registers the routines the HAL calls.
 */
#ifndef NTPS_HAL_H
#define NTPS_HAL_H

#include <ntdef.h>

/* ---- sanitizer support ---------------------------------------------------- */
#if defined(__SANITIZE_ADDRESS__)
#define NTPS_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define NTPS_TSAN 1
#endif

/* ---- stacks ---------------------------------------------------------------- */
/* The x64 kernel stack is 24 KiB. Sanitizer builds need more room per frame,
 * so they get larger stacks (documented in hal/README.md). */
#if defined(NTPS_ASAN)
#define HAL_STACK_SCALE 8
#elif defined(NTPS_TSAN)
#define HAL_STACK_SCALE 4
#else
#define HAL_STACK_SCALE 1
#endif
#define HAL_PAGE_SIZE 4096
#define HAL_KERNEL_STACK_SIZE (0x6000 * HAL_STACK_SCALE)
/* A user thread's stack when its creator does not ask for a size. */
#define HAL_USER_STACK_SIZE (0x40000 * HAL_STACK_SCALE)
#define HAL_GUARD_SIZE HAL_PAGE_SIZE

typedef struct _HAL_STACK {
    PVOID Allocation;       /* start of the mapping (the guard page) */
    SIZE_T AllocationSize;
    PVOID Limit;            /* lowest usable address, just above the guard */
    PVOID Base;             /* one past the highest usable address */
} HAL_STACK, *PHAL_STACK;

/* Changes ntps makes to the host process, counted at each call: to its
 * address space (mmap, munmap, mprotect, dlopen, dlclose, a host thread)
 * and to its descriptors (a file it keeps open after the call returns). An
 * explore worker whose run took no page fault and left this count alone
 * asks neither /proc/self/statm nor its descriptors after the run
 * (tools/ntps/explore_reset.c). A new call site must note itself. */
extern volatile LONG HalHostChanges;
static inline VOID HalNoteHostChange(VOID)
{
    __atomic_add_fetch(&HalHostChanges, 1, __ATOMIC_RELAXED);
}

BOOLEAN HalAllocateStack(PHAL_STACK Stack, SIZE_T Size);
VOID HalFreeStack(PHAL_STACK Stack);
VOID HalTrimStackCache(VOID);
BOOLEAN HalIsGuardPageAddress(const HAL_STACK *Stack, PVOID Address);

/* ---- execution contexts ------------------------------------------------------ */
typedef struct _HAL_CONTEXT {
    PVOID StackPointer;     /* saved while switched out */
    PVOID StackBottom;      /* lowest address of the stack it runs on */
    SIZE_T StackSize;
    PVOID SanitizerFiber;   /* TSan fiber handle */
    PVOID FakeStack;        /* ASan fake-stack save slot */
    VOID (*Entry)(PVOID);
    PVOID Argument;
} HAL_CONTEXT, *PHAL_CONTEXT;

/* Prepare Context to start Entry(Argument) on Stack at its first switch-in. */
VOID HalInitializeContext(PHAL_CONTEXT Context, PHAL_STACK Stack, VOID (*Entry)(PVOID), PVOID Argument);
/* Describe the host thread's own stack as a context (for switching back). */
VOID HalInitializeHostContext(PHAL_CONTEXT Context);
VOID HalDeleteContext(PHAL_CONTEXT Context);
/* Save the running context into From and resume To. Returns when someone
 * switches back to From. */
VOID HalSwitchContext(PHAL_CONTEXT From, PHAL_CONTEXT To);
/* Like HalSwitchContext, but From is never resumed (it is being destroyed). */
DECLSPEC_NORETURN VOID HalSwitchContextFinal(PHAL_CONTEXT From, PHAL_CONTEXT To);
/* Run Routine(Argument) on another stack of the same logical context
 * (DPC stacks, expanded kernel stacks); returns when Routine returns. */
VOID HalCallOnStack(PHAL_STACK Stack, PHAL_CONTEXT Current, VOID (*Routine)(PVOID), PVOID Argument);
/* The same; *CallerTop (if given) gets the lowest address of the calling
 * stack still in use while Routine runs (NULL in the portable build, where
 * Routine runs on the calling stack). */
VOID HalCallOnStackEx(PHAL_STACK Stack, PHAL_CONTEXT Current, VOID (*Routine)(PVOID), PVOID Argument,
                      PVOID *CallerTop);

/* ---- time ------------------------------------------------------------------- */
ULONGLONG HalQueryMonotonicTime100ns(VOID);     /* host CLOCK_MONOTONIC */
LONGLONG HalQueryHostSystemTime(VOID);          /* host wall clock as NT system time */
VOID HalStallHost(ULONG MicroSeconds);

/* The clock: a host thread that calls Tick() every Period (100 ns units) and
 * whenever HalClockSetNextEvent's deadline passes. Realtime mode only. */
VOID HalStartClock(ULONGLONG Period100ns, VOID (*Tick)(ULONGLONG Now100ns));
VOID HalClockSetNextEvent(ULONGLONG Deadline100ns);
VOID HalStopClock(VOID);

/* ---- processors -------------------------------------------------------------- */
/* Start Count host threads; thread i runs Entry(i) and the call returns when
 * every Entry has returned (realtime mode). */
VOID HalRunProcessors(ULONG Count, VOID (*Entry)(ULONG Index));
ULONG HalQueryHostProcessorCount(VOID);
/* Futex-style idle: sleep while *Word == Expected; wake one sleeper. */
VOID HalIdleWait(volatile LONG *Word, LONG Expected, ULONGLONG Timeout100ns);
VOID HalIdleWake(volatile LONG *Word);

/* ---- traps ------------------------------------------------------------------- */
/* Per host thread: an alternate signal stack so a stack overflow still gets a
 * report. The handler itself is installed by Ke (ke/trap.c). */
VOID HalInstallAlternateSignalStack(VOID);
VOID HalRemoveAlternateSignalStack(VOID);

#endif /* NTPS_HAL_H */
