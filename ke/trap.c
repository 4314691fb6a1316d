/*
 * ke/trap.c - hardware faults. A fault on an NT thread becomes an NT
 * exception code; running into a stack's guard page is a stack overflow,
 * bug check 0x7F with parameter 1 = 8 (double fault), reported from the
 * alternate signal stack. A fault anywhere else is an internal error with
 * a report, never a silent crash.
 *
 * Exception dispatch to driver handlers is ke/except.c (KiDispatchTrap);
 * without it, an exception here is the unhandled-exception bug check.
 */
#include "ke/ke.h"

#include <signal.h>
#include <string.h>
#include <ucontext.h>

/* Set by the exception dispatcher when it is linked in. */
VOID (*KiDispatchTrap)(ucontext_t *Context, NTSTATUS Code, ULONG_PTR Info0, ULONG_PTR Info1);
BOOLEAN (*KiSpecialPoolFault)(PVOID Address, ULONG_PTR Access, PVOID TrapContext);
volatile LONG KiSignalMaskMayMove;

/* #DE (Linux: SIGFPE/FPE_INTDIV) is both a division by zero and a quotient
 * that does not fit (INT_MIN / -1). The NT kernel looks at the divisor of
 * the faulting div/idiv: zero is STATUS_INTEGER_DIVIDE_BY_ZERO, anything
 * else STATUS_INTEGER_OVERFLOW. Decode F6/F7 /6 /7 (legacy, operand-size
 * and REX prefixes; register, [base+index*scale+disp] and RIP-relative
 * operands) and read the divisor; anything else keeps divide-by-zero. */
static const int KiGpr[16] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                               REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15 };

/* Instruction bytes and operands need not be aligned. */
static inline LONG KiReadLong(const UCHAR *At)
{
    LONG Value;
    memcpy(&Value, At, sizeof(Value));
    return Value;
}

static BOOLEAN KiReadDivisor(const ucontext_t *Context, ULONGLONG *Divisor)
{
    const greg_t *Gregs = Context->uc_mcontext.gregs;
    const UCHAR *Op = (const UCHAR *)Gregs[REG_RIP];
    ULONG Size = 4;     /* operand bytes */
    UCHAR Rex = 0;
    BOOLEAN SegmentOverride = FALSE;
    for (int i = 0; i < 15; i++, Op++) {
        if (*Op == 0x66) Size = 2;
        else if (*Op == 0x64 || *Op == 0x65) SegmentOverride = TRUE;
        else if (*Op == 0x67 || *Op == 0xF0 || *Op == 0xF2 || *Op == 0xF3 || *Op == 0x2E || *Op == 0x36 ||
                 *Op == 0x3E || *Op == 0x26) ;
        else break;
    }
    if ((*Op & 0xF0) == 0x40)
        Rex = *Op++;
    if (*Op != 0xF6 && *Op != 0xF7)
        return FALSE;
    if (*Op == 0xF6) Size = 1;
    else if (Rex & 0x8) Size = 8;
    Op++;
    UCHAR ModRm = *Op++, Mod = ModRm >> 6, Reg = (ModRm >> 3) & 7, Rm = ModRm & 7;
    if (Reg != 6 && Reg != 7)
        return FALSE;
    ULONGLONG Value;
    if (Mod == 3) {
        ULONG Index = Rm | ((Rex & 1) << 3);
        if (Size == 1 && Rex == 0 && Rm >= 4)     /* ah, ch, dh, bh */
            Value = ((ULONGLONG)Gregs[KiGpr[Rm - 4]] >> 8) & 0xFF;
        else
            Value = (ULONGLONG)Gregs[KiGpr[Index]];
    } else {
        if (SegmentOverride)
            return FALSE;
        ULONG_PTR Address;
        if (Rm == 4) {
            UCHAR Sib = *Op++, Scale = Sib >> 6, IndexReg = ((Sib >> 3) & 7) | ((Rex & 2) << 2);
            UCHAR Base = (Sib & 7) | ((Rex & 1) << 3);
            Address = IndexReg == 4 ? 0 : (ULONG_PTR)Gregs[KiGpr[IndexReg]] << Scale;
            if ((Sib & 7) == 5 && Mod == 0) {
                Address += (ULONG_PTR)(LONG_PTR)KiReadLong(Op);
                Op += 4;
            } else {
                Address += (ULONG_PTR)Gregs[KiGpr[Base]];
            }
        } else if (Rm == 5 && Mod == 0) {
            LONG Displacement = KiReadLong(Op);
            Op += 4;
            Address = (ULONG_PTR)Op + (ULONG_PTR)(LONG_PTR)Displacement;   /* the next instruction */
        } else {
            Address = (ULONG_PTR)Gregs[KiGpr[Rm | ((Rex & 1) << 3)]];
        }
        if (Mod == 1)
            Address += (ULONG_PTR)(LONG_PTR)*(const SCHAR *)Op;
        else if (Mod == 2)
            Address += (ULONG_PTR)(LONG_PTR)KiReadLong(Op);
        /* The instruction has just read it: it is mapped. */
        Value = 0;
        memcpy(&Value, (const void *)Address, Size);
    }
    if (Size < 8)
        Value &= (1ULL << (Size * 8)) - 1;
    *Divisor = Value;
    return TRUE;
}

/* The NT exception code for a host signal, and ExceptionInformation. */
NTSTATUS KiTranslateSignal(int Signal, const siginfo_t *Info, const ucontext_t *Context,
                           ULONG_PTR *Info0, ULONG_PTR *Info1)
{
    *Info0 = *Info1 = 0;
    switch (Signal) {
    case SIGSEGV:
    case SIGBUS:
        if (Signal == SIGSEGV && Info->si_code == SI_KERNEL) {
            /* #GP: a privileged instruction, or a non-canonical address */
            ULONG_PTR Pc = (ULONG_PTR)Context->uc_mcontext.gregs[REG_RIP];
            const UCHAR *Op = (const UCHAR *)Pc;
            if (Op[0] == 0xF4 || Op[0] == 0xFA || Op[0] == 0xFB || Op[0] == 0xE4 || Op[0] == 0xE6 ||
                Op[0] == 0xEC || Op[0] == 0xEE || (Op[0] == 0x0F && (Op[1] == 0x01 || Op[1] == 0x20 ||
                                                                     Op[1] == 0x22 || Op[1] == 0x30 || Op[1] == 0x32)))
                return STATUS_PRIVILEGED_INSTRUCTION;
            *Info0 = 0;
            *Info1 = (ULONG_PTR)-1;
            return STATUS_ACCESS_VIOLATION;
        }
        /* page-fault error code: bit 1 = write, bit 4 = instruction fetch */
        ULONG_PTR Err = (ULONG_PTR)Context->uc_mcontext.gregs[REG_ERR];
        *Info0 = (Err & 0x10) ? 8 : (Err & 0x2) ? 1 : 0;
        *Info1 = (ULONG_PTR)Info->si_addr;
        return Signal == SIGBUS ? STATUS_IN_PAGE_ERROR : STATUS_ACCESS_VIOLATION;
    case SIGFPE:
        switch (Info->si_code) {
        case FPE_INTDIV: {
            ULONGLONG Divisor;
            if (KiReadDivisor(Context, &Divisor) && Divisor != 0)
                return STATUS_INTEGER_OVERFLOW;
            return STATUS_INTEGER_DIVIDE_BY_ZERO;
        }
        case FPE_INTOVF: return STATUS_INTEGER_OVERFLOW;
        case FPE_FLTDIV: return STATUS_FLOAT_DIVIDE_BY_ZERO;
        case FPE_FLTOVF: return STATUS_FLOAT_OVERFLOW;
        case FPE_FLTUND: return STATUS_FLOAT_UNDERFLOW;
        case FPE_FLTRES: return STATUS_FLOAT_INEXACT_RESULT;
        case FPE_FLTINV: return STATUS_FLOAT_INVALID_OPERATION;
        default: return STATUS_INTEGER_DIVIDE_BY_ZERO;
        }
    case SIGILL:
        return STATUS_ILLEGAL_INSTRUCTION;
    case SIGTRAP:
        return STATUS_BREAKPOINT;
    default:
        return STATUS_UNSUCCESSFUL;
    }
}

/* The stack the thread runs on now: its own, the DPC stack, or a segment
 * KeExpandKernelStackAndCallout switched to (HalCallOnStack keeps the
 * context describing it). With its guard page. */
static BOOLEAN KiOnCurrentStack(PKPRCB Prcb, ULONG_PTR Address)
{
    const HAL_CONTEXT *Context = &Prcb->CurrentThread->Context;
    ULONG_PTR Low = (ULONG_PTR)Context->StackBottom;
    return Low != 0 && Address + HAL_GUARD_SIZE >= Low && Address < Low + Context->StackSize;
}

static BOOLEAN KiOnNtStack(PKPRCB Prcb, ULONG_PTR Sp)
{
    const HAL_STACK *Thread = &Prcb->CurrentThread->Stack, *Dpc = &Prcb->DpcStack;
    return (Sp >= (ULONG_PTR)Thread->Allocation && Sp < (ULONG_PTR)Thread->Base) ||
           (Sp >= (ULONG_PTR)Dpc->Allocation && Sp < (ULONG_PTR)Dpc->Base) || KiOnCurrentStack(Prcb, Sp);
}

static BOOLEAN KiIsStackOverflow(PKPRCB Prcb, PVOID Address)
{
    const HAL_CONTEXT *Context = &Prcb->CurrentThread->Context;
    ULONG_PTR A = (ULONG_PTR)Address, Low = (ULONG_PTR)Context->StackBottom;
    return HalIsGuardPageAddress(&Prcb->CurrentThread->Stack, Address) ||
           HalIsGuardPageAddress(&Prcb->DpcStack, Address) ||
           (Low != 0 && A + 2 * HAL_GUARD_SIZE >= Low && A < Low);
}

/* A user stack overflowed: nothing more can run on it. Resume on the
 * kernel stack, where the process is ended with STATUS_STACK_OVERFLOW (the
 * exception is not offered to user-mode frames: they would need the stack
 * that is gone). */
static VOID KiUserStackOverflowEntry(PVOID FaultingPc)
{
    PKTHREAD Thread = KiCurrentThread();
    Thread->Context.StackBottom = Thread->Stack.Limit;
    Thread->Context.StackSize = (PCHAR)Thread->Stack.Base - (PCHAR)Thread->Stack.Limit;
    Thread->ExceptionState = NULL;
    __atomic_store_n(&Thread->InUserMode, FALSE, __ATOMIC_RELAXED);
    EXCEPTION_RECORD Record;
    CONTEXT Context;
    memset(&Record, 0, sizeof(Record));
    memset(&Context, 0, sizeof(Context));
    Record.ExceptionCode = STATUS_STACK_OVERFLOW;
    Record.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    Record.ExceptionAddress = FaultingPc;
    Context.Rip = (ULONG_PTR)FaultingPc;
    KiUnhandledUserException(&Record, &Context);
    KiInternalError("the process of thread %p went on after its user stack overflowed", (void *)Thread);
}

/* Make the interrupted context resume in KiUserStackOverflowEntry. */
static VOID KiRedirectUserStackOverflow(PKPRCB Prcb, ucontext_t *Context)
{
    PKTHREAD Thread = Prcb->CurrentThread;
    greg_t *R = Context->uc_mcontext.gregs;
    R[REG_RDI] = R[REG_RIP];
    R[REG_RSP] = (greg_t)((((ULONG_PTR)Thread->KernelStackResume - 256) & ~(ULONG_PTR)15) - 8);
    R[REG_RIP] = (greg_t)KiUserStackOverflowEntry;
}

BOOLEAN KiUserStackOverflowed(PKPRCB Prcb, ucontext_t *Context)
{
    PKTHREAD Thread = Prcb->CurrentThread;
    if (!Thread->InUserMode || Thread->KernelStackResume == NULL || KiUnhandledUserException == NULL)
        return FALSE;
    KiRedirectUserStackOverflow(Prcb, Context);
    return TRUE;
}

static VOID KiTrapHandler(int Signal, siginfo_t *Info, void *RawContext)
{
    __atomic_store_n(&KiSignalMaskMayMove, 1, __ATOMIC_RELAXED);
    ucontext_t *Context = RawContext;
    PKPRCB Prcb = KeGetCurrentPrcb();
    ULONG_PTR Sp = (ULONG_PTR)Context->uc_mcontext.gregs[REG_RSP];
    ULONG_PTR Info0, Info1;
    NTSTATUS Code = KiTranslateSignal(Signal, Info, Context, &Info0, &Info1);

    if (Prcb == NULL || Prcb->CurrentThread == NULL || !KiOnNtStack(Prcb, Sp))
        KiInternalError("%s at %p (address %p) outside any NT thread", strsignal(Signal),
                        (void *)Context->uc_mcontext.gregs[REG_RIP], Info->si_addr);
    if ((Signal == SIGSEGV || Signal == SIGBUS) && KiIsStackOverflow(Prcb, Info->si_addr)) {
        if (KiUserStackOverflowed(Prcb, Context))
            return;
        KiBugCheckWithContext(UNEXPECTED_KERNEL_MODE_TRAP, 8, (ULONG_PTR)Info->si_addr,
                              (ULONG_PTR)Context->uc_mcontext.gregs[REG_RIP], 0, Context);
    }
    /* Special pool: a bug check at the access, never an exception (as
     * documented, no __try protects from it). Before the dispatcher-lock
     * check: kernel code may be the one touching a freed driver object. */
    if (Code == STATUS_ACCESS_VIOLATION && Info1 != (ULONG_PTR)-1 && KiSpecialPoolFault != NULL)
        KiSpecialPoolFault(Info->si_addr, Info0, Context);
    if (KiDispatchTrap != NULL) {
        KiDispatchTrap(Context, Code, Info0, Info1);
        return;     /* the context now resumes in the exception dispatcher */
    }
    BOOLEAN SystemThread = Prcb->CurrentThread->SystemThread && !Prcb->DpcRoutineActive;
    if (SystemThread)
        KiBugCheckWithContext(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)Code,
                              (ULONG_PTR)Context->uc_mcontext.gregs[REG_RIP], 0, 0, Context);
    KiBugCheckWithContext(KMODE_EXCEPTION_NOT_HANDLED, (ULONG)Code, (ULONG_PTR)Context->uc_mcontext.gregs[REG_RIP],
                          Info0, Info1, Context);
}

VOID KiInstallTrapHandlers(VOID)
{
    struct sigaction Action;
    memset(&Action, 0, sizeof(Action));
    Action.sa_sigaction = KiTrapHandler;
    Action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&Action.sa_mask);
    const int Signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
    for (SIZE_T i = 0; i < RTL_NUMBER_OF(Signals); i++)
        sigaction(Signals[i], &Action, NULL);
    /* The booting host thread needs an alternate stack too (simulation). */
    HalInstallAlternateSignalStack();
}
