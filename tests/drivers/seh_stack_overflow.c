/*
 * A driver function recursing without bound on a system thread runs into
 * its stack's guard page: bug check 0x7F UNEXPECTED_KERNEL_MODE_TRAP with
 * P1 = 8 (double fault), the thread, the driver and a backtrace.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000007F \(0x0000000000000008,
// NTPS-TEST: expect ^UNEXPECTED_KERNEL_MODE_TRAP$
// NTPS-TEST: expect ^driver: seh_stack_overflow.so
// NTPS-TEST: expect seh_stack_overflow.so!Recurse
// NTPS-TEST: expect ^backtrace:
#include <ntddk.h>
#include "ktest.h"

static volatile ULONG StopAt = 0xFFFFFFFF;

static DECLSPEC_NOINLINE ULONG Recurse(ULONG Depth)
{
    volatile UCHAR Local[64];
    if (Depth == StopAt)
        return 0;
    Local[Depth % 64] = (UCHAR)Depth;
    return Recurse(Depth + 1) + Local[(Depth + 1) % 64];
}

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    __try {
        Recurse(0);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        DbgPrint("FAIL: a stack overflow was handled\n");
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KtJoin(KtStartThread(Worker, NULL));
    return STATUS_SUCCESS;
}
