// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --debugger
// NTPS-TEST: expect ^ntps: break instruction exception at ntps!DbgBreakPoint\+0x0, called from kd_debugger.so!DriverEntry\+0x[0-9a-f]+ \(thread .*\): continued \(--debugger\)$
// NTPS-TEST: expect ^ntps: break instruction exception at kd_debugger.so!Breaks\+0x[0-9a-f]+ \(thread .*\): continued \(--debugger\)$
// NTPS-TEST: expect ^ktest: 7 passed, 0 failed$
// NTPS-TEST: expect ^PASS$
/*
 * With a kernel debugger attached (ntps run --debugger), a breakpoint in
 * kernel mode goes to the debugger before any exception handler, and the
 * code goes on after it when the debugger continues: DbgBreakPoint,
 * KdBreakPoint and __debugbreak return, a __try around them sees no
 * exception, KD_DEBUGGER_ENABLED is TRUE and KD_DEBUGGER_NOT_PRESENT FALSE.
 * Other exceptions still go to the handlers. (Without --debugger an
 * unhandled breakpoint is a bug check: tests/drivers/seh_faults.c catches
 * STATUS_BREAKPOINT, as on a machine with no kernel debugger.)
 */
#include <ntddk.h>
#include "ktest.h"

static int *volatile BadPointer = (int *)(ULONG_PTR)0x30;

static VOID Breaks(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    DbgBreakPoint();
    DbgBreakPointWithStatus(3);
    __debugbreak();
    PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KT_CHECK(KD_DEBUGGER_ENABLED);
    KT_CHECK(!KD_DEBUGGER_NOT_PRESENT);
    KT_CHECK(!KdRefreshDebuggerNotPresent());
    BOOLEAN Caught = FALSE;
    __try {
        DbgBreakPoint();
        KdBreakPoint();
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Caught = TRUE;
    }
    KT_CHECK(!Caught);
    NTSTATUS Code = STATUS_SUCCESS;
    __try {
        *BadPointer = 1;
    } __except (Code = GetExceptionCode(), EXCEPTION_EXECUTE_HANDLER) {
    }
    KT_EQ(Code, STATUS_ACCESS_VIOLATION);
    HANDLE Thread;
    KT_EQ(PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, Breaks, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Thread, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Thread);
    KT_DONE();
    return STATUS_SUCCESS;
}
