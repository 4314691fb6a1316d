// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: args --user @DRIVERDIR@/registry_client.exe.so
// NTPS-TEST: expect ^registry-client: PASS$
// NTPS-TEST: expect user process .*registry_client.exe.so \(PID [0-9]+\) exited with status 0 \(0x0\)
/*
 * Runs tests/user/registry_client.c: the Reg* calls (win32/registry.c)
 * and GetModuleFileName.
 */
#include <ntddk.h>

static VOID UserRegistryUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = UserRegistryUnload;
    return STATUS_SUCCESS;
}
