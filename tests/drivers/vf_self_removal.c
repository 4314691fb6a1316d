/*
 * CallbackSelfRemoval: a process notify routine that removes itself with
 * PsSetCreateProcessNotifyRoutine(Routine, TRUE) from inside its own call.
 * On Windows the removal waits for the calls in flight, its own too: the
 * thread waits for itself forever. ntps reports the rule (driver, routine,
 * backtrace) and ends the run with the deadlock as a bug check, 0xC4/0x1000.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^VERIFIER CallbackSelfRemoval: the process notify routine vf_self_removal.so!SelfRemover\+0x0 removes itself while it runs
// NTPS-TEST: expect ^driver: vf_self_removal.so  at vf_self_removal.so!SelfRemover\+
// NTPS-TEST: expect ^in the process notify routine vf_self_removal.so!SelfRemover\+0x0$
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000001000,
// NTPS-TEST: reject ^returned$
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\conhost.exe");

static VOID SelfRemover(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ParentId);
    UNREFERENCED_PARAMETER(ProcessId);
    if (Create) {
        PsSetCreateProcessNotifyRoutine(SelfRemover, TRUE);
        DbgPrint("returned\n");
    }
}

static NTSTATUS NTAPI Main(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return 0;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KT_EQ(PsSetCreateProcessNotifyRoutine(SelfRemover, FALSE), STATUS_SUCCESS);
    KtRunProcess(&Image, NULL, SubsystemInformationTypeWin32, Main, NULL, NULL);
    return STATUS_SUCCESS;
}
