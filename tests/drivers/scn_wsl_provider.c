/*
 * A WSL-type subsystem provider under a scenario (tests/scenarios/
 * wsl.yaml): getpid returns the caller's PID, gettid its TID, uname fills
 * the caller's buffer (a `buffer` argument), write returns its count,
 * other numbers fail with STATUS_INVALID_PARAMETER (-EINVAL's stand-in).
 * The scenario checks the values its bash threads get back.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --scenario @SCENARIOS@/wsl.yaml
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^ntps: scenario wsl: .*expectations: 2 of 2 passed$
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

static PVOID Registration;
static volatile LONG Calls, Unames;

static NTSTATUS NTAPI DispatchSystemCall(PNTPS_SYSTEM_CALL Call)
{
    InterlockedIncrement(&Calls);
    switch (Call->Number) {
    case 39:        /* getpid */
        Call->ReturnValue = (ULONG_PTR)PsGetCurrentProcessId();
        return STATUS_SUCCESS;
    case 186:       /* gettid */
        Call->ReturnValue = (ULONG_PTR)PsGetCurrentThreadId();
        return STATUS_SUCCESS;
    case 63: {      /* uname(buf): the sysname field */
        __try {
            ProbeForWrite((PVOID)Call->Arguments[0], 65, 1);
            RtlCopyMemory((PVOID)Call->Arguments[0], "Linux", 6);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            return GetExceptionCode();
        }
        InterlockedIncrement(&Unames);
        Call->ReturnValue = 0;
        return STATUS_SUCCESS;
    }
    case 1:         /* write(fd, buf, count) */
        Call->ReturnValue = Call->Arguments[2];
        return STATUS_SUCCESS;
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

static NTPS_SUBSYSTEM_PROVIDER Provider = { sizeof(NTPS_SUBSYSTEM_PROVIDER), SubsystemInformationTypeWSL,
                                            DispatchSystemCall, NULL };

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NtpsUnregisterSubsystemProvider(Registration);
    DbgPrint("system calls %ld, uname %ld\n", Calls, Unames);
    KT_EQ(Calls, 3 * 5 + 2);
    KT_EQ(Unames, 3);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS Status = NtpsRegisterSubsystemProvider(&Provider, &Registration);
    if (NT_SUCCESS(Status))
        DriverObject->DriverUnload = Unload;
    return Status;
}
