/*
 * ke/except.c - exception dispatch: the search for a handler (filters run
 * innermost first, before anything is unwound), the unwind to it (the
 * __finally blocks in between run innermost first), continuing at the
 * faulting context, the unhandled-exception bug checks, and turning a
 * hardware trap into an exception dispatched on the faulting thread's own
 * stack. Design and limits: docs/seh.md.
 */
#include "ke/except.h"
#include "rtl/rtl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#if defined(NTPS_ASAN)
#include <sanitizer/asan_interface.h>
#endif
#if defined(NTPS_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

_Static_assert(sizeof(CONTEXT) == 1232, "x64 CONTEXT is 1232 bytes");
_Static_assert(_Alignof(CONTEXT) == 16, "x64 CONTEXT is 16-byte aligned");
_Static_assert(offsetof(CONTEXT, Rax) == 0x78 && offsetof(CONTEXT, Rip) == 0xF8 &&
               offsetof(CONTEXT, FltSave) == 0x100 && offsetof(CONTEXT, Xmm0) == 0x1A0 &&
               offsetof(CONTEXT, VectorRegister) == 0x300 && offsetof(CONTEXT, LastExceptionFromRip) == 0x4C8,
               "x64 CONTEXT layout (ke/except_x64.S depends on it)");
_Static_assert(offsetof(KI_RESTORE_PLAN, Jump) == 48, "KI_RESTORE_PLAN layout (ke/except_x64.S)");
_Static_assert(offsetof(KI_JUMP_BUFFER, MxCsr) == 64, "KI_JUMP_BUFFER layout (ke/except_x64.S)");

/* Dispatches nested in one another's filters and __finally blocks before
 * we call it runaway recursion (an exception in every filter). */
#define KI_MAXIMUM_NESTED_DISPATCH 64

PRTLP_SEH_FRAME *KiExceptionChain(PKTHREAD Thread)
{
    return (PRTLP_SEH_FRAME *)&Thread->ExceptionState;
}

static PKTHREAD KiExceptionThread(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb == NULL || Prcb->CurrentThread == NULL)
        KiInternalError("exception raised outside any NT thread");
    return Prcb->CurrentThread;
}

static VOID KiCheckFrame(PKTHREAD Thread, PRTLP_SEH_FRAME Frame)
{
    if (Frame->Owner != Thread || Frame->Kind < RTLP_SEH_EXCEPT || Frame->Kind > KI_SEH_DISPATCH)
        KiInternalError("exception handler chain of thread %p is corrupt at %p", (void *)Thread, (void *)Frame);
}

/* ---- sanitizers --------------------------------------------------------------- */

/* Before a filter runs: the region about to be overwritten keeps its shadow
 * in the dispatch, and under TSan the filter runs as a fiber of its own
 * (its shadow call stack starts empty; the thread's is left as it is). */
static VOID KiSanitizerEnterVisit(KI_DISPATCH *Dispatch)
{
#if defined(NTPS_ASAN)
    size_t Scale, Offset;
    __asan_get_shadow_mapping(&Scale, &Offset);
    ULONG_PTR Low = (ULONG_PTR)Dispatch->SaveLow >> Scale, High = ((ULONG_PTR)Dispatch->SaveLow + Dispatch->SaveSize) >> Scale;
    Dispatch->Plan.Destination[1] = (PVOID)(Low + Offset);
    Dispatch->Plan.Length[1] = High - Low;
    Dispatch->ShadowBuffer = realloc(Dispatch->ShadowBuffer, High - Low + 1);
    if (Dispatch->ShadowBuffer == NULL)
        KiInternalError("out of memory saving a stack's shadow for a filter");
    KiCopyRaw(Dispatch->ShadowBuffer, (PVOID)(Low + Offset), High - Low);
    Dispatch->Plan.Source[1] = Dispatch->ShadowBuffer;
    __asan_handle_no_return();
#endif
#if defined(NTPS_TSAN)
    Dispatch->SanitizerFiber = __tsan_get_current_fiber();
    Dispatch->VisitFiber = __tsan_create_fiber(0);
    Dispatch->Thread->Context.SanitizerFiber = Dispatch->VisitFiber;
    __tsan_switch_to_fiber(Dispatch->VisitFiber, 0);
#endif
    (void)Dispatch;
}

VOID KiSanitizerLeaveVisit(KI_DISPATCH *Dispatch)
{
#if defined(NTPS_TSAN)
    if (Dispatch->VisitFiber != NULL) {
        Dispatch->Thread->Context.SanitizerFiber = Dispatch->SanitizerFiber;
        __tsan_switch_to_fiber(Dispatch->SanitizerFiber, 0);
        __tsan_destroy_fiber(Dispatch->VisitFiber);
        Dispatch->VisitFiber = NULL;
    }
#endif
    (void)Dispatch;
}

/* Frames below the current stack pointer are being abandoned. */
VOID KiSanitizerAbandonStack(VOID)
{
#if defined(NTPS_ASAN)
    __asan_handle_no_return();
#endif
}

/* ---- dispatch records ---------------------------------------------------------- */

/* A few dispatch records kept for reuse, with their save buffers: an
 * exception is an ordinary event in a driver's life, not worth two mallocs
 * and a free of 2 KiB each. */
#define KI_DISPATCH_CACHE 16
static KI_DISPATCH *KiDispatchCache[KI_DISPATCH_CACHE];
static ULONG KiDispatchCacheCount;
static volatile LONG KiDispatchCacheLock;

static VOID KiLockDispatchCache(VOID)
{
    while (__atomic_exchange_n(&KiDispatchCacheLock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&KiDispatchCacheLock, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
}

static VOID KiUnlockDispatchCache(VOID)
{
    __atomic_store_n(&KiDispatchCacheLock, 0, __ATOMIC_RELEASE);
}

static KI_DISPATCH *KiAllocateDispatch(PKTHREAD Thread, PEXCEPTION_RECORD Record, PCONTEXT Context)
{
    KI_DISPATCH *Dispatch = NULL;
    KiLockDispatchCache();
    if (KiDispatchCacheCount > 0)
        Dispatch = KiDispatchCache[--KiDispatchCacheCount];
    KiUnlockDispatchCache();
    if (Dispatch == NULL) {
        Dispatch = malloc(sizeof(KI_DISPATCH));
        if (Dispatch == NULL)
            KiInternalError("out of memory dispatching exception 0x%08X", (unsigned)Record->ExceptionCode);
        memset(Dispatch, 0, sizeof(*Dispatch));
    }
    memset(&Dispatch->Marker, 0, sizeof(Dispatch->Marker));
    Dispatch->Marker.Kind = KI_SEH_DISPATCH;
    Dispatch->Marker.Owner = Thread;
    Dispatch->Marker.Dispatch = Dispatch;
    Dispatch->Thread = Thread;
    Dispatch->Target = NULL;
    Dispatch->SanitizerFiber = Dispatch->VisitFiber = NULL;
    Dispatch->Record = *Record;
    if (Dispatch->Record.NumberParameters > EXCEPTION_MAXIMUM_PARAMETERS)
        Dispatch->Record.NumberParameters = EXCEPTION_MAXIMUM_PARAMETERS;
    Dispatch->Context = *Context;
    Dispatch->Pointers.ExceptionRecord = &Dispatch->Record;
    Dispatch->Pointers.ContextRecord = &Dispatch->Context;
    return Dispatch;
}

static VOID KiFreeDispatch(KI_DISPATCH *Dispatch)
{
    KiSanitizerLeaveVisit(Dispatch);
    KiLockDispatchCache();
    if (KiDispatchCacheCount < KI_DISPATCH_CACHE) {
        KiDispatchCache[KiDispatchCacheCount++] = Dispatch;
        Dispatch = NULL;
    }
    KiUnlockDispatchCache();
    if (Dispatch != NULL) {
        free(Dispatch->SaveBuffer);
        free(Dispatch->ShadowBuffer);
        free(Dispatch);
    }
}

/* How many dispatches are under way on the current chain (nested in the
 * filters and __finally blocks of one another). */
static ULONG KiDispatchDepth(PRTLP_SEH_FRAME Head)
{
    ULONG Depth = 0;
    for (PRTLP_SEH_FRAME Frame = Head; Frame != NULL; Frame = Frame->Next)
        Depth += Frame->Kind == KI_SEH_DISPATCH;
    return Depth;
}

/* ---- filters ------------------------------------------------------------------------ */

/* The top of the frame of the function that registered Frame: its frame
 * pointer (what __builtin_setjmp saved), the saved rbp and return address. */
static ULONG_PTR KiFrameTop(PRTLP_SEH_FRAME Frame)
{
    ULONG_PTR Sp = (ULONG_PTR)Frame->Resume[2], Fp = (ULONG_PTR)Frame->Resume[0];
    return Fp >= Sp && Fp - Sp < (1u << 20) ? Fp + 16 : Sp;
}

/* Keep a copy of the stack from the dispatcher to the top of the frame's
 * function: the filter runs in that function, its calls overwrite what is
 * below the function, and the filter itself may reuse the function's own
 * stack slots that the __try body still needs (if the body goes on). */
static VOID KiSaveStackRegion(KI_DISPATCH *Dispatch, ULONG_PTR Low, ULONG_PTR FrameLow, ULONG_PTR High)
{
    if (FrameLow <= Low || High < FrameLow || High - Low > (64u << 20))
        KiInternalError("exception frame %p is not above the dispatcher (stack %p)", (void *)FrameLow, (void *)Low);
    Dispatch->BelowFrame = FrameLow - Low;
    SIZE_T Size = High - Low;
    if (Size > Dispatch->SaveCapacity) {
        free(Dispatch->SaveBuffer);
        Dispatch->SaveBuffer = malloc(Size);
        if (Dispatch->SaveBuffer == NULL)
            KiInternalError("out of memory saving a stack region for a filter");
        Dispatch->SaveCapacity = Size;
    }
    Dispatch->SaveLow = (PVOID)Low;
    Dispatch->SaveSize = Size;
    KiCopyRaw(Dispatch->SaveBuffer, (PVOID)Low, Size);
    Dispatch->Plan.Destination[0] = (PVOID)Low;
    Dispatch->Plan.Source[0] = Dispatch->SaveBuffer;
    Dispatch->Plan.Length[0] = Size;
    Dispatch->Plan.Destination[1] = Dispatch->Plan.Source[1] = NULL;
    Dispatch->Plan.Length[1] = 0;
    Dispatch->Plan.Jump = &Dispatch->Resume;
}

/* Evaluate Frame's filter in Frame's function: jump into the frame, and
 * come back here when RtlpSehFilterDone has the value. While the filter
 * runs, the chain is the filter's own frames and the frames outside Frame
 * (an exception in the filter is not offered to Frame or anything inside). */
static DECLSPEC_NOINLINE LONG KiEvaluateFilter(KI_DISPATCH *volatile Dispatch, PRTLP_SEH_FRAME volatile Frame)
{
    PRTLP_SEH_FRAME *Chain = KiExceptionChain(Dispatch->Thread);
    Dispatch->SavedHead = *Chain;
    Dispatch->Marker.Next = Frame->Next;
    Frame->Code = Dispatch->Record.ExceptionCode;
    Frame->Pointers = &Dispatch->Pointers;
    Frame->Dispatch = Dispatch;
    Frame->Phase = RTLP_SEH_FILTER;
    if (KiSaveJump(&Dispatch->Resume) == 0) {
        KiSaveStackRegion(Dispatch, Dispatch->Resume.Rsp, (ULONG_PTR)Frame->Resume[2], KiFrameTop(Frame));
        KiSanitizerEnterVisit(Dispatch);
        *Chain = &Dispatch->Marker;
        RtlpSehResume(Frame->Resume);
    }
    /* back from RtlpSehFilterDone, the region restored */
    KiSanitizerLeaveVisit(Dispatch);
    *KiExceptionChain(Dispatch->Thread) = Dispatch->SavedHead;
    Frame->Phase = RTLP_SEH_BODY;
    Frame->Pointers = NULL;
    Frame->Dispatch = NULL;
    return Dispatch->FilterValue;
}

static VOID KiTrimRestorePlan(KI_DISPATCH *Dispatch)
{
    Dispatch->Plan.Length[0] = Dispatch->BelowFrame;
#if defined(NTPS_ASAN)
    size_t Scale, Offset;
    __asan_get_shadow_mapping(&Scale, &Offset);
    ULONG_PTR Low = (ULONG_PTR)Dispatch->SaveLow;
    Dispatch->Plan.Length[1] = ((Low + Dispatch->BelowFrame) >> Scale) - (Low >> Scale);
#endif
}

VOID RtlpSehFilterDone(PRTLP_SEH_FRAME Frame, LONG Value)
{
    KI_DISPATCH *Dispatch = Frame->Dispatch;
    if (Frame->Phase != RTLP_SEH_FILTER || Dispatch == NULL || Dispatch->Thread != KiExceptionThread())
        KiInternalError("exception filter of frame %p finished outside a dispatch", (void *)Frame);
    Dispatch->FilterValue = Value;
    KiSanitizerLeaveVisit(Dispatch);
    /* Handler chosen: the function goes on from its receiver, with what the
     * filter wrote. Otherwise the body may go on: its frame as it was. */
    if (Value > 0)
        KiTrimRestorePlan(Dispatch);
    KiRestoreAndJump(&Dispatch->Plan);
}

/* ---- unwinding ------------------------------------------------------------------------ */

/* Resume a frame above us for good: its handler or its __finally block. */
static DECLSPEC_NORETURN VOID KiJumpToFrame(PRTLP_SEH_FRAME Frame)
{
#if defined(NTPS_TSAN)
    if (Frame->Flags & RTLP_SEH_FLAG_JUMP)
        longjmp(Frame->Jump, 1);    /* TSan unwinds its shadow stack; lands in RtlpSehResume */
#endif
    KiSanitizerAbandonStack();
    RtlpSehResume(Frame->Resume);
}


/* Unwind the chain to Dispatch->Target: run each __finally block on the way
 * (in its own function, which is then where we continue from), drop the
 * dispatches abandoned in between, and resume the target's handler. */
VOID KiContinueUnwind(KI_DISPATCH *Dispatch)
{
    PRTLP_SEH_FRAME *Chain = KiExceptionChain(Dispatch->Thread);
    PRTLP_SEH_FRAME Target = Dispatch->Target;
    for (PRTLP_SEH_FRAME Frame; (Frame = *Chain) != Target;) {
        if (Frame == NULL)
            KiInternalError("unwind target %p is not on the exception chain", (void *)Target);
        KiCheckFrame(Dispatch->Thread, Frame);
        *Chain = Frame->Next;
        if (Frame->Kind == KI_SEH_DISPATCH && Frame->Dispatch != Dispatch) {
            KiFreeDispatch(Frame->Dispatch);    /* its filter or __finally is being unwound */
        } else if (Frame->Kind == RTLP_SEH_FINALLY) {
            Dispatch->Marker.Next = Frame->Next;
            *Chain = &Dispatch->Marker;         /* so an escaping exception finds us */
            Frame->Phase = RTLP_SEH_FINALLY_BLOCK;
            Frame->Abnormal = TRUE;
            Frame->Dispatch = Dispatch;
            KiJumpToFrame(Frame);
        }
    }
    *Chain = Target->Next;
    Target->Phase = RTLP_SEH_HANDLER;
    Target->Code = Dispatch->Record.ExceptionCode;
    Target->Pointers = NULL;
    Target->Dispatch = NULL;
    KiFreeDispatch(Dispatch);
    KiJumpToFrame(Target);
}

/* ---- the search ----------------------------------------------------------------------- */

static DECLSPEC_NORETURN VOID KiUnhandledException(KI_DISPATCH *Dispatch);

/* A filter said continue to a non-continuable exception: that is a new
 * exception, raised from here, about the first one. */
static DECLSPEC_NORETURN VOID KiRaiseNoncontinuable(KI_DISPATCH *Dispatch)
{
    EXCEPTION_RECORD Record;
    memset(&Record, 0, sizeof(Record));
    Dispatch->NestedRecord = Dispatch->Record;
    Record.ExceptionCode = STATUS_NONCONTINUABLE_EXCEPTION;
    Record.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    Record.ExceptionRecord = &Dispatch->NestedRecord;
    Dispatch->Marker.Next = *KiExceptionChain(Dispatch->Thread);
    *KiExceptionChain(Dispatch->Thread) = &Dispatch->Marker;   /* freed when unwound past */
    RtlRaiseException(&Record);
    KiInternalError("a non-continuable exception was continued");
}

/* A user-mode exception that no user-mode frame handled: Ps decides (the
 * process ends with the code, or a subsystem provider handles it). The
 * dispatch is over either way; returns to continue at *Context. */
static VOID KiUnhandledUserModeException(KI_DISPATCH *Dispatch, PCONTEXT Context)
{
    EXCEPTION_RECORD Record = Dispatch->Record;
    CONTEXT Continue = Dispatch->Context;
    KiFreeDispatch(Dispatch);
    KiUnhandledUserException(&Record, &Continue);   /* returns only for a continuable one */
    *Context = Continue;
    KiSanitizerAbandonStack();
}

/* Called on the faulting thread's stack by RtlRaiseException and by the
 * trap entry. Returns only to continue execution at *Context. */
/* ---- the kernel debugger's first chance ---------------------------------------------------- */

BOOLEAN KiKdEnabled, KiKdNotPresent = TRUE;
NTPS_EXPORT PBOOLEAN KdDebuggerEnabled = &KiKdEnabled;
NTPS_EXPORT PBOOLEAN KdDebuggerNotPresent = &KiKdNotPresent;

NTPS_EXPORT BOOLEAN KdRefreshDebuggerNotPresent(VOID)
{
    return KiKdNotPresent;
}

/* With a kernel debugger attached (--debugger), NT gives it a kernel-mode
 * breakpoint before any handler; ours reports it and goes on after the
 * int3, as a debugger does when its user types g. */
static BOOLEAN KiDebuggerTakesBreakpoint(PKTHREAD Thread, PEXCEPTION_RECORD Record, PCONTEXT Context)
{
    if (!KiConfig.KdAttached || Record->ExceptionCode != STATUS_BREAKPOINT || Thread->InUserMode ||
        Context->Rip != (ULONG64)(ULONG_PTR)Record->ExceptionAddress || *(const UCHAR *)Record->ExceptionAddress != 0xCC)
        return FALSE;
    CHAR Where[256], Caller[256] = "";
    KiDescribeAddress(Record->ExceptionAddress, Where, sizeof(Where));
    ULONG_PTR At = (ULONG_PTR)Record->ExceptionAddress;
    if ((At - (ULONG_PTR)DbgBreakPoint) < 8 || (At - (ULONG_PTR)DbgBreakPointWithStatus) < 8) {
        /* the int3 is in our routine, before any push: the driver's call site is on top */
        memcpy(Caller, ", called from ", 15);
        KiDescribeAddress(*(PVOID *)(ULONG_PTR)Context->Rsp, Caller + 14, sizeof(Caller) - 14);
    }
    RtlpReport("ntps: break instruction exception at %s%s (thread %p): continued (--debugger)\n", Where, Caller,
               (void *)Thread);
    Context->Rip += 1;
    return TRUE;
}

VOID KiDispatchException(PEXCEPTION_RECORD Record, PCONTEXT Context)
{
#if defined(NTPS_ASAN)
    /* built by assembly or a signal handler on stack ASan has not seen */
    __asan_unpoison_memory_region(Context, sizeof(*Context));
    __asan_unpoison_memory_region(Record, sizeof(*Record));
#endif
    PKTHREAD Thread = KiExceptionThread();
    if (KiDebuggerTakesBreakpoint(Thread, Record, Context))
        return;
    PRTLP_SEH_FRAME *Chain = KiExceptionChain(Thread);
    if (KiDispatchDepth(*Chain) >= KI_MAXIMUM_NESTED_DISPATCH)
        KiBugCheckExplain(UNEXPECTED_KERNEL_MODE_TRAP, 8, (ULONG_PTR)Record->ExceptionCode,
                          (ULONG_PTR)Record->ExceptionAddress, 0,
                          "exceptions nested %u deep in exception filters and __finally blocks",
                          KI_MAXIMUM_NESTED_DISPATCH);
    KI_DISPATCH *Dispatch = KiAllocateDispatch(Thread, Record, Context);
    for (PRTLP_SEH_FRAME Frame = *Chain; Frame != NULL; Frame = Frame->Next) {
        KiCheckFrame(Thread, Frame);
        if (Frame->Kind == KI_SEH_DISPATCH)
            Dispatch->Record.ExceptionFlags |= EXCEPTION_NESTED_CALL;
        if (Frame->Kind != RTLP_SEH_EXCEPT)
            continue;
        LONG Value = Frame->ConstantFilter ? Frame->FilterValue : KiEvaluateFilter(Dispatch, Frame);
        if (Value > 0) {
            Dispatch->Target = Frame;
            KiContinueUnwind(Dispatch);
        }
        if (Value < 0) {
            if (Dispatch->Record.ExceptionFlags & EXCEPTION_NONCONTINUABLE)
                KiRaiseNoncontinuable(Dispatch);
            *Context = Dispatch->Context;
            KiFreeDispatch(Dispatch);
            KiSanitizerAbandonStack();
            return;
        }
    }
    if (Thread->InUserMode && KiUnhandledUserException != NULL) {
        KiUnhandledUserModeException(Dispatch, Context);
        return;
    }
    KiUnhandledException(Dispatch);
}

/* ---- unhandled ---------------------------------------------------------------------------- */

static DECLSPEC_NORETURN VOID KiUnhandledException(KI_DISPATCH *Dispatch)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    PEXCEPTION_RECORD Record = &Dispatch->Record;
    ucontext_t Trap;
    memset(&Trap, 0, sizeof(Trap));
    Trap.uc_mcontext.gregs[REG_RIP] = (greg_t)Dispatch->Context.Rip;
    Trap.uc_mcontext.gregs[REG_RSP] = (greg_t)Dispatch->Context.Rsp;
    Trap.uc_mcontext.gregs[REG_RBP] = (greg_t)Dispatch->Context.Rbp;
    if (Prcb->CurrentThread->SystemThread && !Prcb->DpcRoutineActive)
        KiBugCheckWithContext(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)Record->ExceptionCode,
                              (ULONG_PTR)Record->ExceptionAddress, (ULONG_PTR)Record, (ULONG_PTR)&Dispatch->Context,
                              &Trap);
    KiBugCheckWithContext(KMODE_EXCEPTION_NOT_HANDLED, (ULONG)Record->ExceptionCode,
                          (ULONG_PTR)Record->ExceptionAddress, Record->ExceptionInformation[0],
                          Record->ExceptionInformation[1], &Trap);
}

/* ---- raising ------------------------------------------------------------------------------ */

/* Documented as raising a non-continuable exception with the status. */
VOID RtlRaiseStatus(NTSTATUS Status)
{
    EXCEPTION_RECORD Record;
    memset(&Record, 0, sizeof(Record));
    Record.ExceptionCode = Status;
    Record.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    RtlRaiseException(&Record);
    KiInternalError("RtlRaiseStatus(0x%08X) continued", (unsigned)Status);
}

/* ---- traps --------------------------------------------------------------------------------- */

extern VOID (*KiDispatchTrap)(ucontext_t *Context, NTSTATUS Code, ULONG_PTR Info0, ULONG_PTR Info1);

typedef struct _KI_TRAP_FRAME {
    CONTEXT Context;
    EXCEPTION_RECORD Record;
} KI_TRAP_FRAME;

static VOID KiContextFromSignal(PCONTEXT Context, const ucontext_t *Uc)
{
    const greg_t *R = Uc->uc_mcontext.gregs;
    memset(Context, 0, sizeof(*Context));
    Context->ContextFlags = CONTEXT_FULL | CONTEXT_SEGMENTS;
    Context->Rax = R[REG_RAX]; Context->Rcx = R[REG_RCX]; Context->Rdx = R[REG_RDX]; Context->Rbx = R[REG_RBX];
    Context->Rsp = R[REG_RSP]; Context->Rbp = R[REG_RBP]; Context->Rsi = R[REG_RSI]; Context->Rdi = R[REG_RDI];
    Context->R8 = R[REG_R8]; Context->R9 = R[REG_R9]; Context->R10 = R[REG_R10]; Context->R11 = R[REG_R11];
    Context->R12 = R[REG_R12]; Context->R13 = R[REG_R13]; Context->R14 = R[REG_R14]; Context->R15 = R[REG_R15];
    Context->Rip = R[REG_RIP];
    Context->EFlags = (ULONG)R[REG_EFL];
    Context->SegCs = (USHORT)(R[REG_CSGSFS] & 0xFFFF);
    Context->SegGs = (USHORT)((R[REG_CSGSFS] >> 16) & 0xFFFF);
    Context->SegFs = (USHORT)((R[REG_CSGSFS] >> 32) & 0xFFFF);
    __asm__("movw %%ss, %0" : "=m"(Context->SegSs));
    __asm__("movw %%ds, %0" : "=m"(Context->SegDs));
    __asm__("movw %%es, %0" : "=m"(Context->SegEs));
    if (Uc->uc_mcontext.fpregs != NULL) {
        memcpy(&Context->FltSave, Uc->uc_mcontext.fpregs, sizeof(Context->FltSave));
        Context->MxCsr = Uc->uc_mcontext.fpregs->mxcsr;
    } else {
        Context->MxCsr = 0x1F80;
        Context->FltSave.MxCsr = 0x1F80;
        Context->FltSave.ControlWord = 0x37F;
    }
}

/* Is the trap inside the kernel while this processor holds the dispatcher
 * lock? (The lock records its owner.) */
static BOOLEAN KiTrapUnderDispatcherLock(PKPRCB Prcb, PVOID Pc)
{
    (void)Prcb;
    (void)Pc;
    return KiDispatcherLockHeld();
}

/* From the signal handler, on the alternate stack: build the records below
 * the interrupted stack's red zone and make the interrupted context resume
 * in KiTrapEntry, which dispatches as ordinary code on the thread's stack. */
static VOID KiDispatchTrapImpl(ucontext_t *Uc, NTSTATUS Code, ULONG_PTR Info0, ULONG_PTR Info1)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD Thread = Prcb->CurrentThread;
    greg_t *R = Uc->uc_mcontext.gregs;
    PVOID Pc = (PVOID)R[REG_RIP];
    if (KiTrapUnderDispatcherLock(Prcb, Pc)) {
        /* A driver's object the kernel trusted (a corrupt wait list, a
         * pointer freed since it was checked): Windows, faulting at
         * DISPATCH_LEVEL, stops with 0xA. Without a driver on the stack it
         * is ntps's own bug. */
        if (Code == STATUS_ACCESS_VIOLATION && KiFindDriverInContext(Uc, FALSE) != NULL)
            KiBugCheckExplainEx(IRQL_NOT_LESS_OR_EQUAL, Info1, Prcb->Irql, (Info0 & 1) | (Info0 & 8), (ULONG_PTR)Pc,
                                Uc, NULL, NULL, "the kernel faulted at %p on memory a driver gave it, holding "
                                "the dispatcher lock", Pc);
        KiInternalError("exception 0x%08X at %p while this processor holds the dispatcher lock",
                        (unsigned)Code, Pc);
    }
    ULONG_PTR Sp = (ULONG_PTR)R[REG_RSP], Bottom = (ULONG_PTR)Thread->Context.StackBottom;
    ULONG_PTR FrameAddress = (Sp - KI_RED_ZONE - KI_RESTORE_GAP - sizeof(KI_TRAP_FRAME)) & ~(ULONG_PTR)63;
    /* the dispatcher needs room too: without it this is a stack overflow */
    BOOLEAN KiUserStackOverflowed(PKPRCB Prcb, ucontext_t *Context);
    if ((FrameAddress < Bottom + 0x800 * HAL_STACK_SCALE || Sp > Bottom + Thread->Context.StackSize) &&
        KiUserStackOverflowed(Prcb, Uc))
        return;
    if (FrameAddress < Bottom + 0x800 * HAL_STACK_SCALE || Sp > Bottom + Thread->Context.StackSize)
        KiBugCheckWithContext(UNEXPECTED_KERNEL_MODE_TRAP, 8, (ULONG_PTR)Code, (ULONG_PTR)Pc, Sp, Uc);
    KI_TRAP_FRAME *Frame = (KI_TRAP_FRAME *)FrameAddress;
#if defined(NTPS_ASAN)
    __asan_unpoison_memory_region(Frame, sizeof(*Frame));
#endif
    KiContextFromSignal(&Frame->Context, Uc);
    memset(&Frame->Record, 0, sizeof(Frame->Record));
    Frame->Record.ExceptionCode = Code;
    Frame->Record.ExceptionAddress = Pc;
    if (Code == STATUS_BREAKPOINT) {
        /* int3 traps after itself; the exception is at the instruction */
        Frame->Record.ExceptionAddress = (PCHAR)Pc - 1;
        Frame->Context.Rip -= 1;
        Frame->Record.NumberParameters = 1;
    } else if (Code == STATUS_ACCESS_VIOLATION || Code == STATUS_IN_PAGE_ERROR) {
        Frame->Record.NumberParameters = Code == STATUS_IN_PAGE_ERROR ? 3 : 2;
        Frame->Record.ExceptionInformation[0] = Info0;
        Frame->Record.ExceptionInformation[1] = Info1;
        Frame->Record.ExceptionInformation[2] = (ULONG_PTR)STATUS_IN_PAGE_ERROR;
    }
    R[REG_RSP] = (greg_t)FrameAddress;
    R[REG_RIP] = (greg_t)KiTrapEntry;
    R[REG_RDI] = (greg_t)&Frame->Record;
    R[REG_RSI] = (greg_t)&Frame->Context;
    R[REG_EFL] &= ~(greg_t)(0x100 | 0x400 | 0x40000);     /* TF, DF, AC */
    if (Uc->uc_mcontext.fpregs != NULL) {
        Uc->uc_mcontext.fpregs->mxcsr = 0x1F80;             /* the dispatcher's own FP state */
        Uc->uc_mcontext.fpregs->cwd = 0x37F;
    }
}

__attribute__((constructor)) static VOID KiInstallExceptionDispatcher(VOID)
{
    KiDispatchTrap = KiDispatchTrapImpl;
}
