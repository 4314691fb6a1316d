/*
 * hal/context_x64.S - the x86-64 context switch.
 *
 * A context is its saved stack pointer; everything else the System V ABI
 * asks a callee to preserve (rbx, rbp, r12-r15, MXCSR control bits, x87
 * control word) is pushed on the stack being left.
 */
#if defined(__x86_64__) && !defined(NTPS_UCONTEXT)

    .text

/* void HalpSwapStacks(void **SaveSp, void *NewSp) */
    .globl HalpSwapStacks
    .hidden HalpSwapStacks
    .type HalpSwapStacks, @function
HalpSwapStacks:
    .cfi_startproc
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .cfi_endproc
    .size HalpSwapStacks, .-HalpSwapStacks

/* First instruction of a new context: r12 = entry, r13 = argument.
 * The stack is 16-byte aligned here, as a call site needs. */
    .globl HalpContextTrampoline
    .hidden HalpContextTrampoline
    .type HalpContextTrampoline, @function
HalpContextTrampoline:
    .cfi_startproc
    .cfi_undefined rip
    xorl %ebp, %ebp
    movq %r13, %rdi
    call *%r12
    ud2
    .cfi_endproc
    .size HalpContextTrampoline, .-HalpContextTrampoline

/* void HalpCallOnStack(void *StackTop, void (*Routine)(void *), void *Arg, void **CallerTop)
 * Calls Routine(Arg) with rsp = StackTop and returns on the original stack.
 * If CallerTop is not NULL, it gets the lowest address of the original
 * stack still in use while Routine runs. */
    .globl HalpCallOnStack
    .hidden HalpCallOnStack
    .type HalpCallOnStack, @function
HalpCallOnStack:
    .cfi_startproc
    pushq %rbp
    .cfi_def_cfa_offset 16
    .cfi_offset rbp, -16
    movq %rsp, %rbp
    .cfi_def_cfa_register rbp
    testq %rcx, %rcx
    jz 1f
    movq %rsp, (%rcx)
1:
    andq $-16, %rdi
    movq %rdi, %rsp
    movq %rdx, %rdi
    call *%rsi
    movq %rbp, %rsp
    popq %rbp
    .cfi_def_cfa rsp, 8
    ret
    .cfi_endproc
    .size HalpCallOnStack, .-HalpCallOnStack

#endif

    .section .note.GNU-stack,"",@progbits
