// NTPS-TEST: args --user @DRIVERDIR@/user_basic.exe.so --user @DRIVERDIR@/user_cxx.exe.so -- 5 skip 9
// NTPS-TEST: expect ^client: argc 1$
// NTPS-TEST: expect ^client: wide upper-S narrow -5$
// NTPS-TEST: expect ^client: wprintf 12 w$
// NTPS-TEST: expect ^client: PASS$
// NTPS-TEST: expect user process .*user_basic.exe.so \(PID [0-9]+\) exited with status 7 \(0x7\)
// NTPS-TEST: expect ^client\+\+: user_cxx.exe with 2 numbers \(19 characters\)$
// NTPS-TEST: expect ^client\+\+: PASS$
// NTPS-TEST: expect user process .*user_cxx.exe.so \(PID [0-9]+\) exited with status 14 \(0xe\)
// NTPS-TEST: expect ^user_client: DriverEntry done$
/*
 * `ntps run --user`: the console clients of tests/user/ (built with `ntps
 * cc --user`) run as Win32 processes after this driver's DriverEntry, one
 * after the other, the last with the arguments after --; their printf and
 * wprintf lines reach the output, their exit statuses are reported.
 * (user_basic: processes, last error, Sleep, events, threads, time;
 * user_cxx: C++ wmain, std::wstring, std::vector.)
 */
#include <ntddk.h>

static VOID UserClientUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = UserClientUnload;
    DbgPrint("user_client: DriverEntry done\n");
    return STATUS_SUCCESS;
}
