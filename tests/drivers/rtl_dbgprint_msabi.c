/*
 * DbgPrint and DbgPrintEx take their arguments with Microsoft's x64
 * convention, as on Windows: a driver that passes a UNICODE_STRING itself
 * (not its address) for %wZ, as the book's EnumProc does with
 * SYSTEM_PROCESS_INFORMATION.ImageName, gets it printed, because that ABI
 * passes a 16-byte structure by reference. Checked in the argument slots
 * that go in registers and on the stack, mixed with integers, 64-bit
 * values, pointers, strings and doubles; vDbgPrintEx still takes the
 * driver's own va_list.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: expect ^by value: \[ntps\.exe\]$
// NTPS-TEST: expect ^late: 1 2 3 4 5 6 7 \[ntps\.exe\] \[abc\] 0x1122334455667788 2\.50 \[ntps\.exe\]$
// NTPS-TEST: expect ^ex: 4294967295 -1 ffffffff 0000000000000010 x \[ntps\.exe\]$
// NTPS-TEST: expect ^by address: \[ntps\.exe\] \[\(null\)\]$
// NTPS-TEST: expect ^v: 7 \[abc\] \[ntps\.exe\]$
// NTPS-TEST: expect ^PASS$
#include <ntddk.h>
#include <stdarg.h>
#include "ktest.h"

/* A variadic routine of the driver's own (System V, as ntps cc builds it). */
static VOID Forward(PCSTR Format, ...)
{
    va_list Args;
    va_start(Args, Format);
    vDbgPrintEx(DPFLTR_DEFAULT_ID, DPFLTR_ERROR_LEVEL, Format, Args);
    va_end(Args);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"ntps.exe");
    PUNICODE_STRING Null = NULL;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    DbgPrint("by value: [%wZ]\n", Name);
    DbgPrint("late: %d %d %d %d %d %d %d [%wZ] [%s] 0x%I64x %.2f [%wZ]\n", 1, 2, 3, 4, 5, 6, 7, Name, "abc",
             0x1122334455667788ull, 2.5, Name);
    DbgPrintEx(DPFLTR_DEFAULT_ID, DPFLTR_ERROR_LEVEL, "ex: %u %d %x %p %c [%wZ]\n", 0xFFFFFFFFu, -1, -1,
               (PVOID)16, 'x', Name);
#pragma GCC diagnostic pop
    DbgPrint("by address: [%wZ] [%wZ]\n", &Name, Null);
    Forward("v: %d [%s] [%wZ]\n", 7, "abc", &Name);
    KT_CHECK(TRUE);
    KT_DONE();
    return STATUS_SUCCESS;
}
