/*
 * ke/backtrace.c - RtlCaptureStackBackTrace: the return addresses on the
 * current stack, innermost first, by walking the frame-pointer chain (ntps
 * and the drivers ntps cc builds keep frame pointers), as the bug check
 * report does. The walk stays on the stack the caller runs on (the thread's
 * kernel stack, the processor's DPC stack, or an expanded stack segment)
 * and stops where the chain leaves it. BackTrace[0] is the return address
 * into the caller of RtlCaptureStackBackTrace. The hash is the sum of the
 * captured addresses (their low 32 bits): equal traces hash equally.
 */
#include "ke/ke.h"

__attribute__((noinline)) USHORT RtlCaptureStackBackTrace(ULONG FramesToSkip, ULONG FramesToCapture,
                                                          PVOID *BackTrace, PULONG BackTraceHash)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    ULONG Captured = 0, Hash = 0;
    if (FramesToCapture > MAXUSHORT)
        FramesToCapture = MAXUSHORT;
    if (Prcb != NULL && Prcb->CurrentThread != NULL && BackTrace != NULL) {
        const HAL_CONTEXT *Stack = &Prcb->CurrentThread->Context;
        ULONG_PTR Low = (ULONG_PTR)Stack->StackBottom, High = Low + Stack->StackSize;
        ULONG_PTR *Frame = __builtin_frame_address(0);
        while (Captured < FramesToCapture && ((ULONG_PTR)Frame & 7) == 0 && (ULONG_PTR)Frame >= Low &&
               (ULONG_PTR)Frame + 2 * sizeof(ULONG_PTR) <= High) {
            PVOID Return = (PVOID)Frame[1];
            if (Return == NULL)
                break;
            if (FramesToSkip != 0) {
                FramesToSkip--;
            } else {
                BackTrace[Captured++] = Return;
                Hash += (ULONG)(ULONG_PTR)Return;
            }
            ULONG_PTR *Next = (ULONG_PTR *)Frame[0];
            if (Next <= Frame)
                break;
            Frame = Next;
        }
    }
    if (BackTraceHash != NULL)
        *BackTraceHash = Hash;
    return (USHORT)Captured;
}
