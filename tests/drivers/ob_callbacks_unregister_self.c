/*
 * ObUnRegisterCallbacks called from inside a callback of the same
 * registration would wait for itself forever (it waits for the
 * registration's callbacks to return): a bug check that says so, the
 * verifier's self-deadlock 0xC4/0x1000, instead of a hang.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000001000,
// NTPS-TEST: expect called from inside a callback of that registration
// NTPS-TEST: expect ^driver: ob_callbacks_unregister_self.so
// NTPS-TEST: expect ^VERIFIER CallbackSelfRemoval: ObUnRegisterCallbacks\(.*\) from inside a callback of that registration
// NTPS-TEST: expect ^in the object pre-operation callback ob_callbacks_unregister_self.so!Pre\+0x0$
// NTPS-TEST: reject ^after$
#include <ntddk.h>

static PVOID Registration;

static OB_PREOP_CALLBACK_STATUS Pre(PVOID Context, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    if (Info->Object == PsInitialSystemProcess)
        ObUnRegisterCallbacks(Registration);
    return OB_PREOP_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    OB_OPERATION_REGISTRATION Operation = { PsProcessType, OB_OPERATION_HANDLE_CREATE, Pre, NULL };
    OB_CALLBACK_REGISTRATION Reg = { OB_FLT_REGISTRATION_VERSION, 1, RTL_CONSTANT_STRING(L"385100"), NULL,
                                     &Operation };
    if (!NT_SUCCESS(ObRegisterCallbacks(&Reg, &Registration)))
        return STATUS_UNSUCCESSFUL;
    HANDLE H;
    ObOpenObjectByPointer(PsInitialSystemProcess, OBJ_KERNEL_HANDLE, NULL, SYNCHRONIZE, *PsProcessType, KernelMode,
                          &H);
    DbgPrint("after\n");
    return STATUS_SUCCESS;
}
