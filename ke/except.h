/*
 * ke/except.h - the exception dispatcher's private interface, shared by
 * ke/except.c (dispatch, unwinding, traps), ke/seh.c (the runtime behind
 * the __try keywords) and ke/except_x64.S. See docs/seh.md.
 */
#ifndef NTPS_KE_EXCEPT_H
#define NTPS_KE_EXCEPT_H

#include "ke/ke.h"

/* Kind of the frame a dispatch links on the chain while a filter or a
 * __finally block it started is running (RTLP_SEH_EXCEPT/FINALLY are 1, 2). */
#define KI_SEH_DISPATCH 3

/* Room the red zone and RtlRestoreContext's scratch slots need above the
 * frames the dispatcher builds below an interrupted stack pointer. */
#define KI_RED_ZONE 128
#define KI_RESTORE_GAP 256

/* A context KiSaveJump saves and KiRestoreAndJump resumes (returns 1). */
typedef struct _KI_JUMP_BUFFER {
    ULONG64 Rbx, Rbp, R12, R13, R14, R15, Rsp, Rip;
    ULONG MxCsr;
    USHORT FpuControl;
} KI_JUMP_BUFFER;

/* Up to two raw copies done just before resuming Jump (stack bytes and,
 * under ASan, their shadow), on no stack at all. */
typedef struct _KI_RESTORE_PLAN {
    PVOID Destination[2];
    PVOID Source[2];
    SIZE_T Length[2];
    KI_JUMP_BUFFER *Jump;
} KI_RESTORE_PLAN;

typedef struct _KI_DISPATCH {
    RTLP_SEH_FRAME Marker;          /* Kind KI_SEH_DISPATCH, Dispatch = this */
    CONTEXT Context;
    EXCEPTION_RECORD Record;
    EXCEPTION_RECORD NestedRecord;  /* the one a STATUS_NONCONTINUABLE_EXCEPTION is about */
    EXCEPTION_POINTERS Pointers;
    PKTHREAD Thread;
    PRTLP_SEH_FRAME SavedHead;      /* the chain while the filter is not running */
    PRTLP_SEH_FRAME Target;         /* the handler being unwound to */
    LONG FilterValue;
    ULONG Depth;                    /* dispatches nested inside this one's filters */
    KI_JUMP_BUFFER Resume;          /* back into the dispatcher after a filter */
    KI_RESTORE_PLAN Plan;
    PVOID SaveLow;                  /* the stack region a filter may overwrite, */
    SIZE_T SaveSize;                /* up to the top of the filter's function's frame */
    SIZE_T BelowFrame;              /* the part of it below that function's frame */
    PVOID SaveBuffer;
    SIZE_T SaveCapacity;
    PVOID ShadowBuffer;             /* ASan: the region's shadow bytes */
    PVOID SanitizerFiber;           /* TSan: the fiber the dispatch started on */
    PVOID VisitFiber;               /* TSan: the fiber a filter runs on */
} KI_DISPATCH;

/* ke/except_x64.S */
__attribute__((returns_twice)) ULONG KiSaveJump(KI_JUMP_BUFFER *Buffer);
DECLSPEC_NORETURN VOID KiRestoreAndJump(KI_RESTORE_PLAN *Plan);
VOID KiCopyRaw(PVOID Destination, const VOID *Source, SIZE_T Length);
VOID KiTrapEntry(VOID);

/* ke/except.c */
VOID KiDispatchException(PEXCEPTION_RECORD Record, PCONTEXT Context);
DECLSPEC_NORETURN VOID KiContinueUnwind(KI_DISPATCH *Dispatch);
PRTLP_SEH_FRAME *KiExceptionChain(PKTHREAD Thread);
VOID KiSanitizerLeaveVisit(KI_DISPATCH *Dispatch);
VOID KiSanitizerAbandonStack(VOID);

#endif /* NTPS_KE_EXCEPT_H */
