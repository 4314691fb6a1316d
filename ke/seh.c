/*
 * ke/seh.c - the runtime behind __try / __except / __finally (the macros
 * are in include/ddk/seh.h): registering a try statement's frame on the
 * current thread's handler chain, and what happens at each way out of it.
 */
#include "ke/except.h"

#include <stdio.h>

static PRTLP_SEH_FRAME *KiCurrentChain(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb == NULL || Prcb->CurrentThread == NULL)
        KiInternalError("__try outside any NT thread");
    return KiExceptionChain(Prcb->CurrentThread);
}

VOID RtlpSehEnter(PRTLP_SEH_FRAME Frame, ULONG Kind, BOOLEAN ConstantFilter, LONG FilterValue)
{
    PRTLP_SEH_FRAME *Chain = KiCurrentChain();
    Frame->Kind = (UCHAR)Kind;          /* the low byte; RTLP_SEH_FLAG_* above it */
    Frame->Flags = (UCHAR)(Kind >> 8);
    Frame->Abnormal = FALSE;
    Frame->ConstantFilter = ConstantFilter;
    Frame->FilterValue = FilterValue;
    Frame->Code = 0;
    Frame->Pointers = NULL;
    Frame->Dispatch = NULL;
    Frame->Owner = CONTAINING_RECORD(Chain, KTHREAD, ExceptionState);
    Frame->Next = *Chain;
    *Chain = Frame;
}

static VOID KiUnlinkFrame(PRTLP_SEH_FRAME Frame)
{
    PRTLP_SEH_FRAME *Chain = KiCurrentChain();
    if (*Chain != Frame)
        KiInternalError("__try frame %p left while %p is the innermost one (a longjmp out of a __try?)",
                        (void *)Frame, (void *)*Chain);
    *Chain = Frame->Next;
}

/* The body finished: normally, by __leave, or (handler, __finally during an
 * unwind) the dispatcher re-entered the frame after unlinking it. */
PRTLP_SEH_FRAME RtlpSehEndBody(PRTLP_SEH_FRAME Frame)
{
    if (Frame->Phase != RTLP_SEH_BODY)
        return Frame;
    KiUnlinkFrame(Frame);
    if (Frame->Kind == RTLP_SEH_FINALLY) {
        Frame->Abnormal = FALSE;
        Frame->Phase = RTLP_SEH_FINALLY_BLOCK;
    } else {
        Frame->Phase = RTLP_SEH_DONE;
    }
    return Frame;
}

/* The __finally block finished: during an unwind, go on with it. */
VOID RtlpSehFinallyDone(PRTLP_SEH_FRAME Frame)
{
    KI_DISPATCH *Dispatch = Frame->Dispatch;
    Frame->Phase = RTLP_SEH_DONE;
    if (Frame->Abnormal && Dispatch != NULL) {
        Frame->Dispatch = NULL;
        KiContinueUnwind(Dispatch);
    }
}

/* The try statement's scope is left (GCC's cleanup attribute): by its end,
 * or by a jump (return, goto, break, continue) out of the body or the
 * block. A jump out of a body unlinks the frame; it cannot run a __finally
 * (docs/seh.md), so it says so. */
VOID RtlpSehCleanup(PRTLP_SEH_FRAME Frame)
{
    switch (Frame->Phase) {
    case RTLP_SEH_BODY:
        KiUnlinkFrame(Frame);
        Frame->Phase = RTLP_SEH_DONE;
        if (Frame->Kind == RTLP_SEH_FINALLY) {
            char Where[160];
            KiDescribeAddress(__builtin_return_address(0), Where, sizeof(Where));
            DbgPrint("ntps: a jump out of a __try body in %s skipped its __finally block (docs/seh.md)\n", Where);
        }
        break;
    case RTLP_SEH_FINALLY_BLOCK:
        RtlpSehFinallyDone(Frame);
        break;
    case RTLP_SEH_FILTER:
        KiInternalError("a jump out of the exception filter of frame %p", (void *)Frame);
    default:
        Frame->Phase = RTLP_SEH_DONE;
        break;
    }
}
