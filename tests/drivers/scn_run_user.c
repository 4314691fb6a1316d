/*
 * The scenario action run (tests/scenarios/run_user.yaml): a --user image
 * started from a scenario thread with a scenario process's PID as an
 * argument, its exit code the action's status, an unknown image said so;
 * the image is not run again after the scenario. This driver counts the
 * processes created (the scenario's two and the client's three runs).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: args --scenario @SCENARIOS@/run_user.yaml --user @DRIVERDIR@/run_client.exe.so
// NTPS-TEST: expect ^run-client: run_client.exe kill [0-9]+$
// NTPS-TEST: expect ^run-client: run_client.exe exit 3$
// NTPS-TEST: expect ^run-client: run_client.exe "with space" x$
// NTPS-TEST: expect ^scenario: starter.exe #0 \(PID [0-9]+\) thread 0: run RUN_CLIENT.EXE: PID [0-9]+ exited with 3 \(0x3\)$
// NTPS-TEST: expect run: no --user image named missing.exe
// NTPS-TEST: expect expectations: 2 of 2 passed$
// NTPS-TEST: reject user process .*run_client
// NTPS-TEST: expect ^PASS$
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Created;

static VOID ProcessNotify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    UNREFERENCED_PARAMETER(Process);
    UNREFERENCED_PARAMETER(ProcessId);
    if (Info != NULL)
        InterlockedIncrement(&Created);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsSetCreateProcessNotifyRoutineEx(ProcessNotify, TRUE);
    KT_CHECK(Created == 5);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    return PsSetCreateProcessNotifyRoutineEx(ProcessNotify, FALSE);
}
