/*
 * ps/subsystem.c - subsystem (WSL-type, "pico") processes and the driver
 * that provides their subsystem: their system calls (NtpsSystemCall) and
 * the user-mode exceptions no frame handled go to the provider registered
 * for their subsystem, on the calling thread, in its process, in kernel
 * mode at PASSIVE_LEVEL.
 *
 * One provider per subsystem. A call looks the provider up and holds its
 * rundown protection while the provider runs, so unregistering waits for
 * calls in flight and no lock is held across a provider routine.
 */
#include "ps/ps.h"

#include <string.h>

typedef struct _PSP_PROVIDER {
    EX_RUNDOWN_REF Rundown;             /* run down while no provider is registered */
    NTPS_SUBSYSTEM_PROVIDER Routines;
    PRTL_MODULE Module;
    volatile BOOLEAN Registered;
} PSP_PROVIDER;

static PSP_PROVIDER PspProviders[MaxSubsystemInformationType];
static KGUARDED_MUTEX PspProviderLock;     /* registration only */

VOID PspInitializeSubsystems(VOID)
{
    KeInitializeGuardedMutex(&PspProviderLock);
    for (ULONG i = 0; i < RTL_NUMBER_OF(PspProviders); i++) {
        ExInitializeRundownProtection(&PspProviders[i].Rundown);
        ExWaitForRundownProtectionRelease(&PspProviders[i].Rundown);    /* none registered */
    }
}

static VOID PspCheckPassive(PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, PASSIVE_LEVEL, (ULONG_PTR)Caller);
}

NTSTATUS NtpsRegisterSubsystemProvider(const NTPS_SUBSYSTEM_PROVIDER *Provider, PVOID *Registration)
{
    PspCheckPassive(__builtin_return_address(0));
    if (Provider == NULL || Registration == NULL || Provider->Size < sizeof(NTPS_SUBSYSTEM_PROVIDER) ||
        Provider->DispatchSystemCall == NULL || Provider->Subsystem == SubsystemInformationTypeWin32 ||
        (ULONG)Provider->Subsystem >= MaxSubsystemInformationType)
        return STATUS_INVALID_PARAMETER;
    /* Provider routines run after the registration call returns: they must
     * be in a loaded driver image, which unloading checks. */
    PRTL_MODULE Module = RtlpLookupModuleByAddress((PVOID)Provider->DispatchSystemCall);
    if (Module == NULL || (Provider->DispatchException != NULL &&
                           RtlpLookupModuleByAddress((PVOID)Provider->DispatchException) != Module))
        return STATUS_ACCESS_DENIED;
    PSP_PROVIDER *Slot = &PspProviders[Provider->Subsystem];
    KeAcquireGuardedMutex(&PspProviderLock);
    NTSTATUS Status = STATUS_OBJECT_NAME_COLLISION;
    if (!Slot->Registered) {
        memset(&Slot->Routines, 0, sizeof(Slot->Routines));
        memcpy(&Slot->Routines, Provider, sizeof(NTPS_SUBSYSTEM_PROVIDER));
        Slot->Module = Module;
        Slot->Registered = TRUE;
        ExReInitializeRundownProtection(&Slot->Rundown);
        *Registration = Slot;
        Status = STATUS_SUCCESS;
    }
    KeReleaseGuardedMutex(&PspProviderLock);
    return Status;
}

VOID NtpsUnregisterSubsystemProvider(PVOID Registration)
{
    PspCheckPassive(__builtin_return_address(0));
    PSP_PROVIDER *Slot = Registration;
    if (Slot < &PspProviders[0] || Slot >= &PspProviders[RTL_NUMBER_OF(PspProviders)] || !Slot->Registered)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1007, (ULONG_PTR)Registration, 0, 0,
                          "NtpsUnregisterSubsystemProvider: %p is not a registered subsystem provider",
                          Registration);
    KeAcquireGuardedMutex(&PspProviderLock);
    Slot->Registered = FALSE;
    KeReleaseGuardedMutex(&PspProviderLock);
    ExWaitForRundownProtectionRelease(&Slot->Rundown);
}

/* The provider of the current thread's subsystem, protected from being
 * unregistered until PspReleaseProvider; NULL if there is none. */
static PSP_PROVIDER *PspAcquireProvider(SUBSYSTEM_INFORMATION_TYPE Subsystem)
{
    if ((ULONG)Subsystem >= RTL_NUMBER_OF(PspProviders))
        return NULL;
    PSP_PROVIDER *Slot = &PspProviders[Subsystem];
    return ExAcquireRundownProtection(&Slot->Rundown) ? Slot : NULL;
}

static VOID PspReleaseProvider(PSP_PROVIDER *Slot)
{
    ExReleaseRundownProtection(&Slot->Rundown);
}

/* A provider left registered by a driver that unloads would be called in
 * freed code: Windows stops with 0xCE. */
VOID PspCheckUnloadedProviders(PVOID Base, SIZE_T Size)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(PspProviders); i++) {
        PSP_PROVIDER *Slot = &PspProviders[i];
        if (Slot->Registered && (PCHAR)Slot->Routines.DispatchSystemCall >= (PCHAR)Base &&
            (PCHAR)Slot->Routines.DispatchSystemCall < (PCHAR)Base + Size)
            KiBugCheckExplain(0xCE, (ULONG_PTR)Slot->Routines.DispatchSystemCall, 0,
                              (ULONG_PTR)Slot->Routines.DispatchSystemCall, 0,
                              "%s unloaded with its subsystem provider still registered "
                              "(NtpsUnregisterSubsystemProvider was not called)", Slot->Module->Name);
    }
}

/* ---- system calls -------------------------------------------------------------------------------- */

ULONG_PTR NtpsSystemCall(ULONG_PTR Number, ULONG_PTR A1, ULONG_PTR A2, ULONG_PTR A3, ULONG_PTR A4, ULONG_PTR A5,
                         ULONG_PTR A6)
{
    if (KiCurrentThread()->InUserMode)
        return KiSystemService((PVOID)NtpsSystemCall, 7,
                               (const ULONG_PTR[]){ Number, A1, A2, A3, A4, A5, A6 });
    ETHREAD *Thread = PspCurrentThread();
    EPROCESS *Process = PspThreadProcess(Thread);
    if (Thread->SystemThread || !(PspProcessFlags(Process) & PSP_PROCESS_USER) || !PspIsSubsystemProcess(Process))
        return (ULONG_PTR)(LONG_PTR)STATUS_INVALID_SYSTEM_SERVICE;
    PSP_PROVIDER *Provider = PspAcquireProvider(Process->Subsystem);
    if (Provider == NULL)
        return (ULONG_PTR)(LONG_PTR)STATUS_NOT_SUPPORTED;
    NTPS_SYSTEM_CALL Call = { Number, { A1, A2, A3, A4, A5, A6 }, 0 };
    NTSTATUS Status = Provider->Routines.DispatchSystemCall(&Call);
    PspReleaseProvider(Provider);
    return NT_SUCCESS(Status) ? Call.ReturnValue : (ULONG_PTR)(LONG_PTR)Status;
}

/* ---- exceptions -------------------------------------------------------------------------------------- */

typedef struct _PSP_EXCEPTION_CALL {
    PEXCEPTION_RECORD Record;
    BOOLEAN Handled;
} PSP_EXCEPTION_CALL;

static VOID PspDispatchExceptionInKernel(PVOID Context)
{
    PSP_EXCEPTION_CALL *Call = Context;
    EPROCESS *Process = PspThreadProcess(PspCurrentThread());
    PSP_PROVIDER *Provider = PspAcquireProvider(Process->Subsystem);
    if (Provider == NULL)
        return;
    if (Provider->Routines.DispatchException != NULL)
        Call->Handled = Provider->Routines.DispatchException(Call->Record) != FALSE;
    PspReleaseProvider(Provider);
}

BOOLEAN PspDispatchSubsystemException(PEXCEPTION_RECORD Record)
{
    PSP_EXCEPTION_CALL Call = { Record, FALSE };
    KiCallFromUserMode(PspDispatchExceptionInKernel, &Call);
    return Call.Handled;
}
