/*
 * hal/stack.c - stacks with a guard page below them, and a cache of
 * standard-size stacks so that thread creation is not a pair of mmap calls.
 */
#include "hal/hal.h"

#include <sys/mman.h>
#include <stdatomic.h>
#include <sched.h>

#if defined(NTPS_ASAN)
#include <sanitizer/asan_interface.h>
#endif

#define HAL_STACK_CACHE_MAX 256

/* One cache per standard size: kernel stacks and default user stacks. */
typedef struct _HALP_STACK_CACHE {
    SIZE_T Size;
    ULONG Count;
    HAL_STACK Stacks[HAL_STACK_CACHE_MAX];
} HALP_STACK_CACHE;

static atomic_flag HalpStackCacheLock = ATOMIC_FLAG_INIT;
static HALP_STACK_CACHE HalpStackCaches[] = { { HAL_KERNEL_STACK_SIZE, 0, {{0}} },
                                              { HAL_USER_STACK_SIZE, 0, {{0}} } };

static void HalpLockCache(void)
{
    while (atomic_flag_test_and_set_explicit(&HalpStackCacheLock, memory_order_acquire))
        sched_yield();
}

static void HalpUnlockCache(void)
{
    atomic_flag_clear_explicit(&HalpStackCacheLock, memory_order_release);
}

static HALP_STACK_CACHE *HalpCacheFor(SIZE_T Size)
{
    for (SIZE_T i = 0; i < sizeof(HalpStackCaches) / sizeof(HalpStackCaches[0]); i++)
        if (HalpStackCaches[i].Size == Size)
            return &HalpStackCaches[i];
    return NULL;
}

volatile LONG HalHostChanges;

static BOOLEAN HalpMapStack(PHAL_STACK Stack, SIZE_T Size)
{
    HalNoteHostChange();
    SIZE_T Total = Size + HAL_GUARD_SIZE;
    PVOID Map = mmap(NULL, Total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (Map == MAP_FAILED)
        return FALSE;
    if (mprotect(Map, HAL_GUARD_SIZE, PROT_NONE) != 0) {
        munmap(Map, Total);
        return FALSE;
    }
    Stack->Allocation = Map;
    Stack->AllocationSize = Total;
    Stack->Limit = (PCHAR)Map + HAL_GUARD_SIZE;
    Stack->Base = (PCHAR)Map + Total;
#if defined(NTPS_ASAN)
    /* The range may have held a stack that was unmapped with frames still
     * poisoned (a thread that never returned): the shadow outlives munmap. */
    __asan_unpoison_memory_region(Stack->Limit, Size);
#endif
    return TRUE;
}

BOOLEAN HalAllocateStack(PHAL_STACK Stack, SIZE_T Size)
{
    Size = (Size + HAL_PAGE_SIZE - 1) & ~(SIZE_T)(HAL_PAGE_SIZE - 1);
    HALP_STACK_CACHE *Cache = HalpCacheFor(Size);
    if (Cache != NULL) {
        HalpLockCache();
        if (Cache->Count > 0) {
            *Stack = Cache->Stacks[--Cache->Count];
            HalpUnlockCache();
#if defined(NTPS_ASAN)
            /* A reused stack still carries the old frames' poisoning. */
            __asan_unpoison_memory_region(Stack->Limit, (PCHAR)Stack->Base - (PCHAR)Stack->Limit);
#endif
            return TRUE;
        }
        HalpUnlockCache();
    }
    return HalpMapStack(Stack, Size);
}

VOID HalFreeStack(PHAL_STACK Stack)
{
    if (Stack->Allocation == NULL)
        return;
    HALP_STACK_CACHE *Cache = HalpCacheFor((SIZE_T)((PCHAR)Stack->Base - (PCHAR)Stack->Limit));
    if (Cache != NULL) {
        HalpLockCache();
        if (Cache->Count < HAL_STACK_CACHE_MAX) {
            Cache->Stacks[Cache->Count++] = *Stack;
            HalpUnlockCache();
            Stack->Allocation = NULL;
            return;
        }
        HalpUnlockCache();
    }
    HalNoteHostChange();
    munmap(Stack->Allocation, Stack->AllocationSize);
    Stack->Allocation = NULL;
}

VOID HalTrimStackCache(VOID)
{
    HalNoteHostChange();
    HalpLockCache();
    for (SIZE_T i = 0; i < sizeof(HalpStackCaches) / sizeof(HalpStackCaches[0]); i++) {
        HALP_STACK_CACHE *Cache = &HalpStackCaches[i];
        while (Cache->Count > 0) {
            PHAL_STACK Stack = &Cache->Stacks[--Cache->Count];
            munmap(Stack->Allocation, Stack->AllocationSize);
        }
    }
    HalpUnlockCache();
}

BOOLEAN HalIsGuardPageAddress(const HAL_STACK *Stack, PVOID Address)
{
    /* Anything in the guard page, or just below it, is an overflow. */
    ULONG_PTR A = (ULONG_PTR)Address, Lo = (ULONG_PTR)Stack->Allocation;
    return Stack->Allocation != NULL && A + HAL_PAGE_SIZE >= Lo && A < (ULONG_PTR)Stack->Limit;
}
