// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --user @DRIVERDIR@/svc_client.exe.so -- @DRIVERDIR@/svc_target.sys
// NTPS-TEST: expect ^svc-client: PASS$
// NTPS-TEST: expect user process .*svc_client.exe.so \(PID [0-9]+\) exited with status 0 \(0x0\)
// NTPS-TEST: expect ^svc_target: DriverEntry 1 of this image, \\Registry\\Machine\\System\\CurrentControlSet\\Services\\NtpsSvcA, driver \\Driver\\NtpsSvcA$
// NTPS-TEST: expect ^svc_target: DriverEntry 1 of this image, \\Registry\\Machine\\System\\CurrentControlSet\\Services\\NtpsSvcB, driver \\Driver\\NtpsSvcB$
// NTPS-TEST: expect ^svc_target: unload NtpsSvcA$
// NTPS-TEST: expect ^svc_target: unload NtpsSvcB$
// NTPS-TEST: expect NtLoadDriver: no image for \\\?\?\\C:\\nowhere\\missing.sys
// NTPS-TEST: reject DriverEntry 2 of this image
// NTPS-TEST: reject leak|left|0xCE
// NTPS-TEST: expect ^svc_manager: unload$
/*
 * The service control manager of --user clients (win32/service.c): the
 * client tests/user/svc_client.c installs tests/drivers/svc_target.c as
 * the kernel-driver service NtpsSvcA from the .sys path ntps maps to the
 * .so beside it, starts it (NtLoadDriver: DriverEntry on a system thread),
 * uses it, stops it (DriverUnload), starts it again (a fresh image), marks
 * it for deletion while it runs and stops it (the key goes), checks the
 * documented errors, and leaves a second service NtpsSvcB running: ntps
 * unloads that one at shutdown, before this driver.
 */
#include <ntddk.h>

static VOID SvcManagerUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    DbgPrint("svc_manager: unload\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = SvcManagerUnload;
    return STATUS_SUCCESS;
}
