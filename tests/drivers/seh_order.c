/*
 * SEH ordering: filters run innermost first before any unwinding, then the
 * __finally blocks between the raise and the handler run innermost first
 * (AbnormalTermination() TRUE), then the handler; __leave and normal
 * completion run the __finally with AbnormalTermination() FALSE; nested
 * handlers, continue-search to an outer handler, an exception raised in a
 * filter, in a handler and in a __finally block; try statements in loops
 * with break and continue; locals written in the body seen by the handler.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static char Trace[64];
static int TraceLength;

static VOID Mark(char C)
{
    if (TraceLength < (int)sizeof(Trace) - 1)
        Trace[TraceLength++] = C;
    Trace[TraceLength] = 0;
}

static LONG Filter(char C, LONG Result)
{
    Mark(C);
    return Result;
}

static BOOLEAN TraceIs(const char *Expected)
{
    BOOLEAN Same = strcmp(Trace, Expected) == 0;
    if (!Same)
        DbgPrint("FAIL: trace \"%s\", expected \"%s\"\n", Trace, Expected);
    TraceLength = 0;
    Trace[0] = 0;
    return Same;
}

static DECLSPEC_NOINLINE VOID Level3(VOID)
{
    __try {
        Mark('3');
        ExRaiseStatus(STATUS_INVALID_PARAMETER);
        Mark('X');
    } __finally {
        Mark(AbnormalTermination() ? 'f' : 'F');
    }
}

static DECLSPEC_NOINLINE VOID Level2(VOID)
{
    __try {
        __try {
            Level3();
        } __finally {
            Mark(AbnormalTermination() ? 'g' : 'G');
        }
    } __except (Filter('a', EXCEPTION_CONTINUE_SEARCH)) {
        Mark('X');
    }
}

static VOID TestOrder(VOID)
{
    __try {
        Level2();
    } __except (Filter('b', GetExceptionCode() == STATUS_INVALID_PARAMETER ? EXCEPTION_EXECUTE_HANDLER
                                                                           : EXCEPTION_CONTINUE_SEARCH)) {
        Mark('H');
    }
    /* both filters before either __finally; the handler last */
    KT_CHECK(TraceIs("3abfgH"));
}

static VOID TestLeaveAndNormal(VOID)
{
    __try {
        Mark('1');
        __leave;
        Mark('X');
    } __finally {
        Mark(AbnormalTermination() ? 'X' : 'F');
    }
    __try {
        Mark('2');
    } __finally {
        Mark(AbnormalTermination() ? 'X' : 'F');
    }
    /* __leave from inside a loop inside the body */
    __try {
        for (int i = 0; i < 10; i++) {
            if (i == 3)
                __leave;
            Mark('0' + i);
        }
    } __finally {
        Mark('F');
    }
    KT_CHECK(TraceIs("1F2F012F"));
}

static VOID TestNested(VOID)
{
    __try {
        __try {
            RtlRaiseStatus(STATUS_ACCESS_DENIED);
        } __except (GetExceptionCode() == STATUS_ACCESS_DENIED ? EXCEPTION_EXECUTE_HANDLER
                                                               : EXCEPTION_CONTINUE_SEARCH) {
            Mark('i');
            KT_EQ(GetExceptionCode(), STATUS_ACCESS_DENIED);
            /* raised in a handler: goes to the outer handler */
            ExRaiseStatus(STATUS_TIMEOUT);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Mark('o');
        KT_EQ(GetExceptionCode(), STATUS_TIMEOUT);
        /* a try in a handler, then the handler's own code again */
        __try {
            ExRaiseStatus(STATUS_NO_MEMORY);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            KT_EQ(GetExceptionCode(), STATUS_NO_MEMORY);
        }
        KT_EQ(GetExceptionCode(), STATUS_TIMEOUT);
    }
    KT_CHECK(TraceIs("io"));
}

static LONG RaisingFilter(VOID)
{
    Mark('r');
    ExRaiseStatus(STATUS_UNSUCCESSFUL);
    return EXCEPTION_EXECUTE_HANDLER;
}

static VOID TestRaiseInFilterAndFinally(VOID)
{
    /* an exception in a filter is not offered to that filter's try */
    __try {
        __try {
            ExRaiseStatus(STATUS_INVALID_HANDLE);
        } __except (RaisingFilter()) {
            Mark('X');
        }
    } __except (Mark('n'), GetExceptionCode() == STATUS_UNSUCCESSFUL &&
                               (GetExceptionInformation()->ExceptionRecord->ExceptionFlags & EXCEPTION_NESTED_CALL)
                           ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH) {
        Mark('H');
    }
    KT_CHECK(TraceIs("rnH"));

    /* ...and one raised by a __finally during an unwind replaces the first */
    __try {
        __try {
            __try {
                ExRaiseStatus(STATUS_INVALID_HANDLE);
            } __finally {
                Mark('f');
                ExRaiseStatus(STATUS_CANCELLED);
            }
        } __finally {
            Mark(AbnormalTermination() ? 'g' : 'X');
        }
    } __except (Mark('e'), EXCEPTION_EXECUTE_HANDLER) {
        Mark(GetExceptionCode() == STATUS_CANCELLED ? 'H' : 'X');
    }
    KT_CHECK(TraceIs("efegH"));
}

static VOID TestLoops(VOID)
{
    int Caught = 0, Finals = 0, i;
    for (i = 0; i < 100; i++) {
        __try {
            if (i == 50)
                break;              /* leaves the loop, as on Windows */
            if (i & 1)
                continue;           /* next iteration */
            ExRaiseStatus(STATUS_UNSUCCESSFUL);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            Caught++;
        }
    }
    KT_EQ(i, 50);
    KT_EQ(Caught, 25);
    for (i = 0; i < 10; i++) {
        __try {
            if (i == 5)
                continue;
        } __finally {
            Finals++;
        }
    }
    KT_EQ(Finals, 9);               /* the jump out of the body skips it (docs/seh.md) */
}

static DECLSPEC_NOINLINE int ReturnFromTry(int x)
{
    __try {
        if (x > 0)
            return x * 2;
        ExRaiseStatus(STATUS_UNSUCCESSFUL);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return -1;
    }
    return 0;
}

static VOID TestLocals(VOID)
{
    int Step = 0;
    LONG Seen = 0;
    __try {
        Step = 1;
        ExRaiseStatus(STATUS_UNSUCCESSFUL);
        Step = 2;
    } __except (Seen = Step, EXCEPTION_EXECUTE_HANDLER) {
        KT_EQ(Step, 1);
    }
    KT_EQ(Seen, 1);
    KT_EQ(ReturnFromTry(4), 8);
    KT_EQ(ReturnFromTry(-4), -1);
    /* the chain is empty again: an unbalanced one would bug check later */
    __try {
        ExRaiseStatus(STATUS_UNSUCCESSFUL);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Step = 3;
    }
    KT_EQ(Step, 3);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    TestOrder();
    TestLeaveAndNormal();
    TestNested();
    TestRaiseInFilterAndFinally();
    TestLoops();
    TestLocals();
    KT_DONE();
    return STATUS_SUCCESS;
}
