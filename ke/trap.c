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
        case FPE_INTDIV: return STATUS_INTEGER_DIVIDE_BY_ZERO;
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

static VOID KiTrapHandler(int Signal, siginfo_t *Info, void *RawContext)
{
    ucontext_t *Context = RawContext;
    PKPRCB Prcb = KeGetCurrentPrcb();
    ULONG_PTR Sp = (ULONG_PTR)Context->uc_mcontext.gregs[REG_RSP];
    ULONG_PTR Info0, Info1;
    NTSTATUS Code = KiTranslateSignal(Signal, Info, Context, &Info0, &Info1);

    if (Prcb == NULL || Prcb->CurrentThread == NULL || !KiOnNtStack(Prcb, Sp))
        KiInternalError("%s at %p (address %p) outside any NT thread", strsignal(Signal),
                        (void *)Context->uc_mcontext.gregs[REG_RIP], Info->si_addr);
    if ((Signal == SIGSEGV || Signal == SIGBUS) && KiIsStackOverflow(Prcb, Info->si_addr))
        KiBugCheckWithContext(UNEXPECTED_KERNEL_MODE_TRAP, 8, (ULONG_PTR)Info->si_addr,
                              (ULONG_PTR)Context->uc_mcontext.gregs[REG_RIP], 0, Context);
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
