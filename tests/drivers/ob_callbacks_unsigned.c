/*
 * ObRegisterCallbacks from a driver built without `ntps cc --integritycheck`
 * (no IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY, as without the linker's
 * /INTEGRITYCHECK): STATUS_ACCESS_DENIED, and nothing is registered (the
 * same altitude is free for a later registration that fails the same
 * way, not with a collision).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static OB_PREOP_CALLBACK_STATUS Pre(PVOID RegistrationContext, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(RegistrationContext);
    UNREFERENCED_PARAMETER(Info);
    return OB_PREOP_SUCCESS;
}

static VOID Post(PVOID RegistrationContext, POB_POST_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(RegistrationContext);
    UNREFERENCED_PARAMETER(Info);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    OB_OPERATION_REGISTRATION Operations[2] = {
        { PsProcessType, OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE, Pre, NULL },
        { PsThreadType, OB_OPERATION_HANDLE_CREATE, NULL, Post },
    };
    OB_CALLBACK_REGISTRATION Registration = { OB_FLT_REGISTRATION_VERSION, 2, RTL_CONSTANT_STRING(L"1000"), NULL,
                                              Operations };
    PVOID Handle = (PVOID)1;
    KT_EQ(ObRegisterCallbacks(&Registration, &Handle), STATUS_ACCESS_DENIED);
    KT_EQ(ObRegisterCallbacks(&Registration, &Handle), STATUS_ACCESS_DENIED);
    KT_CHECK(Handle == (PVOID)1);
    Registration.OperationRegistration = &Operations[1];   /* only a post-callback */
    Registration.OperationRegistrationCount = 1;
    KT_EQ(ObRegisterCallbacks(&Registration, &Handle), STATUS_ACCESS_DENIED);
    Registration.Version = 0;               /* a bad structure is reported first */
    KT_EQ(ObRegisterCallbacks(&Registration, &Handle), STATUS_INVALID_PARAMETER);
    KT_DONE();
    return STATUS_SUCCESS;
}
