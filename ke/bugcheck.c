/*
 * ke/bugcheck.c - bug checks: the kernel stops and reports code, the four
 * parameters, processor, thread, process, the driver code involved and a
 * backtrace. A bug check is a result, not a crash: the report goes to
 * standard output and the process exits with status 3.
 */
#include "ke/ke.h"
#include "rtl/rtl.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <ucontext.h>

#define KI_BUGCHECK_EXIT 3

KI_BUGCHECK_HOOKS KiBugCheckHooks;
BOOLEAN KiPassiveRules = TRUE;      /* ke.h: KiPassiveRuleOff */
volatile LONG KiBugCheckActive;   /* read by the simulation: no processor steps once it is set */
static char KiBugCheckMessage[256];
/* More of the report, printed after the backtrace (KiBugCheckExplainEx). */
static VOID (*KiBugCheckDetail)(PVOID Context);
static PVOID KiBugCheckDetailContext;

static const struct { ULONG Code; const char *Name; } KiBugCheckNames[] = {
    { APC_INDEX_MISMATCH, "APC_INDEX_MISMATCH" },
    { INVALID_PROCESS_ATTACH_ATTEMPT, "INVALID_PROCESS_ATTACH_ATTEMPT" },
    { INVALID_PROCESS_DETACH_ATTEMPT, "INVALID_PROCESS_DETACH_ATTEMPT" },
    { IRQL_GT_ZERO_AT_SYSTEM_SERVICE, "IRQL_GT_ZERO_AT_SYSTEM_SERVICE" },
    { INVALID_KERNEL_HANDLE, "INVALID_KERNEL_HANDLE" },
    { IRQL_NOT_DISPATCH_LEVEL, "IRQL_NOT_DISPATCH_LEVEL" },
    { IRQL_NOT_GREATER_OR_EQUAL, "IRQL_NOT_GREATER_OR_EQUAL" },
    { IRQL_NOT_LESS_OR_EQUAL, "IRQL_NOT_LESS_OR_EQUAL" },
    { MAXIMUM_WAIT_OBJECTS_EXCEEDED, "MAXIMUM_WAIT_OBJECTS_EXCEEDED" },
    { SPIN_LOCK_ALREADY_OWNED, "SPIN_LOCK_ALREADY_OWNED" },
    { SPIN_LOCK_NOT_OWNED, "SPIN_LOCK_NOT_OWNED" },
    { THREAD_NOT_MUTEX_OWNER, "THREAD_NOT_MUTEX_OWNER" },
    { KMODE_EXCEPTION_NOT_HANDLED, "KMODE_EXCEPTION_NOT_HANDLED" },
    { KERNEL_APC_PENDING_DURING_EXIT, "KERNEL_APC_PENDING_DURING_EXIT" },
    { 0x35, "NO_MORE_IRP_STACK_LOCATIONS" },
    { 0x39, "SYSTEM_EXIT_OWNED_MUTEX" },
    { 0x44, "MULTIPLE_IRP_COMPLETE_REQUESTS" },
    { 0x48, "CANCEL_STATE_IN_COMPLETED_IRP" },
    { KERNEL_STACK_LOCKED_AT_EXIT, "KERNEL_STACK_LOCKED_AT_EXIT" },
    { SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED" },
    { UNEXPECTED_KERNEL_MODE_TRAP, "UNEXPECTED_KERNEL_MODE_TRAP" },
    { ATTEMPTED_SWITCH_FROM_DPC, "ATTEMPTED_SWITCH_FROM_DPC" },
    { 0x93, "INVALID_KERNEL_HANDLE" },
    { MUTEX_ALREADY_OWNED, "MUTEX_ALREADY_OWNED" },
    { SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION" },
    { 0xC2, "BAD_POOL_CALLER" },
    { DRIVER_VERIFIER_DETECTED_VIOLATION, "DRIVER_VERIFIER_DETECTED_VIOLATION" },
    { IRQL_UNEXPECTED_VALUE, "IRQL_UNEXPECTED_VALUE" },
    { 0xC9, "DRIVER_VERIFIER_IOMANAGER_VIOLATION" },
    { PAGE_FAULT_IN_FREED_SPECIAL_POOL, "PAGE_FAULT_IN_FREED_SPECIAL_POOL" },
    { PAGE_FAULT_BEYOND_END_OF_ALLOCATION, "PAGE_FAULT_BEYOND_END_OF_ALLOCATION" },
    { 0xCE, "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS" },
    { DRIVER_IRQL_NOT_LESS_OR_EQUAL, "DRIVER_IRQL_NOT_LESS_OR_EQUAL" },
    { DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL" },
    { DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION" },
    { BAD_OBJECT_HEADER, "BAD_OBJECT_HEADER" },
    { 0x133, "DPC_WATCHDOG_VIOLATION" },
    { KERNEL_SECURITY_CHECK_FAILURE, "KERNEL_SECURITY_CHECK_FAILURE" },
    { 0xE1, "WORKER_THREAD_RETURNED_AT_BAD_IRQL" },
    { 0xE2, "MANUALLY_INITIATED_CRASH" },
    { 0xE4, "WORKER_INVALID" },
    { 0xE7, "INVALID_FLOATING_POINT_STATE" },
    { 0xE9, "ACTIVE_EX_WORKER_THREAD_TERMINATION" },
    { THREAD_TERMINATE_HELD_MUTEX, "THREAD_TERMINATE_HELD_MUTEX" },
};

static const char *KiBugCheckName(ULONG Code)
{
    for (SIZE_T i = 0; i < RTL_NUMBER_OF(KiBugCheckNames); i++)
        if (KiBugCheckNames[i].Code == Code)
            return KiBugCheckNames[i].Name;
    return "(unnamed bug check)";
}

/* ---- report output: straight to the file descriptor, no locks ------------------- */

#define KiOut RtlpReport     /* lock-free: safe in a bug check */

BOOLEAN KiLookupElfSymbol(PCSTR Path, ULONG_PTR Offset, PCHAR Name, SIZE_T NameSize, ULONG_PTR *Displacement);

VOID KiDescribeAddress(PVOID Address, PCHAR Buffer, SIZE_T Size)
{
    if (KiBugCheckHooks.DescribeAddress != NULL) {
        KiBugCheckHooks.DescribeAddress(Address, Buffer, Size);
        return;
    }
    Dl_info Info;
    if (dladdr(Address, &Info) && Info.dli_fname != NULL) {
        const char *Module = strrchr(Info.dli_fname, '/');
        Module = Module ? Module + 1 : Info.dli_fname;
        char Name[128];
        ULONG_PTR Displacement;
        /* static and hidden functions too: the module file's symbol table */
        if (KiLookupElfSymbol(Info.dli_fname, (ULONG_PTR)Address - (ULONG_PTR)Info.dli_fbase, Name, sizeof(Name),
                              &Displacement))
            snprintf(Buffer, Size, "%s!%s+0x%lx", Module, Name, (unsigned long)Displacement);
        else if (Info.dli_sname != NULL)
            snprintf(Buffer, Size, "%s!%s+0x%lx", Module, Info.dli_sname,
                     (unsigned long)((PCHAR)Address - (PCHAR)Info.dli_saddr));
        else
            snprintf(Buffer, Size, "%s+0x%lx", Module, (unsigned long)((PCHAR)Address - (PCHAR)Info.dli_fbase));
    } else {
        snprintf(Buffer, Size, "?");
    }
}

/* Is [Address, Address+Size) on a stack this processor may be using? */
static BOOLEAN KiOnKnownStack(PKPRCB Prcb, ULONG_PTR Address)
{
    if (Prcb == NULL)
        return FALSE;
    const HAL_STACK *Stacks[2] = { &Prcb->CurrentThread->Stack, &Prcb->DpcStack };
    for (int i = 0; i < 2; i++)
        if (Address >= (ULONG_PTR)Stacks[i]->Limit && Address + 16 <= (ULONG_PTR)Stacks[i]->Base)
            return TRUE;
    const HAL_CONTEXT *Host = &Prcb->HostContext;
    return Address >= (ULONG_PTR)Host->StackBottom && Address + 16 <= (ULONG_PTR)Host->StackBottom + Host->StackSize;
}

/* Does Address look like a return address: inside ntps or a driver (code
 * built with frame pointers), right after a call instruction? */
/* It reads bytes at whatever address a stack slot held, racing with any
 * thread that writes there: not instrumented by the sanitizers. */
__attribute__((no_sanitize("thread", "address")))
static BOOLEAN KiLooksLikeReturnAddress(ULONG_PTR Address)
{
    Dl_info Info;
    if (Address < 0x10000 || !dladdr((PVOID)Address, &Info) || Info.dli_fbase == NULL)
        return FALSE;
    Dl_info Self;
    BOOLEAN Ours = (dladdr((PVOID)KiLooksLikeReturnAddress, &Self) && Self.dli_fbase == Info.dli_fbase) ||
                   RtlpLookupModuleByAddress((PVOID)Address) != NULL;
    if (!Ours)
        return FALSE;
    const UCHAR *Code = (const UCHAR *)Address;
    return Code[-5] == 0xE8 || (Code[-2] == 0xFF && (Code[-1] & 0x38) == 0x10) ||
           (Code[-3] == 0xFF && (Code[-2] & 0x38) == 0x10) || (Code[-6] == 0xFF && (Code[-5] & 0x38) == 0x10);
}

/* When the trap is in code without frame pointers (the sanitizer runtimes,
 * the C library), the chain starts nowhere: list what looks like return
 * addresses on the stack above the trap instead. */
__attribute__((no_sanitize("thread", "address")))
static VOID KiScanBacktrace(PKPRCB Prcb, ULONG_PTR Sp, int Depth)
{
    char Where[256];
    for (ULONG_PTR *Slot = (ULONG_PTR *)(Sp & ~(ULONG_PTR)7); Depth < 48 && KiOnKnownStack(Prcb, (ULONG_PTR)Slot);
         Slot++) {
        if (!KiLooksLikeReturnAddress(*Slot))
            continue;
        KiDescribeAddress((PCHAR)*Slot - 1, Where, sizeof(Where));
        KiOut("  #%-2d %p  %s  (stack scan)\n", Depth++, (PVOID)*Slot, Where);
    }
}

/* Walk the frame-pointer chain (ntps builds itself and drivers with frame
 * pointers), checking every frame lies on a known stack. Returns how many
 * frames it printed. */
static int KiWalkBacktrace(PKPRCB Prcb, PVOID Pc, PVOID FramePointer, ULONG_PTR Sp);

VOID KiPrintBacktrace(PKPRCB Prcb, PVOID Pc, PVOID FramePointer)
{
    KiWalkBacktrace(Prcb, Pc, FramePointer, 0);
}

/* A trap in a function that has no frame yet (its entry, or a leaf whose
 * frame the points plugin's dual build moved to its slow path) leaves its
 * caller off the frame chain: the return address is still at the stack
 * pointer. Taken only when it returns from a direct call to code just
 * before Pc and is not the chain's own first return address. */
__attribute__((no_sanitize("thread", "address")))
static PVOID KiFramelessCaller(PKPRCB Prcb, PVOID Pc, ULONG_PTR *Frame, ULONG_PTR Sp)
{
    if (Sp == 0 || (Sp & 7) != 0 || !KiOnKnownStack(Prcb, Sp))
        return NULL;
    ULONG_PTR Return = *(ULONG_PTR *)Sp;
    if (!KiLooksLikeReturnAddress(Return) || ((const UCHAR *)Return)[-5] != 0xE8)
        return NULL;
    LONG Rel;
    memcpy(&Rel, (const UCHAR *)Return - 4, sizeof(Rel));
    ULONG_PTR Target = Return + (LONG_PTR)Rel;
    if ((ULONG_PTR)Pc < Target || (ULONG_PTR)Pc - Target > 0x10000)
        return NULL;
    if (Frame != NULL && ((ULONG_PTR)Frame & 7) == 0 && KiOnKnownStack(Prcb, (ULONG_PTR)Frame) &&
        Frame[1] == Return)
        return NULL;
    return (PVOID)Return;
}

static int KiWalkBacktrace(PKPRCB Prcb, PVOID Pc, PVOID FramePointer, ULONG_PTR Sp)
{
    char Where[256];
    KiOut("backtrace:\n");
    int Depth = 0;
    if (Pc != NULL) {
        KiDescribeAddress(Pc, Where, sizeof(Where));
        KiOut("  #%-2d %p  %s\n", Depth++, Pc, Where);
        PVOID Caller = KiFramelessCaller(Prcb, Pc, FramePointer, Sp);
        if (Caller != NULL) {
            KiDescribeAddress((PCHAR)Caller - 1, Where, sizeof(Where));
            KiOut("  #%-2d %p  %s\n", Depth++, Caller, Where);
        }
    }
    ULONG_PTR *Frame = FramePointer;
    while (Depth < 48 && Frame != NULL && ((ULONG_PTR)Frame & 7) == 0 && KiOnKnownStack(Prcb, (ULONG_PTR)Frame)) {
        PVOID Return = (PVOID)Frame[1];
        if (Return == NULL)
            break;
        /* the return address points after the call; describe the call */
        KiDescribeAddress((PCHAR)Return - 1, Where, sizeof(Where));
        KiOut("  #%-2d %p  %s\n", Depth++, Return, Where);
        ULONG_PTR *Next = (ULONG_PTR *)Frame[0];
        if (Next <= Frame)
            break;
        Frame = Next;
    }
    return Depth;
}

/* The first driver image met walking out from Pc along the frame chain:
 * the driver the report names. The stack scan reads every slot, redzones
 * included: not instrumented. */
__attribute__((no_sanitize("thread", "address")))
static PRTL_MODULE KiFindDriver(PKPRCB Prcb, PVOID Pc, PVOID FramePointer, ULONG_PTR Sp)
{
    PRTL_MODULE Module = Pc != NULL ? RtlpLookupModuleByAddress(Pc) : NULL;
    ULONG_PTR *Frame = FramePointer;
    for (int Depth = 0; Module == NULL && Depth < 48 && Frame != NULL && ((ULONG_PTR)Frame & 7) == 0 &&
                        KiOnKnownStack(Prcb, (ULONG_PTR)Frame); Depth++) {
        if (Frame[1] == 0)
            break;
        Module = RtlpLookupModuleByAddress((PCHAR)Frame[1] - 1);
        ULONG_PTR *Next = (ULONG_PTR *)Frame[0];
        if (Next <= Frame)
            break;
        Frame = Next;
    }
    /* a trap in code without frame pointers: scan the stack as the
     * backtrace does */
    for (ULONG_PTR *Slot = (ULONG_PTR *)(Sp & ~(ULONG_PTR)7); Module == NULL && Sp != 0 &&
                        KiOnKnownStack(Prcb, (ULONG_PTR)Slot); Slot++)
        if (KiLooksLikeReturnAddress(*Slot))
            Module = RtlpLookupModuleByAddress((PCHAR)*Slot - 1);
    return Module;
}

/* The driver a trap context belongs to: the faulting instruction's image
 * or the first driver frame on its frame chain; with ScanStack, also what
 * looks like a driver's return address on the stack. */
PRTL_MODULE KiFindDriverInContext(PVOID TrapContext, BOOLEAN ScanStack)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    const ucontext_t *Uc = TrapContext;
    if (Prcb == NULL || Prcb->CurrentThread == NULL || Uc == NULL)
        return NULL;
    const greg_t *R = Uc->uc_mcontext.gregs;
    return KiFindDriver(Prcb, (PVOID)R[REG_RIP], (PVOID)R[REG_RBP], ScanStack ? (ULONG_PTR)R[REG_RSP] : 0);
}

static const struct { NTSTATUS Status; const char *Name; } KiExceptionNames[] = {
    { STATUS_ACCESS_VIOLATION, "STATUS_ACCESS_VIOLATION" },
    { STATUS_IN_PAGE_ERROR, "STATUS_IN_PAGE_ERROR" },
    { STATUS_INTEGER_DIVIDE_BY_ZERO, "STATUS_INTEGER_DIVIDE_BY_ZERO" },
    { STATUS_INTEGER_OVERFLOW, "STATUS_INTEGER_OVERFLOW" },
    { STATUS_ILLEGAL_INSTRUCTION, "STATUS_ILLEGAL_INSTRUCTION" },
    { STATUS_PRIVILEGED_INSTRUCTION, "STATUS_PRIVILEGED_INSTRUCTION" },
    { STATUS_BREAKPOINT, "STATUS_BREAKPOINT" },
    { STATUS_DATATYPE_MISALIGNMENT, "STATUS_DATATYPE_MISALIGNMENT" },
    { STATUS_STACK_OVERFLOW, "STATUS_STACK_OVERFLOW" },
    { STATUS_NONCONTINUABLE_EXCEPTION, "STATUS_NONCONTINUABLE_EXCEPTION" },
    { STATUS_MUTANT_NOT_OWNED, "STATUS_MUTANT_NOT_OWNED" },
    { STATUS_SEMAPHORE_LIMIT_EXCEEDED, "STATUS_SEMAPHORE_LIMIT_EXCEEDED" },
    { STATUS_MUTANT_LIMIT_EXCEEDED, "STATUS_MUTANT_LIMIT_EXCEEDED" },
    { STATUS_ABANDONED, "STATUS_ABANDONED" },
    { STATUS_ASSERTION_FAILURE, "STATUS_ASSERTION_FAILURE" },
    { STATUS_INSUFFICIENT_RESOURCES, "STATUS_INSUFFICIENT_RESOURCES" },
    { STATUS_FLOAT_DIVIDE_BY_ZERO, "STATUS_FLOAT_DIVIDE_BY_ZERO" },
    { STATUS_FLOAT_INVALID_OPERATION, "STATUS_FLOAT_INVALID_OPERATION" },
};

/* For the unhandled-exception bug checks: what was raised, and for an
 * access violation, which access. */
static VOID KiReportException(ULONG Code, ULONG_PTR P1, ULONG_PTR P3, ULONG_PTR P4)
{
    if (Code != SYSTEM_THREAD_EXCEPTION_NOT_HANDLED && Code != KMODE_EXCEPTION_NOT_HANDLED)
        return;
    const char *Name = "an exception";
    for (SIZE_T i = 0; i < RTL_NUMBER_OF(KiExceptionNames); i++)
        if ((ULONG)KiExceptionNames[i].Status == (ULONG)P1)
            Name = KiExceptionNames[i].Name;
    ULONG_PTR Info0 = P3, Info1 = P4;
    BOOLEAN HaveInfo = Code == KMODE_EXCEPTION_NOT_HANDLED;
    if (Code == SYSTEM_THREAD_EXCEPTION_NOT_HANDLED && P3 != 0) {
        const EXCEPTION_RECORD *Record = (const EXCEPTION_RECORD *)P3;
        HaveInfo = Record->NumberParameters >= 2;
        Info0 = Record->ExceptionInformation[0];
        Info1 = Record->ExceptionInformation[1];
    }
    if ((ULONG)P1 == (ULONG)STATUS_ACCESS_VIOLATION && HaveInfo)
        KiOut("exception: 0x%08X %s, %s address %p\n", (ULONG)P1, Name,
              Info0 == 1 ? "writing" : Info0 == 8 ? "executing" : "reading", (PVOID)Info1);
    else
        KiOut("exception: 0x%08X %s\n", (ULONG)P1, Name);
}

static VOID KiFreezeOtherProcessors(PKPRCB Self)
{
    for (ULONG i = 0; i < KeNumberProcessors; i++)
        if (KiProcessorBlock[i] != NULL && KiProcessorBlock[i] != Self)
            __atomic_or_fetch(&KiProcessorBlock[i]->InterruptRequest, KI_REQUEST_FREEZE, __ATOMIC_SEQ_CST);
}

static VOID KiReportContext(PKPRCB Prcb)
{
    char Text[512];
    if (Prcb == NULL) {
        KiOut("processor: none (host code)\n");
        return;
    }
    KiOut("processor: %u  irql: %u%s\n", Prcb->Number, Prcb->Irql, Prcb->DpcRoutineActive ? "  (in a DPC)" : "");
    PKTHREAD Thread = Prcb->CurrentThread;
    if (Thread != NULL && KiBugCheckHooks.DescribeThread != NULL) {
        KiBugCheckHooks.DescribeThread(Thread, Text, sizeof(Text));
        KiOut("%s", Text);
    } else if (Thread != NULL) {
        KiOut("thread: %p\n", (void *)Thread);
    }
    if (Thread != NULL && KiBugCheckHooks.DescribeCallback != NULL) {
        KiBugCheckHooks.DescribeCallback(Thread, Text, sizeof(Text));
        KiOut("%s", Text);
    }
    if (Prcb->DpcRoutineActive && Prcb->CurrentDpc != NULL) {
        KiDescribeAddress((PVOID)Prcb->CurrentDpc->DeferredRoutine, Text, sizeof(Text));
        KiOut("dpc: %p routine %s\n", (void *)Prcb->CurrentDpc, Text);
    }
    if (KiConfig.Simulation)
        KiOut("simulation: seed %llu  virtual time %llu (100ns)  trace 0x%016llx after %llu events\n",
              (unsigned long long)KiConfig.Seed, (unsigned long long)KiSimNow(),
              (unsigned long long)KiSimTraceHash(), (unsigned long long)KiSimTraceEvents());
}

VOID KiBugCheckWithContext(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4, PVOID TrapContext)
{
    if (__atomic_exchange_n(&KiBugCheckActive, 1, __ATOMIC_SEQ_CST)) {
        KiAbandonBugCheckCallback(Code);    /* raised by a bug check callback: the next one runs */
        for (;;) pause();   /* another processor is reporting; it exits the process */
    }
    KiSimNoteBugCheck(Code);     /* explore's record: which bug check ended the schedule */
    PKPRCB Prcb = KeGetCurrentPrcb();
    KiFreezeOtherProcessors(Prcb);
    KiOut("\nBUGCHECK 0x%08X (0x%016lx, 0x%016lx, 0x%016lx, 0x%016lx)\n%s\n", Code,
          (unsigned long)P1, (unsigned long)P2, (unsigned long)P3, (unsigned long)P4, KiBugCheckName(Code));
    if (KiBugCheckMessage[0] != 0)
        KiOut("%s\n", KiBugCheckMessage);
    KiReportException(Code, P1, P3, P4);
    KiReportContext(Prcb);
    PVOID Pc = NULL, FramePointer = __builtin_frame_address(0);
    ULONG_PTR Sp = 0;
    if (TrapContext != NULL) {
        Pc = (PVOID)((ucontext_t *)TrapContext)->uc_mcontext.gregs[REG_RIP];
        FramePointer = (PVOID)((ucontext_t *)TrapContext)->uc_mcontext.gregs[REG_RBP];
        Sp = (ULONG_PTR)((ucontext_t *)TrapContext)->uc_mcontext.gregs[REG_RSP];
    }
    PRTL_MODULE Driver = Prcb != NULL ? KiFindDriver(Prcb, Pc, FramePointer, Sp) : NULL;
    if (Driver != NULL)
        KiOut("driver: %s\n", Driver->Name);
    if (TrapContext != NULL) {
        ucontext_t *Uc = TrapContext;
        int Depth = KiWalkBacktrace(Prcb, (PVOID)Uc->uc_mcontext.gregs[REG_RIP], (PVOID)Uc->uc_mcontext.gregs[REG_RBP],
                                    (ULONG_PTR)Uc->uc_mcontext.gregs[REG_RSP]);
        if (Depth < 2 && Uc->uc_mcontext.gregs[REG_RSP] != 0)
            KiScanBacktrace(Prcb, (ULONG_PTR)Uc->uc_mcontext.gregs[REG_RSP], Depth);
    } else {
        KiPrintBacktrace(Prcb, NULL, __builtin_frame_address(0));
    }
    if (KiBugCheckHooks.Finish != NULL)     /* before the drivers' callbacks, which may fail */
        KiBugCheckHooks.Finish(Code, (const ULONG_PTR[4]){ P1, P2, P3, P4 }, KiBugCheckName(Code));
    if (KiBugCheckDetail != NULL)
        KiBugCheckDetail(KiBugCheckDetailContext);
    KiCallBugCheckCallbacks(Prcb);      /* last: the report is out whatever they do */
    if (KiBugCheckHooks.Exit != NULL)
        KiBugCheckHooks.Exit(KI_BUGCHECK_EXIT);
    _exit(KI_BUGCHECK_EXIT);
}

/* A bug check with a human-readable explanation line in the report. */
DECLSPEC_NORETURN VOID KiBugCheckExplain(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4, PCSTR Format, ...)
{
    va_list Args;
    va_start(Args, Format);
    vsnprintf(KiBugCheckMessage, sizeof(KiBugCheckMessage), Format, Args);
    va_end(Args);
    KiBugCheckWithContext(Code, P1, P2, P3, P4, NULL);
}

/* The same with the faulting context (NULL: the caller's) and a routine
 * that prints more of the report after the backtrace. */
DECLSPEC_NORETURN VOID KiBugCheckExplainEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4,
                                           PVOID TrapContext, VOID (*Detail)(PVOID), PVOID DetailContext,
                                           PCSTR Format, ...)
{
    va_list Args;
    va_start(Args, Format);
    vsnprintf(KiBugCheckMessage, sizeof(KiBugCheckMessage), Format, Args);
    va_end(Args);
    KiBugCheckDetail = Detail;
    KiBugCheckDetailContext = DetailContext;
    KiBugCheckWithContext(Code, P1, P2, P3, P4, TrapContext);
}

VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    KiBugCheckWithContext(BugCheckCode, P1, P2, P3, P4, NULL);
}

VOID KeBugCheck(ULONG BugCheckCode)
{
    KiBugCheckWithContext(BugCheckCode, 0, 0, 0, 0, NULL);
}

VOID RtlFailFast(ULONG Code)
{
    KiBugCheckWithContext(KERNEL_SECURITY_CHECK_FAILURE, Code, 0, 0, 0, NULL);
}

/* A fault or inconsistency inside ntps itself: not a Windows bug check,
 * but still a report and a non-zero exit, never a silent crash. */
VOID KiInternalError(PCSTR Format, ...)
{
    if (__atomic_exchange_n(&KiBugCheckActive, 1, __ATOMIC_SEQ_CST)) {
        KiAbandonBugCheckCallback(0);
        for (;;) pause();
    }
    char Message[512];
    va_list Args;
    va_start(Args, Format);
    vsnprintf(Message, sizeof(Message), Format, Args);
    va_end(Args);
    PKPRCB Prcb = KeGetCurrentPrcb();
    KiFreezeOtherProcessors(Prcb);
    KiOut("\nntps: internal error: %s\n", Message);
    KiReportContext(Prcb);
    KiPrintBacktrace(Prcb, NULL, __builtin_frame_address(0));
    _exit(KI_INTERNAL_ERROR_EXIT);
}
