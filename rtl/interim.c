/*
 * rtl/interim.c - a weak fallback so the kernel links while the SEH runtime
 * lands: until then a raised status is the unhandled-exception bug check.
 */
#include "rtl/rtl.h"
#include "ke/ke.h"


__attribute__((weak)) VOID RtlRaiseStatus(NTSTATUS Status)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    BOOLEAN System = Prcb != NULL && Prcb->CurrentThread->SystemThread && !Prcb->DpcRoutineActive;
    KeBugCheckEx(System ? SYSTEM_THREAD_EXCEPTION_NOT_HANDLED : KMODE_EXCEPTION_NOT_HANDLED, (ULONG)Status,
                 (ULONG_PTR)__builtin_return_address(0), 0, 0);
}
