/*
 * ddk/seh.h - structured exception handling for driver sources: the
 * exception and context records, and __try / __except / __finally /
 * __leave as driver code writes them. Written for ntps from Microsoft's
 * documentation of the try-except and try-finally statements; the design
 * (GCC has no SEH of its own) is described in docs/seh.md.
 *
 * How a try statement expands, in short: the frame is a local declared by
 * the statement; the __try body runs inside a statement expression in the
 * declaration's initializer (so break, continue, goto and return in the
 * body mean what they mean around it); the frame is registered on the
 * current thread's handler chain and remembers a setjmp context, through
 * which the kernel's exception dispatcher re-enters the function to
 * evaluate the filter (while the deeper frames still exist) and to run the
 * handler or the __finally block.
 */
#ifndef _NTPS_DDK_SEH_H
#define _NTPS_DDK_SEH_H

#include <setjmp.h>

NTPS_BEGIN_DECLS

/* ---- exception records ---------------------------------------------------- */
#define EXCEPTION_MAXIMUM_PARAMETERS 15
#define EXCEPTION_NONCONTINUABLE 0x01
#define EXCEPTION_UNWINDING 0x02
#define EXCEPTION_EXIT_UNWIND 0x04
#define EXCEPTION_STACK_INVALID 0x08
#define EXCEPTION_NESTED_CALL 0x10
#define EXCEPTION_TARGET_UNWIND 0x20
#define EXCEPTION_COLLIDED_UNWIND 0x40
#define EXCEPTION_UNWIND (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND | EXCEPTION_TARGET_UNWIND | \
                          EXCEPTION_COLLIDED_UNWIND)

typedef struct _EXCEPTION_RECORD {
    NTSTATUS ExceptionCode;
    ULONG ExceptionFlags;
    struct _EXCEPTION_RECORD *ExceptionRecord;
    PVOID ExceptionAddress;
    ULONG NumberParameters;
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;

/* ---- the x64 CONTEXT (documented layout: 1232 bytes, 16-byte aligned) ------ */
typedef struct DECLSPEC_ALIGN(16) _M128A {
    ULONGLONG Low;
    LONGLONG High;
} M128A, *PM128A;

typedef struct DECLSPEC_ALIGN(16) _XSAVE_FORMAT {
    USHORT ControlWord;
    USHORT StatusWord;
    UCHAR TagWord;
    UCHAR Reserved1;
    USHORT ErrorOpcode;
    ULONG ErrorOffset;
    USHORT ErrorSelector;
    USHORT Reserved2;
    ULONG DataOffset;
    USHORT DataSelector;
    USHORT Reserved3;
    ULONG MxCsr;
    ULONG MxCsr_Mask;
    M128A FloatRegisters[8];
    M128A XmmRegisters[16];
    UCHAR Reserved4[96];
} XSAVE_FORMAT, *PXSAVE_FORMAT, XMM_SAVE_AREA32, *PXMM_SAVE_AREA32;

#define CONTEXT_AMD64 0x00100000L
#define CONTEXT_CONTROL (CONTEXT_AMD64 | 0x00000001L)
#define CONTEXT_INTEGER (CONTEXT_AMD64 | 0x00000002L)
#define CONTEXT_SEGMENTS (CONTEXT_AMD64 | 0x00000004L)
#define CONTEXT_FLOATING_POINT (CONTEXT_AMD64 | 0x00000008L)
#define CONTEXT_DEBUG_REGISTERS (CONTEXT_AMD64 | 0x00000010L)
#define CONTEXT_FULL (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_FLOATING_POINT)
#define CONTEXT_ALL (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS | CONTEXT_FLOATING_POINT | \
                     CONTEXT_DEBUG_REGISTERS)
#define CONTEXT_XSTATE (CONTEXT_AMD64 | 0x00000040L)
#define CONTEXT_KERNEL_CET (CONTEXT_AMD64 | 0x00000080L)
#define CONTEXT_EXCEPTION_ACTIVE 0x08000000L
#define CONTEXT_SERVICE_ACTIVE 0x10000000L
#define CONTEXT_EXCEPTION_REQUEST 0x40000000L
#define CONTEXT_EXCEPTION_REPORTING 0x80000000L

typedef struct DECLSPEC_ALIGN(16) _CONTEXT {
    ULONG64 P1Home, P2Home, P3Home, P4Home, P5Home, P6Home;
    ULONG ContextFlags;
    ULONG MxCsr;
    USHORT SegCs, SegDs, SegEs, SegFs, SegGs, SegSs;
    ULONG EFlags;
    ULONG64 Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;
    ULONG64 Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi;
    ULONG64 R8, R9, R10, R11, R12, R13, R14, R15;
    ULONG64 Rip;
    union {
        XMM_SAVE_AREA32 FltSave;
        struct {
            M128A Header[2];
            M128A Legacy[8];
            M128A Xmm0, Xmm1, Xmm2, Xmm3, Xmm4, Xmm5, Xmm6, Xmm7;
            M128A Xmm8, Xmm9, Xmm10, Xmm11, Xmm12, Xmm13, Xmm14, Xmm15;
        } DUMMYSTRUCTNAME;
    } DUMMYUNIONNAME;
    M128A VectorRegister[26];
    ULONG64 VectorControl;
    ULONG64 DebugControl;
    ULONG64 LastBranchToRip;
    ULONG64 LastBranchFromRip;
    ULONG64 LastExceptionToRip;
    ULONG64 LastExceptionFromRip;
} CONTEXT, *PCONTEXT;

typedef struct _EXCEPTION_POINTERS {
    PEXCEPTION_RECORD ExceptionRecord;
    PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;

/* Filter results. */
#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)

/* Exception codes under their Win32 names. */
#define EXCEPTION_ACCESS_VIOLATION STATUS_ACCESS_VIOLATION
#define EXCEPTION_DATATYPE_MISALIGNMENT STATUS_DATATYPE_MISALIGNMENT
#define EXCEPTION_BREAKPOINT STATUS_BREAKPOINT
#define EXCEPTION_ILLEGAL_INSTRUCTION STATUS_ILLEGAL_INSTRUCTION
#define EXCEPTION_PRIV_INSTRUCTION STATUS_PRIVILEGED_INSTRUCTION
#define EXCEPTION_INT_DIVIDE_BY_ZERO STATUS_INTEGER_DIVIDE_BY_ZERO
#define EXCEPTION_INT_OVERFLOW STATUS_INTEGER_OVERFLOW
#define EXCEPTION_STACK_OVERFLOW STATUS_STACK_OVERFLOW
#define EXCEPTION_NONCONTINUABLE_EXCEPTION STATUS_NONCONTINUABLE_EXCEPTION
#define EXCEPTION_IN_PAGE_ERROR STATUS_IN_PAGE_ERROR

/* ---- raising -------------------------------------------------------------- */
NTKERNELAPI VOID RtlRaiseException(PEXCEPTION_RECORD ExceptionRecord);
NTKERNELAPI DECLSPEC_NORETURN VOID RtlRaiseStatus(NTSTATUS Status);
NTKERNELAPI VOID RtlCaptureContext(PCONTEXT ContextRecord);
/* Continue at ContextRecord (the documented RtlRestoreContext with no
 * exception record). */
NTKERNELAPI DECLSPEC_NORETURN VOID RtlRestoreContext(PCONTEXT ContextRecord, PEXCEPTION_RECORD ExceptionRecord);

/* ---- the runtime behind the keywords (ke/seh.c) ---------------------------- */
#define RTLP_SEH_EXCEPT 1
#define RTLP_SEH_FINALLY 2

#define RTLP_SEH_INIT 0     /* declared, not yet registered */
#define RTLP_SEH_BODY 1     /* registered: the __try body runs */
#define RTLP_SEH_FILTER 2   /* the dispatcher re-entered to evaluate the filter */
#define RTLP_SEH_HANDLER 3  /* unwound to: the __except block runs */
#define RTLP_SEH_FINALLY_BLOCK 4    /* the __finally block runs */
#define RTLP_SEH_DONE 5

typedef struct _RTLP_SEH_FRAME {
    struct _RTLP_SEH_FRAME *Next;   /* the next outer frame on this thread */
    UCHAR Kind;                     /* RTLP_SEH_EXCEPT, RTLP_SEH_FINALLY (or the kernel's own) */
    volatile UCHAR Phase;
    BOOLEAN Abnormal;               /* AbnormalTermination() */
    BOOLEAN ConstantFilter;         /* the filter is a constant: no need to re-enter */
    LONG FilterValue;
    NTSTATUS Code;                  /* GetExceptionCode() */
    UCHAR Flags;                    /* RTLP_SEH_FLAG_* */
    PEXCEPTION_POINTERS Pointers;   /* GetExceptionInformation(), in the filter */
    PVOID Dispatch;                 /* the dispatch that re-entered this frame */
    PVOID Owner;                    /* the thread (consistency checks) */
    /* __builtin_setjmp's buffer (frame pointer, receiver, stack pointer):
     * GCC treats every call in the function as a possible jump to its
     * receiver, so variables keep the values they had at the call. */
    PVOID Resume[5];
    jmp_buf Jump;                   /* ThreadSanitizer builds: its longjmp bookkeeping */
} RTLP_SEH_FRAME, *PRTLP_SEH_FRAME;

#define RTLP_SEH_FLAG_JUMP 0x01     /* Jump is set: unwind to the frame with longjmp */

NTKERNELAPI VOID RtlpSehEnter(PRTLP_SEH_FRAME Frame, ULONG Kind, BOOLEAN ConstantFilter, LONG FilterValue);
NTKERNELAPI DECLSPEC_NORETURN VOID RtlpSehResume(PVOID *Resume);
NTKERNELAPI PRTLP_SEH_FRAME RtlpSehEndBody(PRTLP_SEH_FRAME Frame);
NTKERNELAPI DECLSPEC_NORETURN VOID RtlpSehFilterDone(PRTLP_SEH_FRAME Frame, LONG Value);
NTKERNELAPI VOID RtlpSehFinallyDone(PRTLP_SEH_FRAME Frame);
NTKERNELAPI VOID RtlpSehCleanup(PRTLP_SEH_FRAME Frame);

NTPS_END_DECLS

/* ---- the keywords ------------------------------------------------------------- */
/* The kernel restores no register into a variable that crosses the setjmp
 * (GCC keeps every such variable in memory), so -Wclobbered's warning about
 * them is noise here. */
#pragma GCC diagnostic ignored "-Wclobbered"

#if defined(__cplusplus)
/* libstdc++ maps __try/__catch to if (true)/if (false) under -fno-exceptions;
 * take its definitions now so that its guard keeps them from coming back. */
#if __has_include(<bits/exception_defines.h>)
#include <bits/exception_defines.h>
#endif
#undef __try
#undef __catch
/* C++17: the frame lives in the if statement's init-statement, so break
 * and continue in the __except/__finally block reach the enclosing loop. */
#define RTLP_SEH_HEAD if (
#define RTLP_SEH_TAIL(Condition, Step) ; Condition)
#else
/* C: the frame lives in a for statement that runs its block at most once. */
#define RTLP_SEH_HEAD for (
#define RTLP_SEH_TAIL(Condition, Step) ; Condition; Step)
#endif

/* ThreadSanitizer keeps a shadow call stack that only its longjmp
 * interceptor unwinds: give it a jmp_buf to unwind to, which lands in
 * RtlpSehResume on the way to the frame's receiver. */
#if defined(__SANITIZE_THREAD__)
#define RTLP_SEH_TSAN_SETJMP \
                if (_setjmp(_seh_frame.Jump) != 0) \
                    RtlpSehResume(_seh_frame.Resume);
#define RTLP_SEH_ENTER_FLAGS (RTLP_SEH_FLAG_JUMP << 8)
#else
#define RTLP_SEH_TSAN_SETJMP
#define RTLP_SEH_ENTER_FLAGS 0
#endif

#define RTLP_SEH_OPEN \
    RTLP_SEH_FRAME _seh_frame __attribute__((cleanup(RtlpSehCleanup))), \
        *_seh_end __attribute__((unused)) = __extension__({ \
            __label__ _seh_top, _seh_leave; \
            _seh_frame.Phase = RTLP_SEH_INIT; \
        _seh_top: \
            if (_seh_frame.Phase == RTLP_SEH_BODY)

#define RTLP_SEH_REGISTER(Kind, ...) \
            else if (_seh_frame.Phase == RTLP_SEH_INIT) { \
                RtlpSehEnter(&_seh_frame, (Kind) | RTLP_SEH_ENTER_FLAGS, __builtin_constant_p((__VA_ARGS__)), \
                             __builtin_constant_p((__VA_ARGS__)) ? (LONG)(__VA_ARGS__) : 0); \
                RTLP_SEH_TSAN_SETJMP \
                if (__builtin_setjmp(_seh_frame.Resume) == 0) \
                    _seh_frame.Phase = RTLP_SEH_BODY; \
                if (0) \
                    goto _seh_leave;    /* used, for the bodies without __leave */ \
                goto _seh_top; \
            }

#define RTLP_SEH_CLOSE \
        _seh_leave: \
            RtlpSehEndBody(&_seh_frame); \
        })

#define __try RTLP_SEH_HEAD RTLP_SEH_OPEN

/* The filter is an expression that may contain commas, as it may on Windows. */
#define __except(...) \
            RTLP_SEH_REGISTER(RTLP_SEH_EXCEPT, __VA_ARGS__) \
            else if (_seh_frame.Phase == RTLP_SEH_FILTER) \
                RtlpSehFilterDone(&_seh_frame, (LONG)(__VA_ARGS__)); \
        RTLP_SEH_CLOSE \
        RTLP_SEH_TAIL(_seh_frame.Phase == RTLP_SEH_HANDLER, _seh_frame.Phase = RTLP_SEH_DONE)

#define __finally \
            RTLP_SEH_REGISTER(RTLP_SEH_FINALLY, 0) \
        RTLP_SEH_CLOSE \
        RTLP_SEH_TAIL(_seh_frame.Phase == RTLP_SEH_FINALLY_BLOCK, RtlpSehFinallyDone(&_seh_frame))

#define __leave goto _seh_leave

/* MSVC's other spellings: _try, _except, _finally, _leave in C and C++;
 * and in C (not C++, where try is C++'s own), try, except, finally and
 * leave, which the Windows headers define for C. Driver and client code
 * only: the kernel's own sources keep those names free. */
#if defined(NTPS_DRIVER) || defined(NTPS_USER)
#define _try __try
#define _except __except
#define _finally __finally
#define _leave __leave
#if !defined(__cplusplus)
#define try __try
#define except __except
#define finally __finally
#define leave __leave
#endif
#endif

#define GetExceptionCode() ((NTSTATUS)_seh_frame.Code)
#define GetExceptionInformation() ((PEXCEPTION_POINTERS)_seh_frame.Pointers)
#define AbnormalTermination() ((int)_seh_frame.Abnormal)
#define _exception_code() GetExceptionCode()
#define _exception_info() ((PVOID)GetExceptionInformation())
#define _abnormal_termination() AbnormalTermination()

#endif /* _NTPS_DDK_SEH_H */
