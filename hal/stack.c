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

static atomic_flag HalpStackCacheLock = ATOMIC_FLAG_INIT;
static HAL_STACK HalpStackCache[HAL_STACK_CACHE_MAX];
static ULONG HalpStackCacheCount;

static void HalpLockCache(void)
{
    while (atomic_flag_test_and_set_explicit(&HalpStackCacheLock, memory_order_acquire))
        sched_yield();
}

static void HalpUnlockCache(void)
{
    atomic_flag_clear_explicit(&HalpStackCacheLock, memory_order_release);
}

static BOOLEAN HalpMapStack(PHAL_STACK Stack, SIZE_T Size)
{
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
    return TRUE;
}

BOOLEAN HalAllocateStack(PHAL_STACK Stack, SIZE_T Size)
{
    Size = (Size + HAL_PAGE_SIZE - 1) & ~(SIZE_T)(HAL_PAGE_SIZE - 1);
    if (Size == HAL_KERNEL_STACK_SIZE) {
        HalpLockCache();
        if (HalpStackCacheCount > 0) {
            *Stack = HalpStackCache[--HalpStackCacheCount];
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
    if ((SIZE_T)((PCHAR)Stack->Base - (PCHAR)Stack->Limit) == HAL_KERNEL_STACK_SIZE) {
        HalpLockCache();
        if (HalpStackCacheCount < HAL_STACK_CACHE_MAX) {
            HalpStackCache[HalpStackCacheCount++] = *Stack;
            HalpUnlockCache();
            Stack->Allocation = NULL;
            return;
        }
        HalpUnlockCache();
    }
    munmap(Stack->Allocation, Stack->AllocationSize);
    Stack->Allocation = NULL;
}

VOID HalTrimStackCache(VOID)
{
    HalpLockCache();
    while (HalpStackCacheCount > 0) {
        PHAL_STACK Stack = &HalpStackCache[--HalpStackCacheCount];
        munmap(Stack->Allocation, Stack->AllocationSize);
    }
    HalpUnlockCache();
}

BOOLEAN HalIsGuardPageAddress(const HAL_STACK *Stack, PVOID Address)
{
    /* Anything in the guard page, or just below it, is an overflow. */
    ULONG_PTR A = (ULONG_PTR)Address, Lo = (ULONG_PTR)Stack->Allocation;
    return Stack->Allocation != NULL && A + HAL_PAGE_SIZE >= Lo && A < (ULONG_PTR)Stack->Limit;
}
