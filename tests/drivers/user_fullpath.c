// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: args --user @DRIVERDIR@/fullpath_client.exe.so
// NTPS-TEST: expect ^fullpath-client: PASS$
// NTPS-TEST: expect user process .*fullpath_client.exe.so \(PID [0-9]+\) exited with status 0 \(0x0\)
/*
 * Runs tests/user/fullpath_client.c: GetFullPathNameA/W (win32/path.c).
 */
#include <ntddk.h>

static VOID UserFullPathUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = UserFullPathUnload;
    return STATUS_SUCCESS;
}
