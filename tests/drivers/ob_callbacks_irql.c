/*
 * ObRegisterCallbacks above APC_LEVEL: the DDI rule IrqlObPassive,
 * Driver Verifier's 0xC4/0x2001B (P2 the IRQL).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x000000000002001b, 0x0000000000000002,
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
    OB_OPERATION_REGISTRATION Operation = { PsProcessType, OB_OPERATION_HANDLE_CREATE, Pre, NULL };
    OB_CALLBACK_REGISTRATION Reg = { OB_FLT_REGISTRATION_VERSION, 1, RTL_CONSTANT_STRING(L"1000"), NULL,
                                     &Operation };
    PVOID Registration;
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    ObRegisterCallbacks(&Reg, &Registration);
    KeLowerIrql(Old);
    return STATUS_SUCCESS;
}
