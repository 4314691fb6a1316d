/*
 * io/stack.c - the stack DDIs: how much of the current stack is left, its
 * limits, and running a routine with a guaranteed amount of stack.
 *
 * "The current stack" is the one the caller runs on: the thread's kernel
 * stack, the processor's DPC stack inside a DPC, or a segment that
 * KeExpandKernelStackAndCallout switched to. HalCallOnStack keeps the
 * thread's context describing it (Context.StackBottom/StackSize).
 */
#include "io/io.h"
#include "ke/ke.h"

#include <string.h>
#include <ucontext.h>

static VOID IopCurrentStack(ULONG_PTR *Low, ULONG_PTR *High)
{
    PKTHREAD Thread = KeGetCurrentPrcb()->CurrentThread;
    *Low = (ULONG_PTR)Thread->Context.StackBottom;
    *High = *Low + Thread->Context.StackSize;
}

ULONG IoGetRemainingStackSize(VOID)
{
    ULONG_PTR Low, High, Here = (ULONG_PTR)__builtin_frame_address(0);
    IopCurrentStack(&Low, &High);
    return Here > Low && Here <= High ? (ULONG)(Here - Low) : 0;
}

VOID IoGetStackLimits(PULONG_PTR LowLimit, PULONG_PTR HighLimit)
{
    IopCurrentStack(LowLimit, HighLimit);
}

/* The initial base (highest address) of the current thread's own kernel
 * stack, whichever stack the caller runs on now. */
PVOID IoGetInitialStack(VOID)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, APC_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    return KeGetCurrentPrcb()->CurrentThread->Stack.Base;
}

/* ---- KeExpandKernelStackAndCallout ------------------------------------------------ */

typedef struct _IOP_EXPANSION {
    PEXPAND_STACK_CALLOUT Callout;
    PVOID Parameter;
} IOP_EXPANSION;

/* Documented (EXPAND_STACK_CALLOUT): "The ExpandedStackCall routine must
 * handle all exceptions. Any unhandled exception causes the system to bug
 * check with Bug Check 0x1E: KMODE_EXCEPTION_NOT_HANDLED." This filter, at
 * the base of the callout, sees only what the callout left unhandled (in
 * the search, before any of its __finally blocks ran) and stops the machine
 * there, with the faulting context for the report: P1 the code, P2 the
 * address, P3/P4 ExceptionInformation[0]/[1]. No handler of the caller of
 * KeExpandKernelStackAndCallout is ever asked. */
static LONG IopUnhandledInCallout(PEXCEPTION_POINTERS Pointers)
{
    PEXCEPTION_RECORD Record = Pointers->ExceptionRecord;
    ucontext_t Trap;
    memset(&Trap, 0, sizeof(Trap));
    Trap.uc_mcontext.gregs[REG_RIP] = (greg_t)Pointers->ContextRecord->Rip;
    Trap.uc_mcontext.gregs[REG_RSP] = (greg_t)Pointers->ContextRecord->Rsp;
    Trap.uc_mcontext.gregs[REG_RBP] = (greg_t)Pointers->ContextRecord->Rbp;
    KiBugCheckWithContext(KMODE_EXCEPTION_NOT_HANDLED, (ULONG)Record->ExceptionCode, (ULONG_PTR)Record->ExceptionAddress,
                          Record->ExceptionInformation[0], Record->ExceptionInformation[1], &Trap);
}

/* On the new segment, or on the current stack when the request fits. */
static VOID IopExpandedCall(PVOID Context)
{
    IOP_EXPANSION *Expansion = Context;
    PKTHREAD Thread = KeGetCurrentPrcb()->CurrentThread;
    Thread->CalloutActive++;    /* PsTerminateSystemThread checks it */
    __try {
        Expansion->Callout(Expansion->Parameter);
    } __except (IopUnhandledInCallout(GetExceptionInformation())) {
        /* not reached: the filter does not return */
    }
    Thread->CalloutActive--;
}

NTSTATUS KeExpandKernelStackAndCalloutEx(PEXPAND_STACK_CALLOUT Callout, PVOID Parameter, SIZE_T Size, BOOLEAN Wait,
                                         PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (Size > MAXIMUM_EXPANSION_SIZE)
        return STATUS_INVALID_PARAMETER_3;
    if (Wait && KeGetCurrentIrql() >= DISPATCH_LEVEL)
        return STATUS_INVALID_PARAMETER_4;
    IOP_EXPANSION Expansion = { Callout, Parameter };
    /* Enough room already: call it here. Sanitizer builds' frames are
     * larger, and so is what they need (hal/README.md). */
    SIZE_T Needed = Size * HAL_STACK_SCALE;
    if (IoGetRemainingStackSize() >= Needed + 0x400 * HAL_STACK_SCALE) {
        IopExpandedCall(&Expansion);
        return STATUS_SUCCESS;
    }
    HAL_STACK Segment;
    if (!HalAllocateStack(&Segment, Needed + HAL_KERNEL_STACK_SIZE))
        return STATUS_NO_MEMORY;
    PKTHREAD Thread = KeGetCurrentPrcb()->CurrentThread;
    HalCallOnStack(&Segment, &Thread->Context, IopExpandedCall, &Expansion);
    HalFreeStack(&Segment);
    return STATUS_SUCCESS;
}

NTSTATUS KeExpandKernelStackAndCallout(PEXPAND_STACK_CALLOUT Callout, PVOID Parameter, SIZE_T Size)
{
    return KeExpandKernelStackAndCalloutEx(Callout, Parameter, Size, TRUE, NULL);
}
