/*
 * hal/context.c - execution contexts (fibers) and their sanitizer
 * annotations. The switch itself is hal/context_x64.S, or ucontext where
 * NTPS_UCONTEXT asks for the portable fallback.
 */
#include "hal/hal.h"

#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#if defined(NTPS_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(NTPS_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

#if !defined(__x86_64__) || defined(NTPS_UCONTEXT)
#define HAL_PORTABLE_CONTEXT 1
#include <ucontext.h>
#endif

#ifndef HAL_PORTABLE_CONTEXT
void HalpSwapStacks(PVOID *SaveSp, PVOID NewSp);
void HalpContextTrampoline(void);
void HalpCallOnStack(PVOID StackTop, VOID (*Routine)(PVOID), PVOID Argument, PVOID *CallerTop);
#endif

/* ---- sanitizer hooks ---------------------------------------------------- */

static inline void HalpBeforeSwitch(PHAL_CONTEXT From, PHAL_CONTEXT To, BOOLEAN Final)
{
#if defined(NTPS_ASAN)
    __sanitizer_start_switch_fiber(Final ? NULL : &From->FakeStack, To->StackBottom, To->StackSize);
#else
    (void)From; (void)Final;
#endif
#if defined(NTPS_TSAN)
    __tsan_switch_to_fiber(To->SanitizerFiber, 0);
#else
    (void)To;
#endif
}

static inline void HalpAfterSwitch(PHAL_CONTEXT Resumed)
{
#if defined(NTPS_ASAN)
    __sanitizer_finish_switch_fiber(Resumed ? Resumed->FakeStack : NULL, NULL, NULL);
#else
    (void)Resumed;
#endif
}

/* ---- contexts ------------------------------------------------------------ */

#ifdef HAL_PORTABLE_CONTEXT
typedef struct _HALP_UCONTEXT { ucontext_t Uc; } HALP_UCONTEXT;

static void HalpPortableEntry(unsigned int Lo, unsigned int Hi)
{
    PHAL_CONTEXT Context = (PHAL_CONTEXT)(((ULONG_PTR)Hi << 32) | Lo);
    HalpAfterSwitch(NULL);
    Context->Entry(Context->Argument);
    abort();
}
#else
static void HalpStartContext(PVOID Argument)
{
    PHAL_CONTEXT Context = Argument;
    HalpAfterSwitch(NULL);
    Context->Entry(Context->Argument);
    abort();    /* an entry routine never returns: it switches away for good */
}
#endif

VOID HalInitializeContext(PHAL_CONTEXT Context, PHAL_STACK Stack, VOID (*Entry)(PVOID), PVOID Argument)
{
    memset(Context, 0, sizeof(*Context));
    Context->StackBottom = Stack->Limit;
    Context->StackSize = (PCHAR)Stack->Base - (PCHAR)Stack->Limit;
    Context->Entry = Entry;
    Context->Argument = Argument;
#if defined(NTPS_TSAN)
    Context->SanitizerFiber = __tsan_create_fiber(0);
#endif
#ifdef HAL_PORTABLE_CONTEXT
    HALP_UCONTEXT *U = calloc(1, sizeof(*U));
    if (U == NULL)
        abort();
    getcontext(&U->Uc);
    U->Uc.uc_stack.ss_sp = Stack->Limit;
    U->Uc.uc_stack.ss_size = Context->StackSize;
    U->Uc.uc_link = NULL;
    makecontext(&U->Uc, (void (*)(void))HalpPortableEntry, 2,
                (unsigned int)(ULONG_PTR)Context, (unsigned int)((ULONG_PTR)Context >> 32));
    Context->StackPointer = U;
#else
    /* Build the frame HalpSwapStacks pops: control words, r15..rbp, then the
     * trampoline as return address, over a zeroed fake frame. */
    ULONG_PTR *Sp = (ULONG_PTR *)((ULONG_PTR)Stack->Base & ~(ULONG_PTR)15);
    *--Sp = 0;                                  /* end of frame chain */
    *--Sp = 0;
    *--Sp = (ULONG_PTR)HalpContextTrampoline;
    *--Sp = 0;                                  /* rbp */
    *--Sp = 0;                                  /* rbx */
    *--Sp = (ULONG_PTR)HalpStartContext;        /* r12: entry */
    *--Sp = (ULONG_PTR)Context;                 /* r13: argument */
    *--Sp = 0;                                  /* r14 */
    *--Sp = 0;                                  /* r15 */
    *--Sp = 0x037F00001F80ULL;                  /* fpcw 0x37f : mxcsr 0x1f80 */
    Context->StackPointer = Sp;
#endif
}

VOID HalInitializeHostContext(PHAL_CONTEXT Context)
{
    memset(Context, 0, sizeof(*Context));
    pthread_attr_t Attr;
    if (pthread_getattr_np(pthread_self(), &Attr) == 0) {
        void *Addr;
        size_t Size;
        pthread_attr_getstack(&Attr, &Addr, &Size);
        Context->StackBottom = Addr;
        Context->StackSize = Size;
        pthread_attr_destroy(&Attr);
    }
#if defined(NTPS_TSAN)
    Context->SanitizerFiber = __tsan_get_current_fiber();
#endif
#ifdef HAL_PORTABLE_CONTEXT
    Context->StackPointer = calloc(1, sizeof(HALP_UCONTEXT));
    if (Context->StackPointer == NULL)
        abort();
#endif
}

VOID HalDeleteContext(PHAL_CONTEXT Context)
{
#if defined(NTPS_TSAN)
    if (Context->SanitizerFiber != NULL && Context->SanitizerFiber != __tsan_get_current_fiber())
        __tsan_destroy_fiber(Context->SanitizerFiber);
#endif
#ifdef HAL_PORTABLE_CONTEXT
    free(Context->StackPointer);
#endif
    memset(Context, 0, sizeof(*Context));
}

VOID HalSwitchContext(PHAL_CONTEXT From, PHAL_CONTEXT To)
{
    HalpBeforeSwitch(From, To, FALSE);
#ifdef HAL_PORTABLE_CONTEXT
    swapcontext(&((HALP_UCONTEXT *)From->StackPointer)->Uc, &((HALP_UCONTEXT *)To->StackPointer)->Uc);
#else
    HalpSwapStacks(&From->StackPointer, To->StackPointer);
#endif
    HalpAfterSwitch(From);
}

VOID HalSwitchContextFinal(PHAL_CONTEXT From, PHAL_CONTEXT To)
{
    HalpBeforeSwitch(From, To, TRUE);
#ifdef HAL_PORTABLE_CONTEXT
    setcontext(&((HALP_UCONTEXT *)To->StackPointer)->Uc);
#else
    PVOID Discard;
    HalpSwapStacks(&Discard, To->StackPointer);
#endif
    abort();
}

VOID HalCallOnStack(PHAL_STACK Stack, PHAL_CONTEXT Current, VOID (*Routine)(PVOID), PVOID Argument)
{
    HalCallOnStackEx(Stack, Current, Routine, Argument, NULL);
}

VOID HalCallOnStackEx(PHAL_STACK Stack, PHAL_CONTEXT Current, VOID (*Routine)(PVOID), PVOID Argument,
                      PVOID *CallerTop)
{
    /* To the sanitizers this is a switch to another stack and back. */
    PVOID SavedBottom = Current->StackBottom;
    SIZE_T SavedSize = Current->StackSize;
#if defined(NTPS_ASAN)
    PVOID FakeStack = NULL;
    __sanitizer_start_switch_fiber(&FakeStack, Stack->Limit, (PCHAR)Stack->Base - (PCHAR)Stack->Limit);
    __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
    Current->StackBottom = Stack->Limit;
    Current->StackSize = (PCHAR)Stack->Base - (PCHAR)Stack->Limit;
#ifdef HAL_PORTABLE_CONTEXT
    (void)Stack;
    if (CallerTop != NULL)
        *CallerTop = NULL;
    Routine(Argument);  /* the portable build runs it on the current stack */
#else
    HalpCallOnStack(Stack->Base, Routine, Argument, CallerTop);
#endif
    Current->StackBottom = SavedBottom;
    Current->StackSize = SavedSize;
#if defined(NTPS_ASAN)
    __sanitizer_start_switch_fiber(NULL, SavedBottom, SavedSize);
    __sanitizer_finish_switch_fiber(FakeStack, NULL, NULL);
#endif
}
