/*
 * vf/callback.c - which driver callback the current thread is running:
 * the frames the dispatchers push around each callback, so that a rule
 * broken inside one names it, and the rules that concern callbacks can
 * tell that they apply.
 */
#include "vf/vf.h"

VOID VfEnterCallback(VF_CALLBACK_FRAME *Frame, VF_CALLBACK_KIND Kind, PVOID Routine)
{
    PKTHREAD Thread = KiCurrentThread();
    Frame->Kind = Kind;
    Frame->QueuedBy = NULL;
    Frame->Routine = Routine;
    Frame->StackAtEntry = __builtin_frame_address(0);
    Frame->StartRunTime = Thread->KernelTime + Thread->UserTime;
    Frame->Next = Thread->VerifierCallbacks;
    Thread->VerifierCallbacks = Frame;
}

VOID VfLeaveCallback(VF_CALLBACK_FRAME *Frame)
{
    PKTHREAD Thread = KiCurrentThread();
    if (Thread->VerifierCallbacks != Frame)
        KiInternalError("verifier callback frames out of order on thread %p", (void *)Thread);
    Thread->VerifierCallbacks = Frame->Next;
}

VF_CALLBACK_FRAME *VfCurrentCallback(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    return Prcb != NULL && Prcb->CurrentThread != NULL ? Prcb->CurrentThread->VerifierCallbacks : NULL;
}
