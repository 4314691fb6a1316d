/*
 * ObUnRegisterCallbacks of a handle already unregistered: on Windows the
 * handle is the registration's pool block, freed by the first call, so
 * the second frees an address no allocation returned; ntps stops with
 * Driver Verifier's 0xC4/0x10 (P2 the handle) and says why.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000000010, 0x[0-9a-f]+, 0x0000000000000000, 0x0000000000000000\)
// NTPS-TEST: expect not a registration handle from ObRegisterCallbacks, or one that was unregistered already
// NTPS-TEST: expect ^once$
// NTPS-TEST: reject ^twice$
#include <ntddk.h>

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
    OB_OPERATION_REGISTRATION Operation = { PsThreadType, OB_OPERATION_HANDLE_DUPLICATE, Pre, NULL };
    OB_CALLBACK_REGISTRATION Reg = { OB_FLT_REGISTRATION_VERSION, 1, RTL_CONSTANT_STRING(L"1000"), NULL,
                                     &Operation };
    PVOID Registration;
    if (!NT_SUCCESS(ObRegisterCallbacks(&Reg, &Registration)))
        return STATUS_UNSUCCESSFUL;
    ObUnRegisterCallbacks(Registration);
    DbgPrint("once\n");
    ObUnRegisterCallbacks(Registration);
    DbgPrint("twice\n");
    return STATUS_SUCCESS;
}
