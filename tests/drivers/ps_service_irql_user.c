/*
 * ps_service_irql_user.c - driver code that runs in a system service for a
 * user thread (here a subsystem provider's system call) and returns at
 * APC_LEVEL (it forgot to release a fast mutex): on the way back to user
 * mode Windows stops with bug check 0x4A IRQL_GT_ZERO_AT_SYSTEM_SERVICE,
 * P1 the service, P2 the IRQL (1). The user code after the call never
 * runs. (Notify routines that do this are caught earlier, when they
 * return: ps_notify_apc_level_user.c.)
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000004A \(0x[0-9a-f]+, 0x0000000000000001, 0x0000000000000000, 0x0000000000000000\)
// NTPS-TEST: expect IRQL_GT_ZERO_AT_SYSTEM_SERVICE
// NTPS-TEST: reject ^back in user mode$
#include <ntps.h>

static UNICODE_STRING Linux = RTL_CONSTANT_STRING(L"/usr/bin/locker");
static FAST_MUTEX Lock;

static NTSTATUS NTAPI DispatchSystemCall(PNTPS_SYSTEM_CALL Call)
{
    ExAcquireFastMutex(&Lock);          /* and forgets ExReleaseFastMutex */
    Call->ReturnValue = 0;
    return STATUS_SUCCESS;
}

static NTPS_SUBSYSTEM_PROVIDER Provider = { sizeof(NTPS_SUBSYSTEM_PROVIDER), SubsystemInformationTypeWSL,
                                            DispatchSystemCall, NULL };

static NTSTATUS NTAPI Caller(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    NtpsSystemCall(1, 0, 0, 0, 0, 0, 0);
    DbgPrint("back in user mode\n");
    return 0;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PVOID Registration;
    ExInitializeFastMutex(&Lock);
    if (!NT_SUCCESS(NtpsRegisterSubsystemProvider(&Provider, &Registration)))
        return STATUS_UNSUCCESSFUL;
    NTPS_PROCESS_CREATE C = { &Linux, NULL, SubsystemInformationTypeWSL, NULL, Caller, NULL };
    HANDLE Handle;
    if (NT_SUCCESS(NtpsCreateProcess(&C, &Handle, NULL))) {
        ZwWaitForSingleObject(Handle, FALSE, NULL);
        ZwClose(Handle);
    }
    NtpsUnregisterSubsystemProvider(Registration);
    return STATUS_SUCCESS;
}
