/*
 * Hardware faults as exceptions: every fault kind caught with its code and
 * ExceptionInformation, the faulting registers in the CONTEXT, faults three
 * calls deep, EXCEPTION_CONTINUE_EXECUTION after a filter fixes a pointer
 * register or skips the instruction, IRQL kept across a handler, a fault in
 * a DPC caught by the DPC's own __try, and many faults in a loop.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define BAD_ADDRESS ((ULONG_PTR)0x18)

/* the address through a variable, so the compiler cannot see it is bad */
static volatile ULONG_PTR BadAddress = BAD_ADDRESS;

static UCHAR NotCode[64] __attribute__((aligned(16)));

typedef struct _SEEN {
    NTSTATUS Code;
    ULONG Flags;
    PVOID Address;
    ULONG Parameters;
    ULONG_PTR Info0, Info1;
    ULONG64 Rip, Rsp, R12;
} SEEN;

static LONG Record(PEXCEPTION_POINTERS Pointers, SEEN *Seen)
{
    PEXCEPTION_RECORD R = Pointers->ExceptionRecord;
    Seen->Code = R->ExceptionCode;
    Seen->Flags = R->ExceptionFlags;
    Seen->Address = R->ExceptionAddress;
    Seen->Parameters = R->NumberParameters;
    Seen->Info0 = R->ExceptionInformation[0];
    Seen->Info1 = R->ExceptionInformation[1];
    Seen->Rip = Pointers->ContextRecord->Rip;
    Seen->Rsp = Pointers->ContextRecord->Rsp;
    Seen->R12 = Pointers->ContextRecord->R12;
    return EXCEPTION_EXECUTE_HANDLER;
}

/* The faulting accesses are assembly: ThreadSanitizer would record a C
 * access before it faults, and two threads faulting on one address would
 * look like a race to it (docs/seh.md). */
static DECLSPEC_NOINLINE int ReadBad(VOID)
{
    int Value;
    __asm__ volatile("movl (%1), %0" : "=r"(Value) : "r"(BadAddress) : "memory");
    return Value;
}
static DECLSPEC_NOINLINE VOID WriteBad(VOID)
{
    __asm__ volatile("movl $1, (%0)" : : "r"(BadAddress) : "memory");
}
static volatile int Sink;
/* idiv itself: in C a division by zero is undefined behaviour, which an
 * UBSan build reports before the processor can fault */
static DECLSPEC_NOINLINE VOID Divide(int Divisor)
{
    int Quotient = 1000, Remainder = 0;
    __asm__ volatile("cltd\n\tidivl %2" : "+a"(Quotient), "+d"(Remainder) : "r"(Divisor));
    Sink = Quotient;
}
static DECLSPEC_NOINLINE VOID Undefined(VOID) { __asm__ volatile("ud2"); }
static DECLSPEC_NOINLINE VOID Halt(VOID) { __asm__ volatile("hlt"); }
static DECLSPEC_NOINLINE VOID ClearInterrupts(VOID) { __asm__ volatile("cli"); }
static DECLSPEC_NOINLINE VOID Breakpoint(VOID) { __debugbreak(); }

static DECLSPEC_NOINLINE VOID Level3(VOID) { WriteBad(); }
static DECLSPEC_NOINLINE VOID Level2(VOID) { Level3(); __asm__ volatile("" ::: "memory"); }
static DECLSPEC_NOINLINE VOID Level1(VOID) { Level2(); __asm__ volatile("" ::: "memory"); }

#define EXPECT_CODE(Statement, Expected) do { \
        SEEN Seen_ = { 0 }; \
        BOOLEAN Handled_ = FALSE; \
        __try { Statement; } \
        __except (Record(GetExceptionInformation(), &Seen_)) { \
            Handled_ = TRUE; \
            KT_EQ(GetExceptionCode(), (Expected)); \
        } \
        KT_CHECK(Handled_); \
        KT_EQ(Seen_.Code, (Expected)); \
        KT_EQ(Seen_.Flags, 0); \
        KT_CHECK(Seen_.Rip == (ULONG64)Seen_.Address); \
    } while (0)

static VOID TestKinds(VOID)
{
    SEEN Seen = { 0 };
    __try {
        ReadBad();
    } __except (Record(GetExceptionInformation(), &Seen)) {
    }
    KT_EQ(Seen.Code, STATUS_ACCESS_VIOLATION);
    KT_EQ(Seen.Parameters, 2);
    KT_EQ(Seen.Info0, 0);
    KT_EQ(Seen.Info1, BAD_ADDRESS);
    KT_CHECK((PCHAR)Seen.Address >= (PCHAR)ReadBad && (PCHAR)Seen.Address < (PCHAR)ReadBad + 256);

    __try {
        Level1();
    } __except (Record(GetExceptionInformation(), &Seen)) {
    }
    KT_EQ(Seen.Code, STATUS_ACCESS_VIOLATION);
    KT_EQ(Seen.Info0, 1);
    KT_EQ(Seen.Info1, BAD_ADDRESS);
    KT_CHECK((PCHAR)Seen.Address >= (PCHAR)WriteBad && (PCHAR)Seen.Address < (PCHAR)WriteBad + 256);
    KT_CHECK(Seen.Rsp < (ULONG64)&Seen && Seen.Rsp + 4096 > (ULONG64)&Seen);

    /* executing data, and executing nothing at all */
    __try {
        ((VOID (*)(VOID))(PVOID)NotCode)();
    } __except (Record(GetExceptionInformation(), &Seen)) {
    }
    KT_EQ(Seen.Code, STATUS_ACCESS_VIOLATION);
    KT_EQ(Seen.Info0, 8);
    KT_EQ(Seen.Info1, (ULONG_PTR)NotCode);
    KT_CHECK(Seen.Address == (PVOID)NotCode);
    __try {
        ((VOID (*)(VOID))BAD_ADDRESS)();
    } __except (Record(GetExceptionInformation(), &Seen)) {
    }
    KT_EQ(Seen.Info0, 8);
    KT_EQ(Seen.Info1, BAD_ADDRESS);

    EXPECT_CODE(Divide(0), STATUS_INTEGER_DIVIDE_BY_ZERO);
    EXPECT_CODE(Undefined(), STATUS_ILLEGAL_INSTRUCTION);
    EXPECT_CODE(Halt(), STATUS_PRIVILEGED_INSTRUCTION);
    EXPECT_CODE(ClearInterrupts(), STATUS_PRIVILEGED_INSTRUCTION);
    EXPECT_CODE(Breakpoint(), STATUS_BREAKPOINT);
    EXPECT_CODE(DbgBreakPoint(), STATUS_BREAKPOINT);
    EXPECT_CODE(DbgBreakPointWithStatus(3), STATUS_BREAKPOINT);
}

static VOID TestRegisters(VOID)
{
    SEEN Seen = { 0 };
    __try {
        __asm__ volatile("movq $0x1234abcd, %%r12\n\tmovl (%0), %%eax" : : "r"(BAD_ADDRESS) : "r12", "rax", "memory");
    } __except (Record(GetExceptionInformation(), &Seen)) {
    }
    KT_EQ(Seen.R12, 0x1234abcd);
}

/* EXCEPTION_CONTINUE_EXECUTION: the filter fixes the CONTEXT. */
static LONG FixPointer(PEXCEPTION_POINTERS Pointers, PVOID Good)
{
    if (Pointers->ExceptionRecord->ExceptionCode != STATUS_ACCESS_VIOLATION)
        return EXCEPTION_CONTINUE_SEARCH;
    Pointers->ContextRecord->Rbx = (ULONG64)Good;
    return EXCEPTION_CONTINUE_EXECUTION;
}

static LONG SkipInstruction(PEXCEPTION_POINTERS Pointers, ULONG Length)
{
    Pointers->ContextRecord->Rip = (ULONG64)Pointers->ExceptionRecord->ExceptionAddress + Length;
    return EXCEPTION_CONTINUE_EXECUTION;
}

static VOID TestContinue(VOID)
{
    int Good = 42, Value = 0, Handled = 0;
    PVOID Pointer = (PVOID)BAD_ADDRESS;
    __try {
        __asm__ volatile("movl (%%rbx), %0" : "=r"(Value), "+b"(Pointer) : : "memory");
    } __except (FixPointer(GetExceptionInformation(), &Good)) {
        Handled = 1;
    }
    KT_EQ(Value, 42);
    KT_EQ(Handled, 0);
    KT_CHECK(Pointer == &Good);

    int After = 0;
    __try {
        __asm__ volatile("ud2");
        After = 1;
    } __except (SkipInstruction(GetExceptionInformation(), 2)) {
        Handled = 1;
    }
    KT_EQ(After, 1);
    __try {
        DbgBreakPoint();
        After = 2;
    } __except (SkipInstruction(GetExceptionInformation(), 1)) {
        Handled = 1;
    }
    KT_EQ(After, 2);
    KT_EQ(Handled, 0);
}

static VOID TestIrql(VOID)
{
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KIRQL Seen = PASSIVE_LEVEL;
    __try {
        ReadBad();
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Seen = KeGetCurrentIrql();
    }
    KT_EQ(Seen, DISPATCH_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(Old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

static KDPC Dpc;
static KEVENT DpcDone;
static volatile NTSTATUS DpcCode;
static volatile KIRQL DpcIrql;

static VOID FaultingDpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    __try {
        Level1();
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        DpcCode = GetExceptionCode();
        DpcIrql = KeGetCurrentIrql();
    }
    KeSetEvent(&DpcDone, 0, FALSE);
}

static VOID TestDpc(VOID)
{
    KeInitializeEvent(&DpcDone, NotificationEvent, FALSE);
    KeInitializeDpc(&Dpc, FaultingDpc, NULL);
    /* the thread's own handler must not see the DPC's fault */
    __try {
        KeInsertQueueDpc(&Dpc, NULL, NULL);
        KeWaitForSingleObject(&DpcDone, Executive, KernelMode, FALSE, NULL);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        KT_CHECK(!"the thread's handler saw the DPC's exception");
    }
    KT_EQ(DpcCode, STATUS_ACCESS_VIOLATION);
    KT_EQ(DpcIrql, DISPATCH_LEVEL);
}

/* TSan's runtime makes each fault cost milliseconds of signal handling:
 * fewer rounds there, the same checks. */
#ifdef __SANITIZE_THREAD__
#define MANY_FAULTS 500
#else
#define MANY_FAULTS 5000
#endif

static VOID TestMany(VOID)
{
    ULONG Caught = 0;
    for (ULONG i = 0; i < MANY_FAULTS; i++) {
        __try {
            if (i & 1)
                ReadBad();
            else
                Divide(0);
        } __except (GetExceptionCode() == STATUS_ACCESS_VIOLATION ||
                    GetExceptionCode() == STATUS_INTEGER_DIVIDE_BY_ZERO ? EXCEPTION_EXECUTE_HANDLER
                                                                        : EXCEPTION_CONTINUE_SEARCH) {
            Caught++;
        }
    }
    KT_EQ(Caught, MANY_FAULTS);
}

static VOID ThreadMain(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    TestKinds();
    TestMany();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    TestKinds();
    TestRegisters();
    TestContinue();
    TestIrql();
    TestDpc();
    TestMany();
    /* on another system thread, concurrently with this one */
    PETHREAD Thread = KtStartThread(ThreadMain, NULL);
    KT_CHECK(Thread != NULL);
    TestMany();
    KtJoin(Thread);
    KT_DONE();
    return STATUS_SUCCESS;
}
