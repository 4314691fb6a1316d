/*
 * Raised exceptions: ExRaiseStatus / RtlRaiseStatus (non-continuable),
 * RtlRaiseException with parameters (continuable: a filter may continue),
 * EXCEPTION_CONTINUE_EXECUTION on a non-continuable exception raising
 * STATUS_NONCONTINUABLE_EXCEPTION about it, the statuses the kernel raises
 * (KeReleaseMutex by a non-owner, KeReleaseSemaphore past its limit,
 * ExAllocatePool2 with POOL_FLAG_RAISE_ON_FAILURE, ProbeForRead/Write), and
 * RtlCaptureContext.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static NTSTATUS CodeOf(VOID (*Routine)(PVOID), PVOID Context)
{
    NTSTATUS Code = STATUS_SUCCESS;
    __try {
        Routine(Context);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Code = GetExceptionCode();
    }
    return Code;
}

static VOID ReleaseNotOwned(PVOID Context) { KeReleaseMutex((PKMUTEX)Context, FALSE); }
static VOID ReleasePastLimit(PVOID Context) { KeReleaseSemaphore((PKSEMAPHORE)Context, 0, 2, FALSE); }
static VOID AllocateHuge(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, (SIZE_T)1 << 60, 'hesT');
}
static VOID ProbeKernel(PVOID Context) { ProbeForRead(Context, 16, 1); }
static VOID ProbeMisaligned(PVOID Context) { ProbeForWrite((PUCHAR)Context + 1, 8, 4); }

static ULONG Flags;

static VOID TestRaiseStatus(VOID)
{
    __try {
        ExRaiseStatus(STATUS_INVALID_PARAMETER_2);
    } __except (Flags = GetExceptionInformation()->ExceptionRecord->ExceptionFlags, EXCEPTION_EXECUTE_HANDLER) {
        KT_EQ(GetExceptionCode(), STATUS_INVALID_PARAMETER_2);
    }
    KT_CHECK(Flags & EXCEPTION_NONCONTINUABLE);

    /* continuing a non-continuable exception is an exception about it */
    NTSTATUS Inner = 0, Outer = 0;
    __try {
        __try {
            RtlRaiseStatus(STATUS_INVALID_PARAMETER_1);
        } __except (GetExceptionCode() == STATUS_INVALID_PARAMETER_1 ? EXCEPTION_CONTINUE_EXECUTION
                                                                     : EXCEPTION_CONTINUE_SEARCH) {
            KT_CHECK(!"handler of a continue-execution filter ran");
        }
    } __except (Outer = GetExceptionCode(),
                Inner = GetExceptionInformation()->ExceptionRecord->ExceptionRecord
                            ? GetExceptionInformation()->ExceptionRecord->ExceptionRecord->ExceptionCode : 0,
                EXCEPTION_EXECUTE_HANDLER) {
    }
    KT_EQ(Outer, STATUS_NONCONTINUABLE_EXCEPTION);
    KT_EQ(Inner, STATUS_INVALID_PARAMETER_1);
}

static LONG ContinueAfterLooking(PEXCEPTION_POINTERS Pointers, ULONG *Seen)
{
    PEXCEPTION_RECORD R = Pointers->ExceptionRecord;
    if (R->ExceptionCode != (NTSTATUS)0xE0001234 || R->NumberParameters != 2)
        return EXCEPTION_CONTINUE_SEARCH;
    *Seen = (ULONG)(R->ExceptionInformation[0] + R->ExceptionInformation[1]);
    KT_CHECK(Pointers->ContextRecord->Rip == (ULONG64)R->ExceptionAddress);
    return EXCEPTION_CONTINUE_EXECUTION;
}

static VOID TestRaiseException(VOID)
{
    EXCEPTION_RECORD Record;
    RtlZeroMemory(&Record, sizeof(Record));
    Record.ExceptionCode = (NTSTATUS)0xE0001234;
    Record.NumberParameters = 2;
    Record.ExceptionInformation[0] = 40;
    Record.ExceptionInformation[1] = 2;
    /* Seen is not a local of this function: a filter that does not pick its
     * handler leaves this function's own frame as it found it (docs/seh.md) */
    static ULONG Seen;
    ULONG After = 0, Handled = 0;
    __try {
        RtlRaiseException(&Record);
        After = 1;      /* continued: RtlRaiseException returns */
    } __except (ContinueAfterLooking(GetExceptionInformation(), &Seen)) {
        Handled = 1;
    }
    KT_EQ(Seen, 42);
    KT_EQ(After, 1);
    KT_EQ(Handled, 0);
    KT_CHECK(Record.ExceptionAddress != NULL);
}

static VOID TestKernelRaised(VOID)
{
    KMUTEX Mutex;
    KeInitializeMutex(&Mutex, 0);
    KT_EQ(CodeOf(ReleaseNotOwned, &Mutex), STATUS_MUTANT_NOT_OWNED);
    KSEMAPHORE Semaphore;
    KeInitializeSemaphore(&Semaphore, 0, 1);
    KT_EQ(CodeOf(ReleasePastLimit, &Semaphore), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    KT_EQ(KeReadStateSemaphore(&Semaphore), 0);
    KT_EQ(CodeOf(AllocateHuge, NULL), STATUS_INSUFFICIENT_RESOURCES);
    KT_EQ(CodeOf(ProbeKernel, (PVOID)0xFFFF800000001000ULL), STATUS_ACCESS_VIOLATION);
    ULONG64 Aligned[4];
    KT_EQ(CodeOf(ProbeMisaligned, Aligned), STATUS_DATATYPE_MISALIGNMENT);
}

static DECLSPEC_NOINLINE VOID TestCapture(VOID)
{
    CONTEXT Context;
    RtlZeroMemory(&Context, sizeof(Context));
    RtlCaptureContext(&Context);
    KT_CHECK((Context.ContextFlags & CONTEXT_FULL) == CONTEXT_FULL);
    KT_CHECK(Context.Rsp <= (ULONG64)&Context && Context.Rsp + 8192 > (ULONG64)&Context);
    KT_CHECK(Context.Rip >= (ULONG64)TestCapture && Context.Rip < (ULONG64)TestCapture + 4096);
    KT_EQ(Context.MxCsr & 0xFFC0, 0x1F80);
    KT_EQ(Context.FltSave.ControlWord, 0x37F);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    TestRaiseStatus();
    TestRaiseException();
    TestKernelRaised();
    TestCapture();
    KT_DONE();
    return STATUS_SUCCESS;
}
