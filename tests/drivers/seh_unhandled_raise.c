/*
 * ExRaiseStatus with no handler, in DriverEntry's system thread: bug check
 * 0x7E with the status as P1.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000007E \(0x00000000c000009a,
// NTPS-TEST: expect ^SYSTEM_THREAD_EXCEPTION_NOT_HANDLED$
// NTPS-TEST: expect seh_unhandled_raise.so!DriverEntry
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    DbgPrint("FAIL: ExRaiseStatus returned\n");
    return STATUS_SUCCESS;
}
