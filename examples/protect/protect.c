/*
 * protect - process protection with object callbacks: a pre-operation
 * callback on process handles strips PROCESS_TERMINATE from every user-mode
 * handle opened or duplicated to a process whose image is lsass.exe, unless
 * the process opens itself. A taskkill-like process then gets its handle,
 * but NtTerminateProcess with it fails with STATUS_ACCESS_DENIED. Needs
 * `ntps cc --integritycheck` (ObRegisterCallbacks requires it).
 */
#include <ntddk.h>

#ifndef PROCESS_TERMINATE
#define PROCESS_TERMINATE 0x0001
#endif

/* Exported by Windows, declared by no WDK header. */
NTKERNELAPI PUCHAR PsGetProcessImageFileName(PEPROCESS Process);

static PVOID Registration;
static volatile LONG Stripped, Seen;

static BOOLEAN IsProtected(PEPROCESS Process)
{
    const char *Name = (const char *)PsGetProcessImageFileName(Process);
    return Name != NULL && _stricmp(Name, "lsass.exe") == 0;
}

static OB_PREOP_CALLBACK_STATUS PreOperation(PVOID Context, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    InterlockedIncrement(&Seen);
    PEPROCESS Target = (PEPROCESS)Info->Object;
    if (Info->KernelHandle || Target == PsGetCurrentProcess() || !IsProtected(Target))
        return OB_PREOP_SUCCESS;
    /* DesiredAccess is the first field of both arms of the union. */
    PACCESS_MASK Desired = &Info->Parameters->CreateHandleInformation.DesiredAccess;
    if (*Desired & PROCESS_TERMINATE) {
        *Desired &= ~(ACCESS_MASK)PROCESS_TERMINATE;
        InterlockedIncrement(&Stripped);
        DbgPrint("protect: process %lu (%s) asked for PROCESS_TERMINATE on lsass.exe (%lu): stripped\n",
                 HandleToULong(PsGetCurrentProcessId()), PsGetProcessImageFileName(PsGetCurrentProcess()),
                 HandleToULong(PsGetProcessId(Target)));
    }
    return OB_PREOP_SUCCESS;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ObUnRegisterCallbacks(Registration);
    DbgPrint("protect: %ld process handle requests seen, PROCESS_TERMINATE stripped from %ld\n", Seen, Stripped);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    OB_OPERATION_REGISTRATION Operation = { PsProcessType, OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE,
                                            PreOperation, NULL };
    OB_CALLBACK_REGISTRATION Callbacks = { OB_FLT_REGISTRATION_VERSION, 1, RTL_CONSTANT_STRING(L"321000"), NULL,
                                           &Operation };
    NTSTATUS Status = ObRegisterCallbacks(&Callbacks, &Registration);
    if (!NT_SUCCESS(Status)) {
        DbgPrint("protect: ObRegisterCallbacks failed 0x%08X (built with --integritycheck?)\n", (unsigned)Status);
        return Status;
    }
    DriverObject->DriverUnload = Unload;
    DbgPrint("protect: guarding lsass.exe against PROCESS_TERMINATE\n");
    return STATUS_SUCCESS;
}
