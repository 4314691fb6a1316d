// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: args --user @DRIVERDIR@/crt_client.exe.so
// NTPS-TEST: expect ^ok$
// NTPS-TEST: expect ^z$
// NTPS-TEST: expect ^crt-client: PASS$
// NTPS-TEST: expect user process .*crt_client.exe.so \(PID [0-9]+\) exited with status 0 \(0x0\)
// NTPS-TEST: expect ^user_crt: loaded$
/*
 * Runs tests/user/crt_client.c: sscanf_s and conio.h in a --user client.
 */
#include <ntddk.h>

static VOID UserCrtUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = UserCrtUnload;
    DbgPrint("user_crt: loaded\n");
    return STATUS_SUCCESS;
}
