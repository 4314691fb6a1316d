/*
 * ps_user_exception.c - exceptions in user-mode code: a fault or raise a
 * user __try/__except handles is handled there; one nothing handles ends
 * the whole process with the exception code (as a Win32 process ends
 * after its unhandled-exception filter), never a bug check; the same from
 * a second thread ends the other threads too; a user stack overflow ends
 * the process with STATUS_STACK_OVERFLOW.
 */
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Program Files\\App\\crashy.exe");

static NTSTATUS RunProcess(PUSER_THREAD_START_ROUTINE Start, PVOID Parameter)
{
    return KtRunProcess(&Image, NULL, SubsystemInformationTypeWin32, Start, Parameter, NULL);
}

static volatile int *volatile BadPointer = (volatile int *)(ULONG_PTR)0x18;
static volatile int Zero;
static volatile LONG Reached;

static NTSTATUS NTAPI HandledFault(PVOID Parameter)
{
    (void)Parameter;
    NTSTATUS Code = 0;
    __try {
        *BadPointer = 1;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Code = GetExceptionCode();
    }
    __try {
        RtlRaiseStatus(STATUS_INVALID_PARAMETER_3);
    } __except (GetExceptionCode() == STATUS_INVALID_PARAMETER_3 ? EXCEPTION_EXECUTE_HANDLER
                                                                 : EXCEPTION_CONTINUE_SEARCH) {
        Code = Code == STATUS_ACCESS_VIOLATION ? 0x600D : 1;
    }
    return Code;
}

static NTSTATUS NTAPI UnhandledFault(PVOID Parameter)
{
    (void)Parameter;
    *BadPointer = 1;
    InterlockedExchange(&Reached, 1);
    return 0;
}

static NTSTATUS NTAPI UnhandledRaise(PVOID Parameter)
{
    RtlRaiseStatus((NTSTATUS)(ULONG_PTR)Parameter);
    InterlockedExchange(&Reached, 1);
    return 0;
}

static NTSTATUS NTAPI DivideByZero(PVOID Parameter)
{
    (void)Parameter;
    return 10 / Zero;
}

/* A second thread faults while the first waits: both end. */
static NTSTATUS NTAPI FaultingThread(PVOID Parameter)
{
    (void)Parameter;
    LARGE_INTEGER Short = { .QuadPart = KT_MS(5) };
    NtDelayExecution(FALSE, &Short);
    *BadPointer = 2;
    return 0;
}

static NTSTATUS NTAPI WaitingMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Thread;
    if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, FaultingThread, NULL, &Thread,
                                        NULL)))
        return 1;
    LARGE_INTEGER Long = { .QuadPart = KT_MS(60000) };
    NtDelayExecution(FALSE, &Long);
    InterlockedExchange(&Reached, 1);
    return 0;
}

static volatile ULONG Limit = 0xFFFFFFFF;

static DECLSPEC_NOINLINE ULONG Recurse(ULONG Depth)
{
    volatile char Frame[512];
    Frame[0] = (char)Depth;
    if (Depth == Limit)
        return 0;
    return Recurse(Depth + 1) + Frame[0];
}

static NTSTATUS NTAPI Overflow(PVOID Parameter)
{
    (void)Parameter;
    return (NTSTATUS)Recurse(0);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KT_EQ(RunProcess(HandledFault, NULL), 0x600D);
    Reached = 0;
    KT_EQ(RunProcess(UnhandledFault, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(RunProcess(UnhandledRaise, (PVOID)(ULONG_PTR)0xE0000123), (NTSTATUS)0xE0000123);
    KT_EQ(RunProcess(DivideByZero, NULL), STATUS_INTEGER_DIVIDE_BY_ZERO);
    KT_EQ(RunProcess(WaitingMain, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(Reached, 0);
    KT_EQ(RunProcess(Overflow, NULL), STATUS_STACK_OVERFLOW);
    KT_DONE();
    return STATUS_SUCCESS;
}
