/*
 * A driver without DriverUnload stays loaded until shutdown: what it left
 * registered or named then (object callbacks, a permanent named object,
 * kernel handles) is released at shutdown without a report (under ASan:
 * without a leak or a use after free).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect has no DriverUnload routine
#include <ntps.h>
#include "ktest.h"

static OB_PREOP_CALLBACK_STATUS Pre(PVOID Context, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Info);
    return OB_PREOP_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    OB_OPERATION_REGISTRATION Operations[2] = { { PsProcessType, OB_OPERATION_HANDLE_CREATE, Pre, NULL },
                                                { PsThreadType, OB_OPERATION_HANDLE_DUPLICATE, Pre, NULL } };
    OB_CALLBACK_REGISTRATION Registration = { OB_FLT_REGISTRATION_VERSION, 2, RTL_CONSTANT_STRING(L"1000"), NULL,
                                              Operations };
    PVOID Handle;
    KT_EQ(ObRegisterCallbacks(&Registration, &Handle), STATUS_SUCCESS);
    HANDLE Permanent, Mutant, Open;
    OBJECT_ATTRIBUTES Oa;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\KernelObjects\\ObLeftover");
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE | OBJ_PERMANENT, NULL, NULL);
    KT_EQ(ZwCreateEvent(&Permanent, EVENT_ALL_ACCESS, &Oa, NotificationEvent, FALSE), STATUS_SUCCESS);
    KT_EQ(ZwClose(Permanent), STATUS_SUCCESS);
    /* a kernel handle never closed, to a named mutant this thread owns */
    UNICODE_STRING MutantName = RTL_CONSTANT_STRING(L"\\KernelObjects\\ObLeftoverMutant");
    InitializeObjectAttributes(&Oa, &MutantName, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateMutant(&Mutant, MUTANT_ALL_ACCESS, &Oa, TRUE), STATUS_SUCCESS);
    KT_EQ(ZwOpenMutant(&Open, SYNCHRONIZE, &Oa), STATUS_SUCCESS);
    KT_EQ(ZwClose(Open), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
