/*
 * A process-protection driver under a scenario (tests/scenarios/
 * protect.yaml): its object pre-callback strips PROCESS_TERMINATE from
 * user-mode handles to processes named lsass.exe, and its process notify
 * routine counts creations. The scenario expects taskkill.exe's
 * NtTerminateProcess to fail with STATUS_ACCESS_DENIED, lsass.exe to end
 * by itself with 0, and this driver's callbacks to have run (counted by
 * the verifier). DriverUnload runs after the scenario: by then every
 * scenario process was reported.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: args --scenario @SCENARIOS@/protect.yaml
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect expectations: 5 of 5 passed$
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

static PVOID Registration;
static volatile LONG Created, Exited, Stripped;

static BOOLEAN IsLsass(PEPROCESS Process)
{
    const char *Name = (const char *)PsGetProcessImageFileName(Process);
    const char *Want = "lsass.exe";
    for (int i = 0; Want[i] != 0; i++)
        if (Name[i] != Want[i])
            return FALSE;
    return Name[9] == 0;
}

static OB_PREOP_CALLBACK_STATUS ProtectPre(PVOID Context, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    if (Info->KernelHandle || Info->ObjectType != *PsProcessType || !IsLsass((PEPROCESS)Info->Object))
        return OB_PREOP_SUCCESS;
    if (Info->Parameters->CreateHandleInformation.DesiredAccess & PROCESS_TERMINATE)
        InterlockedIncrement(&Stripped);
    Info->Parameters->CreateHandleInformation.DesiredAccess &= ~PROCESS_TERMINATE;
    Info->Parameters->DuplicateHandleInformation.DesiredAccess &= ~PROCESS_TERMINATE;
    return OB_PREOP_SUCCESS;
}

static VOID Notify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    UNREFERENCED_PARAMETER(Process);
    UNREFERENCED_PARAMETER(ProcessId);
    InterlockedIncrement(CreateInfo != NULL ? &Created : &Exited);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ObUnRegisterCallbacks(Registration);
    PsSetCreateProcessNotifyRoutineEx(Notify, TRUE);
    DbgPrint("created %ld exited %ld stripped %ld\n", Created, Exited, Stripped);
    KT_CHECK(Created == 4);        /* wininit, lsass, explorer, taskkill */
    KT_CHECK(Exited == 4);
    KT_CHECK(Stripped >= 1);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    OB_OPERATION_REGISTRATION Operations[1] = {
        { PsProcessType, OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE, ProtectPre, NULL } };
    OB_CALLBACK_REGISTRATION Callbacks = { OB_FLT_REGISTRATION_VERSION, 1, { 0, 0, NULL }, NULL, Operations };
    RtlInitUnicodeString(&Callbacks.Altitude, L"320000");
    NTSTATUS Status = ObRegisterCallbacks(&Callbacks, &Registration);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = PsSetCreateProcessNotifyRoutineEx(Notify, FALSE);
    if (!NT_SUCCESS(Status)) {
        ObUnRegisterCallbacks(Registration);
        return Status;
    }
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
