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

/* ---- KeExpandKernelStackAndCallout ------------------------------------------------ */

typedef struct _IOP_EXPANSION {
    PEXPAND_STACK_CALLOUT Callout;
    PVOID Parameter;
    BOOLEAN Raised;
    EXCEPTION_RECORD Record;
} IOP_EXPANSION;

static LONG IopKeepException(PEXCEPTION_POINTERS Pointers, IOP_EXPANSION *Expansion)
{
    Expansion->Record = *Pointers->ExceptionRecord;
    Expansion->Record.ExceptionRecord = NULL;
    return EXCEPTION_EXECUTE_HANDLER;
}

/* On the new segment. An exception leaving the callout is taken here, at
 * the segment's base, and raised again on the caller's stack once the
 * segment is gone (docs/seh.md: why, and what that changes). */
static VOID IopExpandedCall(PVOID Context)
{
    IOP_EXPANSION *Expansion = Context;
    __try {
        Expansion->Callout(Expansion->Parameter);
    } __except (IopKeepException(GetExceptionInformation(), Expansion)) {
        Expansion->Raised = TRUE;
    }
}

NTSTATUS KeExpandKernelStackAndCalloutEx(PEXPAND_STACK_CALLOUT Callout, PVOID Parameter, SIZE_T Size, BOOLEAN Wait,
                                         PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (Size > MAXIMUM_EXPANSION_SIZE)
        return STATUS_INVALID_PARAMETER_3;
    if (Wait && KeGetCurrentIrql() >= DISPATCH_LEVEL)
        return STATUS_INVALID_PARAMETER_4;
    /* Enough room already: call it here. Sanitizer builds' frames are
     * larger, and so is what they need (hal/README.md). */
    SIZE_T Needed = Size * HAL_STACK_SCALE;
    if (IoGetRemainingStackSize() >= Needed + 0x400 * HAL_STACK_SCALE) {
        Callout(Parameter);
        return STATUS_SUCCESS;
    }
    HAL_STACK Segment;
    if (!HalAllocateStack(&Segment, Needed + HAL_KERNEL_STACK_SIZE))
        return STATUS_NO_MEMORY;
    IOP_EXPANSION Expansion;
    memset(&Expansion, 0, sizeof(Expansion));
    Expansion.Callout = Callout;
    Expansion.Parameter = Parameter;
    PKTHREAD Thread = KeGetCurrentPrcb()->CurrentThread;
    HalCallOnStack(&Segment, &Thread->Context, IopExpandedCall, &Expansion);
    HalFreeStack(&Segment);
    if (Expansion.Raised) {
        Expansion.Record.ExceptionFlags |= EXCEPTION_NONCONTINUABLE;
        RtlRaiseException(&Expansion.Record);
    }
    return STATUS_SUCCESS;
}

NTSTATUS KeExpandKernelStackAndCallout(PEXPAND_STACK_CALLOUT Callout, PVOID Parameter, SIZE_T Size)
{
    return KeExpandKernelStackAndCalloutEx(Callout, Parameter, Size, TRUE, NULL);
}
