/*
 * vf/callback.c - which driver callback the current thread is running:
 * the frames the dispatchers push around each callback, so that a rule
 * broken inside one names it, and the two rules measured from the frame
 * itself: CallbackTimeBudget and CallbackStack (docs/verifier.md).
 *
 * Run time is the thread's time between enter and leave, without the
 * stretches it was switched out: in simulation its virtual run time
 * (KTHREAD KernelTime + UserTime, exact and replayable); in realtime the
 * monotonic clock, stopped and restarted by the context switch hook. A
 * monotonic reading also counts the time the host took the processor's
 * host thread away, so an overrun seen that way only marks the routine:
 * its next calls are timed in the host thread's CPU time, which the host
 * cannot inflate, and only an overrun measured so is reported.
 *
 * Stack use is measured by painting: before a measured call the unused
 * stack below the frame is filled with a pattern, and after it the lowest
 * word no longer holding the pattern is the high-water mark. Painting
 * costs a few microseconds, so standard mode paints a routine's first
 * calls and then one call in 256; every other call writes a band of four
 * pattern words at the threshold depth and checks them after the call,
 * which catches a call that crossed the threshold in most cases. Strict
 * mode paints every call.
 */
#include "vf/vfp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define VF_FRAME_MEASURED 0x01  /* the verifier is on: time and stack are measured */
#define VF_FRAME_CPU      0x02  /* realtime: run time in host thread CPU time */
#define VF_FRAME_ONSTACK  0x04  /* entered on the thread's own kernel stack */
#define VF_FRAME_PAINTED  0x08  /* exact stack measurement */
#define VF_FRAME_BAND     0x10  /* the threshold band is written */
#define VF_FRAME_BAND_HIT 0x20  /* ... and the call went through it */
#define VF_FRAME_TIMED    0x40  /* left: its run time is final */
#define VF_FRAME_PAUSED   0x80  /* the verifier's own work: the clock is stopped */

#define VF_STACK_PATTERN 0x21766653746b6356ull
#define VF_BAND_WORDS 4
#define VF_BAND_SPACING 32      /* bytes between band words: two cache lines */
#define VF_PAINT_EXACT_FIRST 4  /* standard mode paints each routine's first calls */
#define VF_PAINT_EXACT_EVERY 256
#define VF_CPU_CONFIRM_CALLS 16 /* realtime: calls timed in CPU time after a suspect overrun */
#define VF_REDZONE 256          /* below the painter's own frame: never written */

static VF_ROUTINE VfRoutines[VF_ROUTINES];

/* ---- per-routine figures ---------------------------------------------------------------------- */

static VF_ROUTINE *VfLookupRoutine(PVOID Routine, VF_CALLBACK_KIND Kind)
{
    ULONG Hash = (ULONG)(((ULONG_PTR)Routine >> 4) * 2654435761u) % VF_ROUTINES;
    for (ULONG i = 0; i < VF_ROUTINES; i++) {
        VF_ROUTINE *Slot = &VfRoutines[(Hash + i) % VF_ROUTINES];
        PVOID Seen = __atomic_load_n(&Slot->Routine, __ATOMIC_ACQUIRE);
        if (Seen == Routine)
            return Slot;
        if (Seen == NULL) {
            if (__atomic_compare_exchange_n(&Slot->Routine, &Seen, Routine, FALSE, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
                __atomic_store_n(&Slot->Kind, Kind, __ATOMIC_RELAXED);
                return Slot;
            }
            if (Seen == Routine)
                return Slot;
        }
    }
    return NULL;    /* full: the routine is timed in CPU time and not sampled */
}

VF_ROUTINE *VfRoutineAt(ULONG Index)
{
    if (Index >= VF_ROUTINES || __atomic_load_n(&VfRoutines[Index].Routine, __ATOMIC_ACQUIRE) == NULL)
        return NULL;
    return &VfRoutines[Index];
}

static VOID VfRaiseMaximum(volatile ULONG64 *Maximum, ULONG64 Value)
{
    ULONG64 Seen = __atomic_load_n(Maximum, __ATOMIC_RELAXED);
    while (Value > Seen && !__atomic_compare_exchange_n(Maximum, &Seen, Value, TRUE, __ATOMIC_RELAXED,
                                                        __ATOMIC_RELAXED))
        ;
}

/* ---- run time ----------------------------------------------------------------------------------- */

static ULONGLONG VfThreadCpuTime(VOID)
{
    struct timespec Now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &Now);
    return (ULONGLONG)Now.tv_sec * 10000000ull + (ULONGLONG)Now.tv_nsec / 100;
}

/* The clock a frame's run time is read from (100 ns units). */
static ULONGLONG VfClock(PKTHREAD Thread, UCHAR Flags)
{
    if (KiConfig.Simulation)
        return __atomic_load_n(&Thread->KernelTime, __ATOMIC_RELAXED) +
               __atomic_load_n(&Thread->UserTime, __ATOMIC_RELAXED);
    return (Flags & VF_FRAME_CPU) ? VfThreadCpuTime() : KiQueryInterruptTime();
}

/* Realtime: the running stretch of the innermost callback of a thread
 * switched out ends, that of one switched in starts. */
static VOID VfSwitchThread(PKTHREAD Old, PKTHREAD New)
{
    VF_CALLBACK_FRAME *Frame = Old->VerifierCallbacks;
    const UCHAR Mask = VF_FRAME_MEASURED | VF_FRAME_TIMED | VF_FRAME_PAUSED;
    if (Frame != NULL && (Frame->Flags & Mask) == VF_FRAME_MEASURED)
        Frame->RunTime += VfClock(Old, Frame->Flags) - Frame->RunStart;
    Frame = New->VerifierCallbacks;
    if (Frame != NULL && (Frame->Flags & Mask) == VF_FRAME_MEASURED)
        Frame->RunStart = VfClock(New, Frame->Flags);
}

/* A report's own cost (symbolizing a backtrace takes milliseconds the
 * first time) is not the callback's: its clock stops meanwhile. */
BOOLEAN VfPauseCallbackClock(VOID)
{
    PKTHREAD Thread = KeGetCurrentPrcb() != NULL ? KeGetCurrentPrcb()->CurrentThread : NULL;
    VF_CALLBACK_FRAME *Frame = Thread != NULL ? Thread->VerifierCallbacks : NULL;
    if (Frame == NULL || (Frame->Flags & (VF_FRAME_MEASURED | VF_FRAME_TIMED | VF_FRAME_PAUSED)) != VF_FRAME_MEASURED)
        return FALSE;
    Frame->RunTime += VfClock(Thread, Frame->Flags) - Frame->RunStart;
    Frame->Flags |= VF_FRAME_PAUSED;
    return TRUE;
}

VOID VfResumeCallbackClock(BOOLEAN Paused)
{
    PKTHREAD Thread = KeGetCurrentPrcb() != NULL ? KeGetCurrentPrcb()->CurrentThread : NULL;
    VF_CALLBACK_FRAME *Frame = Thread != NULL ? Thread->VerifierCallbacks : NULL;
    if (!Paused || Frame == NULL)
        return;
    Frame->Flags &= ~VF_FRAME_PAUSED;
    Frame->RunStart = VfClock(Thread, Frame->Flags);
}

/* ---- stack ----------------------------------------------------------------------------------------- */

/* Uninstrumented: the stack below the frame may hold a sanitizer's stale
 * redzone marks from frames long returned. */
__attribute__((noinline, no_sanitize_address, no_sanitize("thread")))
static VOID VfPaint(ULONG_PTR Low, ULONG_PTR High)
{
    ULONG_PTR Limit = ((ULONG_PTR)__builtin_frame_address(0) - VF_REDZONE) & ~(ULONG_PTR)63;
    if (High > Limit)
        High = Limit;
    for (ULONG64 *Word = (ULONG64 *)Low; (ULONG_PTR)Word < High; Word++)
        *Word = VF_STACK_PATTERN;
}

/* The lowest address at or above Low that does not hold the pattern. */
__attribute__((noinline, no_sanitize_address, no_sanitize("thread")))
static ULONG_PTR VfScan(ULONG_PTR Low, ULONG_PTR High)
{
    const ULONG64 *Word = (const ULONG64 *)Low;
    for (; (ULONG_PTR)(Word + 8) <= High; Word += 8)
        if (((Word[0] ^ VF_STACK_PATTERN) | (Word[1] ^ VF_STACK_PATTERN) | (Word[2] ^ VF_STACK_PATTERN) |
             (Word[3] ^ VF_STACK_PATTERN) | (Word[4] ^ VF_STACK_PATTERN) | (Word[5] ^ VF_STACK_PATTERN) |
             (Word[6] ^ VF_STACK_PATTERN) | (Word[7] ^ VF_STACK_PATTERN)) != 0)
            break;
    while ((ULONG_PTR)Word < High && *Word == VF_STACK_PATTERN)
        Word++;
    return (ULONG_PTR)Word;
}

/* The band's top word: Threshold below the entry, and well below the
 * caller's own frame; 0 if it would not fit on the stack. */
static ULONG_PTR VfBandTop(PKTHREAD Thread, const VF_CALLBACK_FRAME *Frame)
{
    ULONG_PTR Sp = (ULONG_PTR)Frame->StackAtEntry, Low = (ULONG_PTR)Thread->Stack.Limit;
    ULONG_PTR Threshold = ((ULONG_PTR)Thread->Stack.Base - Low) * VfStackPercent / 100;
    ULONG_PTR Here = (ULONG_PTR)__builtin_frame_address(0) - 4 * VF_REDZONE;
    ULONG_PTR Top = (Sp - Threshold) & ~(ULONG_PTR)7;
    if (Top > Here)
        Top = Here & ~(ULONG_PTR)7;
    return Top >= Low + VF_BAND_WORDS * VF_BAND_SPACING ? Top : 0;
}

__attribute__((noinline, no_sanitize_address, no_sanitize("thread")))
static VOID VfWriteBand(ULONG_PTR Top)
{
    for (ULONG i = 0; i < VF_BAND_WORDS; i++)
        *(ULONG64 *)(Top - i * VF_BAND_SPACING) = VF_STACK_PATTERN;
}

/* The deepest band word no longer holding the pattern, or 0. */
__attribute__((noinline, no_sanitize_address, no_sanitize("thread")))
static ULONG_PTR VfCheckBand(ULONG_PTR Top)
{
    ULONG_PTR Deepest = 0;
    for (ULONG i = 0; i < VF_BAND_WORDS; i++)
        if (*(const ULONG64 *)(Top - i * VF_BAND_SPACING) != VF_STACK_PATTERN)
            Deepest = Top - i * VF_BAND_SPACING;
    return Deepest;
}

/* Before a nested callback writes below its entry: what its parent used
 * so far is read first, or the painting would erase it. */
static VOID VfSettleStack(PKTHREAD Thread, VF_CALLBACK_FRAME *Frame)
{
    if (Frame->Flags & VF_FRAME_PAINTED) {
        ULONG_PTR Used = VfScan((ULONG_PTR)Thread->Stack.Limit, Frame->Deepest);
        if (Used < Frame->Deepest)
            Frame->Deepest = Used;
    }
    if ((Frame->Flags & (VF_FRAME_BAND | VF_FRAME_BAND_HIT)) == VF_FRAME_BAND) {
        ULONG_PTR Hit = VfCheckBand(Frame->BandTop);
        if (Hit != 0) {
            Frame->Flags |= VF_FRAME_BAND_HIT;
            if (Hit < Frame->Deepest)
                Frame->Deepest = Hit;
        }
    }
}

static VOID VfStackEnter(PKTHREAD Thread, VF_CALLBACK_FRAME *Frame, LONG64 Call)
{
    ULONG_PTR Sp = (ULONG_PTR)Frame->StackAtEntry;
    if (Sp <= (ULONG_PTR)Thread->Stack.Limit || Sp > (ULONG_PTR)Thread->Stack.Base)
        return;     /* on an expanded stack segment (KeExpandKernelStackAndCallout) */
    Frame->Flags |= VF_FRAME_ONSTACK;
    Frame->Deepest = Sp;
    for (VF_CALLBACK_FRAME *Outer = Frame->Next; Outer != NULL; Outer = Outer->Next)
        if (Outer->Flags & VF_FRAME_ONSTACK)
            VfSettleStack(Thread, Outer);
    BOOLEAN Exact = VfLevel == VfLevelStrict || Call <= VF_PAINT_EXACT_FIRST || Call % VF_PAINT_EXACT_EVERY == 0;
    if (Exact) {
        VfPaint((ULONG_PTR)Thread->Stack.Limit, Sp);
        Frame->Flags |= VF_FRAME_PAINTED;
        return;
    }
    Frame->BandTop = VfBandTop(Thread, Frame);
    if (Frame->BandTop != 0) {
        VfWriteBand(Frame->BandTop);
        Frame->Flags |= VF_FRAME_BAND;
    }
}

/* Bytes of stack the call used (a lower bound without painting), or 0
 * when nothing is known. */
static ULONG_PTR VfStackLeave(PKTHREAD Thread, VF_CALLBACK_FRAME *Frame)
{
    if (!(Frame->Flags & VF_FRAME_ONSTACK))
        return 0;
    VfSettleStack(Thread, Frame);
    if (!(Frame->Flags & (VF_FRAME_PAINTED | VF_FRAME_BAND_HIT)))
        return 0;
    return (ULONG_PTR)Frame->StackAtEntry - Frame->Deepest;
}

/* ---- frames ----------------------------------------------------------------------------------------- */

static VOID VfStartMeasuring(PKTHREAD Thread, VF_CALLBACK_FRAME *Frame)
{
    VF_CALLBACK_FRAME *Outer = Frame->Next;
    Frame->Flags = VF_FRAME_MEASURED;
    Frame->Stats = VfLookupRoutine(Frame->Routine, Frame->Kind);
    LONG64 Call = 1;
    if (Frame->Stats != NULL)
        Call = __atomic_add_fetch(&Frame->Stats->Calls, 1, __ATOMIC_RELAXED);
    if (!KiConfig.Simulation &&
        (Frame->Stats == NULL || (Outer != NULL && (Outer->Flags & VF_FRAME_CPU)) ||
         (__atomic_load_n(&Frame->Stats->CpuCalls, __ATOMIC_RELAXED) > 0 &&
          __atomic_sub_fetch(&Frame->Stats->CpuCalls, 1, __ATOMIC_RELAXED) >= 0)))
        Frame->Flags |= VF_FRAME_CPU;
    VfStackEnter(Thread, Frame, Call);
    /* Last, so that the measurement's own cost is not charged. */
    if (Outer != NULL && (Outer->Flags & VF_FRAME_MEASURED))
        Outer->RunTime += VfClock(Thread, Outer->Flags) - Outer->RunStart;
    Frame->RunTime = 0;
    Frame->RunStart = VfClock(Thread, Frame->Flags);
}

static VOID VfCheckRules(VF_CALLBACK_FRAME *Frame, ULONG_PTR StackUsed, ULONG_PTR StackSize)
{
    /* Work item routines may take their time (that is what they are for),
     * but their stack is as small as anyone's. */
    if (((1u << Frame->Kind) & VF_RULE_KINDS) && Frame->RunTime > VfCallbackBudget) {
        if (KiConfig.Simulation || (Frame->Flags & VF_FRAME_CPU))
            VfReport("CallbackTimeBudget", Frame->Routine,
                     "the %s ran for %llu.%03llu ms of %s thread time; the budget is %llu.%03llu ms "
                     "(--callback-budget): move slow work to a system worker thread",
                     VfCallbackKindName(Frame->Kind), Frame->RunTime / 10000, (Frame->RunTime / 10) % 1000,
                     KiConfig.Simulation ? "virtual" : "CPU", VfCallbackBudget / 10000, (VfCallbackBudget / 10) % 1000);
        else if (Frame->Stats != NULL)     /* monotonic time: to be confirmed */
            __atomic_store_n(&Frame->Stats->CpuCalls, VF_CPU_CONFIRM_CALLS, __ATOMIC_RELAXED);
    }
    if (StackUsed > StackSize * VfStackPercent / 100)
        VfReport("CallbackStack", Frame->Routine,
                 "the %s used %s%lu bytes (%lu%%) of its %lu-byte kernel stack; the limit is %lu%% "
                 "(--callback-stack-share)", VfCallbackKindName(Frame->Kind),
                 (Frame->Flags & VF_FRAME_PAINTED) ? "" : "at least ", (unsigned long)StackUsed,
                 (unsigned long)(StackUsed * 100 / StackSize), (unsigned long)StackSize, (unsigned long)VfStackPercent);
}

static VOID VfFinishMeasuring(PKTHREAD Thread, VF_CALLBACK_FRAME *Frame)
{
    Frame->RunTime += VfClock(Thread, Frame->Flags) - Frame->RunStart;
    Frame->Flags |= VF_FRAME_TIMED;
    ULONG_PTR StackUsed = VfStackLeave(Thread, Frame);
    ULONG_PTR StackSize = (ULONG_PTR)Thread->Stack.Base - (ULONG_PTR)Thread->Stack.Limit;
    VF_ROUTINE *Stats = Frame->Stats;
    if (Stats != NULL) {
        VfRaiseMaximum(&Stats->MaxRunTime, Frame->RunTime);
        if (StackUsed != 0)
            VfRaiseMaximum(&Stats->MaxStack, StackUsed);
        if (Frame->Flags & VF_FRAME_PAINTED)
            __atomic_add_fetch(&Stats->StackMeasured, 1, __ATOMIC_RELAXED);
    }
    VfCheckRules(Frame, StackUsed, StackSize);
    VF_CALLBACK_FRAME *Outer = Frame->Next;
    if (Outer != NULL && (Outer->Flags & VF_FRAME_MEASURED)) {
        Outer->RunTime += Frame->RunTime;
        if ((Frame->Flags & VF_FRAME_ONSTACK) && Frame->Deepest < Outer->Deepest)
            Outer->Deepest = Frame->Deepest;
        Outer->RunStart = VfClock(Thread, Outer->Flags);
    }
}

VOID VfEnterCallback(VF_CALLBACK_FRAME *Frame, VF_CALLBACK_KIND Kind, PVOID Routine)
{
    PKTHREAD Thread = KiCurrentThread();
    Frame->Kind = Kind;
    Frame->Routine = Routine;
    Frame->Registration = NULL;
    Frame->QueuedBy = NULL;
    Frame->Stats = NULL;
    Frame->Flags = 0;
    Frame->BandTop = 0;
    Frame->StackAtEntry = __builtin_frame_address(0);
    Frame->Next = Thread->VerifierCallbacks;
    if (VfLevel != VfLevelOff)
        VfStartMeasuring(Thread, Frame);
    /* Linked last: the switch hook sees a frame only once it is measured. */
    Thread->VerifierCallbacks = Frame;
}

VOID VfLeaveCallback(VF_CALLBACK_FRAME *Frame)
{
    PKTHREAD Thread = KiCurrentThread();
    if (Thread->VerifierCallbacks != Frame)
        KiInternalError("verifier callback frames out of order on thread %p", (void *)Thread);
    if (Frame->Flags & VF_FRAME_MEASURED)
        VfFinishMeasuring(Thread, Frame);   /* still linked: its reports name it */
    Thread->VerifierCallbacks = Frame->Next;
}

VF_CALLBACK_FRAME *VfCurrentCallback(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    return Prcb != NULL && Prcb->CurrentThread != NULL ? Prcb->CurrentThread->VerifierCallbacks : NULL;
}

VF_CALLBACK_FRAME *VfFindCallback(PKTHREAD Thread, ULONG Kinds)
{
    for (VF_CALLBACK_FRAME *Frame = Thread->VerifierCallbacks; Frame != NULL; Frame = Frame->Next)
        if ((1u << Frame->Kind) & Kinds)
            return Frame;
    return NULL;
}

PCSTR VfCallbackKindName(VF_CALLBACK_KIND Kind)
{
    static const PCSTR Names[] = { "process notify routine", "thread notify routine", "load-image notify routine",
                                   "object pre-operation callback", "object post-operation callback",
                                   "work item routine" };
    return (ULONG)Kind < RTL_NUMBER_OF(Names) ? Names[Kind] : "callback";
}

/* For a bug check report: one line per callback the thread runs, innermost first. */
VOID VfDescribeCallbacks(PKTHREAD Thread, PCHAR Buffer, SIZE_T Size)
{
    SIZE_T Used = 0;
    Buffer[0] = 0;
    for (VF_CALLBACK_FRAME *Frame = Thread->VerifierCallbacks; Frame != NULL && Used + 1 < Size; Frame = Frame->Next) {
        char Routine[160];
        KiDescribeAddress(Frame->Routine, Routine, sizeof(Routine));
        int Length = snprintf(Buffer + Used, Size - Used, "callback: %s %s\n", VfCallbackKindName(Frame->Kind), Routine);
        if (Length < 0)
            break;
        Used += (SIZE_T)Length;
    }
}

VOID VfInitializeCallbacks(VOID)
{
    memset(VfRoutines, 0, sizeof(VfRoutines));     /* a host may run the kernel more than once */
    KiBugCheckHooks.DescribeCallback = VfDescribeCallbacks;
    if (VfLevel != VfLevelOff)
        KiVerifierHooks.SwitchThread = VfSwitchThread;
}

/* ---- counts for others (the scenario engine's expectations) ------------------------------------ */

BOOLEAN VfCallbackCalls(PCSTR Driver, ULONG Kinds, ULONG64 *Calls)
{
    *Calls = 0;
    if (VfLevel == VfLevelOff)
        return FALSE;
    SIZE_T Length = strlen(Driver);
    for (ULONG i = 0; i < VF_ROUTINES; i++) {
        VF_ROUTINE *Slot = VfRoutineAt(i);
        if (Slot == NULL || !(Kinds & (1u << __atomic_load_n(&Slot->Kind, __ATOMIC_RELAXED))))
            continue;
        PRTL_MODULE Module = RtlpLookupModuleByAddress(Slot->Routine);
        if (Module == NULL)
            continue;
        /* "monitor.so", or "monitor" for it */
        if (strcmp(Module->Name, Driver) == 0 ||
            (strncmp(Module->Name, Driver, Length) == 0 && strcmp(Module->Name + Length, ".so") == 0))
            *Calls += (ULONG64)__atomic_load_n(&Slot->Calls, __ATOMIC_RELAXED);
    }
    return TRUE;
}
