/*
 * ke/except_x64.S - the machine-level half of exception dispatch: capturing
 * and restoring a CONTEXT, raising, the landing point of a redirected trap,
 * and the jumps the dispatcher makes into and out of a function's frame to
 * evaluate its filter (see docs/seh.md).
 *
 * Offsets are those of the documented x64 CONTEXT (ke/except.c asserts
 * them) and of KI_JUMP_BUFFER / KI_RESTORE_PLAN in ke/except.h.
 */
#if defined(__x86_64__)

#define CTX_ContextFlags 0x30
#define CTX_MxCsr 0x34
#define CTX_SegCs 0x38
#define CTX_SegDs 0x3a
#define CTX_SegEs 0x3c
#define CTX_SegFs 0x3e
#define CTX_SegGs 0x40
#define CTX_SegSs 0x42
#define CTX_EFlags 0x44
#define CTX_Rax 0x78
#define CTX_Rcx 0x80
#define CTX_Rdx 0x88
#define CTX_Rbx 0x90
#define CTX_Rsp 0x98
#define CTX_Rbp 0xa0
#define CTX_Rsi 0xa8
#define CTX_Rdi 0xb0
#define CTX_R8 0xb8
#define CTX_R9 0xc0
#define CTX_R10 0xc8
#define CTX_R11 0xd0
#define CTX_R12 0xd8
#define CTX_R13 0xe0
#define CTX_R14 0xe8
#define CTX_R15 0xf0
#define CTX_Rip 0xf8
#define CTX_FltSave 0x100
#define CTX_SIZE 1232
#define ER_ExceptionAddress 0x10
#define CONTEXT_FULL_SEGMENTS 0x10000f

/* RtlRestoreContext keeps the target's Rip and Rax in two slots just below
 * its red zone while every register is reloaded (KI_RESTORE_GAP leaves the
 * room free in every frame the dispatcher builds). */
#define SLOT_RIP (-144)
#define SLOT_RAX (-136)
#define RESTORE_GAP 256

#define JB_Rbx 0
#define JB_Rbp 8
#define JB_R12 16
#define JB_R13 24
#define JB_R14 32
#define JB_R15 40
#define JB_Rsp 48
#define JB_Rip 56
#define JB_MxCsr 64
#define JB_Fpu 68

#define FUNCTION(name) \
    .globl name; .type name, @function; name:
#define HIDDEN(name) \
    .globl name; .hidden name; .type name, @function; name:
#define END(name) .size name, .-name

    .text

/* VOID RtlCaptureContext(PCONTEXT Context): the caller's registers as they
 * are at the call, Rip the return address and Rsp the stack after return. */
FUNCTION(RtlCaptureContext)
    .cfi_startproc
    pushfq
    .cfi_adjust_cfa_offset 8
    movq %rax, CTX_Rax(%rdi)
    movq %rcx, CTX_Rcx(%rdi)
    movq %rdx, CTX_Rdx(%rdi)
    movq %rbx, CTX_Rbx(%rdi)
    movq %rbp, CTX_Rbp(%rdi)
    movq %rsi, CTX_Rsi(%rdi)
    movq %rdi, CTX_Rdi(%rdi)
    movq %r8, CTX_R8(%rdi)
    movq %r9, CTX_R9(%rdi)
    movq %r10, CTX_R10(%rdi)
    movq %r11, CTX_R11(%rdi)
    movq %r12, CTX_R12(%rdi)
    movq %r13, CTX_R13(%rdi)
    movq %r14, CTX_R14(%rdi)
    movq %r15, CTX_R15(%rdi)
    popq %rax
    .cfi_adjust_cfa_offset -8
    movl %eax, CTX_EFlags(%rdi)
    movq (%rsp), %rax
    movq %rax, CTX_Rip(%rdi)
    leaq 8(%rsp), %rax
    movq %rax, CTX_Rsp(%rdi)
    movw %cs, CTX_SegCs(%rdi)
    movw %ds, CTX_SegDs(%rdi)
    movw %es, CTX_SegEs(%rdi)
    movw %fs, CTX_SegFs(%rdi)
    movw %gs, CTX_SegGs(%rdi)
    movw %ss, CTX_SegSs(%rdi)
    stmxcsr CTX_MxCsr(%rdi)
    fxsave64 CTX_FltSave(%rdi)
    movl $CONTEXT_FULL_SEGMENTS, CTX_ContextFlags(%rdi)
    movq CTX_Rax(%rdi), %rax
    ret
    .cfi_endproc
END(RtlCaptureContext)

/* VOID RtlRestoreContext(PCONTEXT Context, PEXCEPTION_RECORD Unused):
 * continue at Context. Nothing is written to the target stack above
 * Rsp - 128 (its red zone may hold live data). */
FUNCTION(RtlRestoreContext)
    .cfi_startproc
    fxrstor64 CTX_FltSave(%rdi)
    ldmxcsr CTX_MxCsr(%rdi)
    movq CTX_Rsp(%rdi), %rsi
    movq CTX_Rip(%rdi), %rax
    movq %rax, SLOT_RIP(%rsi)
    movq CTX_Rax(%rdi), %rax
    movq %rax, SLOT_RAX(%rsi)
    movl CTX_EFlags(%rdi), %eax
    pushq %rax
    popfq
    movq CTX_Rcx(%rdi), %rcx
    movq CTX_Rdx(%rdi), %rdx
    movq CTX_Rbx(%rdi), %rbx
    movq CTX_Rbp(%rdi), %rbp
    movq CTX_Rsi(%rdi), %rsi
    movq CTX_R8(%rdi), %r8
    movq CTX_R9(%rdi), %r9
    movq CTX_R10(%rdi), %r10
    movq CTX_R11(%rdi), %r11
    movq CTX_R12(%rdi), %r12
    movq CTX_R13(%rdi), %r13
    movq CTX_R14(%rdi), %r14
    movq CTX_R15(%rdi), %r15
    movq CTX_Rsp(%rdi), %rsp
    movq CTX_Rdi(%rdi), %rdi
    movq SLOT_RAX(%rsp), %rax
    jmpq *SLOT_RIP(%rsp)
    .cfi_endproc
END(RtlRestoreContext)

/* VOID RtlRaiseException(PEXCEPTION_RECORD Record): capture the caller's
 * context, dispatch, and continue at that context (possibly changed by a
 * filter) if a filter says EXCEPTION_CONTINUE_EXECUTION. */
FUNCTION(RtlRaiseException)
    .cfi_startproc
    pushq %rbp
    .cfi_def_cfa_offset 16
    .cfi_offset rbp, -16
    movq %rsp, %rbp
    .cfi_def_cfa_register rbp
    pushq %rdi                          /* -8(%rbp): the record */
    subq $(RESTORE_GAP + CTX_SIZE + 16), %rsp
    andq $-16, %rsp                     /* the CONTEXT is at (%rsp) */
    movq %rsp, %rdi
    call RtlCaptureContext
    movq 8(%rbp), %rax                  /* as seen from our caller */
    movq %rax, CTX_Rip(%rsp)
    leaq 16(%rbp), %rax
    movq %rax, CTX_Rsp(%rsp)
    movq (%rbp), %rax
    movq %rax, CTX_Rbp(%rsp)
    movq -8(%rbp), %rdi
    movq %rdi, CTX_Rdi(%rsp)
    movq 8(%rbp), %rax
    movq %rax, ER_ExceptionAddress(%rdi)
    movq %rsp, %rsi
    call KiDispatchException            /* returns only to continue */
    movq %rsp, %rdi
    xorl %esi, %esi
    jmp RtlRestoreContext
    .cfi_endproc
END(RtlRaiseException)

/* Where a trap redirected by KiDispatchTrap lands, on the interrupted stack
 * below its red zone: rdi = record, rsi = context. The fake frame makes the
 * interrupted code the caller in backtraces. */
HIDDEN(KiTrapEntry)
    .cfi_startproc
    .cfi_undefined rip
    pushq CTX_Rip(%rsi)
    pushq CTX_Rbp(%rsi)
    movq %rsp, %rbp
    pushq %rsi
    pushq %rsi
    call KiDispatchException            /* returns only to continue */
    popq %rdi
    xorl %esi, %esi
    jmp RtlRestoreContext
    .cfi_endproc
END(KiTrapEntry)

/* ULONG KiSaveJump(KI_JUMP_BUFFER *Buffer): returns 0, and 1 when resumed
 * by KiRestoreAndJump. */
HIDDEN(KiSaveJump)
    .cfi_startproc
    movq %rbx, JB_Rbx(%rdi)
    movq %rbp, JB_Rbp(%rdi)
    movq %r12, JB_R12(%rdi)
    movq %r13, JB_R13(%rdi)
    movq %r14, JB_R14(%rdi)
    movq %r15, JB_R15(%rdi)
    leaq 8(%rsp), %rax
    movq %rax, JB_Rsp(%rdi)
    movq (%rsp), %rax
    movq %rax, JB_Rip(%rdi)
    stmxcsr JB_MxCsr(%rdi)
    fnstcw JB_Fpu(%rdi)
    xorl %eax, %eax
    ret
    .cfi_endproc
END(KiSaveJump)

/* VOID KiRestoreAndJump(KI_RESTORE_PLAN *Plan): do the plan's copies and
 * resume its jump buffer. The copies may overwrite the stack this routine
 * was called on, so it uses no stack from the first copy on. */
HIDDEN(KiRestoreAndJump)
    .cfi_startproc
    movq %rdi, %r8
    cld
    movq 0(%r8), %rdi
    movq 16(%r8), %rsi
    movq 32(%r8), %rcx
    rep movsb
    movq 8(%r8), %rdi
    movq 24(%r8), %rsi
    movq 40(%r8), %rcx
    rep movsb
    movq 48(%r8), %r8
    movq JB_Rbx(%r8), %rbx
    movq JB_Rbp(%r8), %rbp
    movq JB_R12(%r8), %r12
    movq JB_R13(%r8), %r13
    movq JB_R14(%r8), %r14
    movq JB_R15(%r8), %r15
    ldmxcsr JB_MxCsr(%r8)
    fldcw JB_Fpu(%r8)
    movq JB_Rsp(%r8), %rsp
    movl $1, %eax
    jmpq *JB_Rip(%r8)
    .cfi_endproc
END(KiRestoreAndJump)

/* VOID RtlpSehResume(PVOID *Resume): resume a __try frame's
 * __builtin_setjmp (it returns 1): frame pointer, stack pointer, receiver,
 * as __builtin_longjmp does. */
FUNCTION(RtlpSehResume)
    .cfi_startproc
    movq 0(%rdi), %rbp
    movq 16(%rdi), %rsp
    jmpq *8(%rdi)
    .cfi_endproc
END(RtlpSehResume)

/* VOID KiCopyRaw(PVOID Destination, const VOID *Source, SIZE_T Length):
 * a copy no sanitizer looks at (stack bytes under redzones, shadow bytes). */
HIDDEN(KiCopyRaw)
    .cfi_startproc
    movq %rdx, %rcx
    cld
    rep movsb
    ret
    .cfi_endproc
END(KiCopyRaw)

/* The breakpoint exception, STATUS_BREAKPOINT, raised by an int3 here. */
FUNCTION(DbgBreakPoint)
    .cfi_startproc
    int3
    ret
    .cfi_endproc
END(DbgBreakPoint)

FUNCTION(DbgBreakPointWithStatus)
    .cfi_startproc
    movl %edi, %eax
    int3
    ret
    .cfi_endproc
END(DbgBreakPointWithStatus)

#endif

    .section .note.GNU-stack,"",@progbits
