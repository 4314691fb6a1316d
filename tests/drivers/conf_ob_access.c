/*
 * Conformance (from the WDK pages): what object callbacks see and change.
 * - Pre: DesiredAccess starts equal to OriginalDesiredAccess; a routine
 *   may remove the rights the page lists as modifiable (THREAD_SUSPEND_RESUME
 *   is one; THREAD_ALERT is not, and its removal is ignored) and can never
 *   add rights (THREAD_GET_CONTEXT added is not granted); for a duplicate,
 *   SourceProcess and TargetProcess are the process objects;
 *   KernelHandle tells a kernel handle (OBJ_KERNEL_HANDLE) from another;
 *   Object/ObjectType name the target.
 * - Post: CallContext is what the Pre routine stored; ReturnStatus the
 *   operation's status; GrantedAccess the access of the new handle (with
 *   the removed rights absent), Object/ObjectType/Operation/KernelHandle.
 * The target is a system thread of this driver, so that other handle
 * operations in the system are not counted.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
#include <ntifs.h>
#include "ktest.h"

static PETHREAD Target;
static KEVENT Go;
static volatile LONG Bad, Pres, Posts, SawKernel, SawUser, SawDup;
static int CallCtx;
static ACCESS_MASK LastGranted;
static BOOLEAN LastKernel;  /* the KernelHandle flag of the last operation */

#define BAD(cond) do { if (cond) { DbgPrint("bad: %s (line %d)\n", #cond, __LINE__); InterlockedIncrement(&Bad); } } while (0)

static OB_PREOP_CALLBACK_STATUS Pre(PVOID RegistrationContext, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(RegistrationContext);
    if (Info->Object != Target)
        return OB_PREOP_SUCCESS;
    InterlockedIncrement(&Pres);
    BAD(Info->ObjectType != *PsThreadType);
    BAD(KeGetCurrentIrql() != PASSIVE_LEVEL);
    Info->CallContext = &CallCtx;
    LastKernel = Info->KernelHandle != 0;
    if (Info->Operation == OB_OPERATION_HANDLE_CREATE) {
        POB_PRE_CREATE_HANDLE_INFORMATION C = &Info->Parameters->CreateHandleInformation;
        BAD(C->DesiredAccess != C->OriginalDesiredAccess);
        InterlockedIncrement(Info->KernelHandle ? &SawKernel : &SawUser);
        if (!Info->KernelHandle)
            C->DesiredAccess = (C->DesiredAccess & ~(THREAD_SUSPEND_RESUME | THREAD_ALERT)) | THREAD_GET_CONTEXT;
    } else {
        BAD(Info->Operation != OB_OPERATION_HANDLE_DUPLICATE);
        POB_PRE_DUPLICATE_HANDLE_INFORMATION D = &Info->Parameters->DuplicateHandleInformation;
        BAD(D->DesiredAccess != D->OriginalDesiredAccess);
        BAD(D->SourceProcess != PsGetCurrentProcess());
        BAD(D->TargetProcess != PsGetCurrentProcess());
        InterlockedIncrement(&SawDup);
        if (!Info->KernelHandle)
            D->DesiredAccess = (D->DesiredAccess & ~(THREAD_SUSPEND_RESUME | THREAD_ALERT)) | THREAD_GET_CONTEXT;
    }
    return OB_PREOP_SUCCESS;
}

static VOID Post(PVOID RegistrationContext, POB_POST_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(RegistrationContext);
    if (Info->Object != Target)
        return;
    InterlockedIncrement(&Posts);
    BAD(Info->ObjectType != *PsThreadType);
    BAD(Info->CallContext != &CallCtx);
    BAD(Info->ReturnStatus != STATUS_SUCCESS);
    if (NT_SUCCESS(Info->ReturnStatus))
        LastGranted = Info->Operation == OB_OPERATION_HANDLE_CREATE
                          ? Info->Parameters->CreateHandleInformation.GrantedAccess
                          : Info->Parameters->DuplicateHandleInformation.GrantedAccess;
}

static VOID Parked(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL);
}

static ACCESS_MASK Granted(HANDLE Handle)
{
    PVOID Object;
    OBJECT_HANDLE_INFORMATION Info = { 0, 0 };
    if (!NT_SUCCESS(ObReferenceObjectByHandle(Handle, 0, *PsThreadType, KernelMode, &Object, &Info)))
        return (ACCESS_MASK)-1;
    ObDereferenceObject(Object);
    return Info.GrantedAccess;
}

static VOID Operations(VOID)
{
    const ACCESS_MASK Asked = SYNCHRONIZE | THREAD_ALERT | THREAD_SUSPEND_RESUME | THREAD_QUERY_INFORMATION;
    const ACCESS_MASK Filtered = Asked & ~THREAD_SUSPEND_RESUME;
    HANDLE User = NULL, Kernel = NULL, Dup = NULL;

    /* a handle in the System process's table without OBJ_KERNEL_HANDLE: the
     * ObCloseHandle page calls handles a system thread opens kernel handles,
     * so the flag is not asserted; the Pre routine strips what it may from
     * handles not flagged kernel, and the grant must follow */
    KT_EQ(ObOpenObjectByPointer(Target, 0, NULL, Asked, *PsThreadType, KernelMode, &User), STATUS_SUCCESS);
    ACCESS_MASK Expected = LastKernel ? Asked : Filtered;
    KT_EQ(LastGranted, Expected);
    KT_EQ(Granted(User), Expected);
    PVOID Object;
    if (!LastKernel) {
        KT_EQ(ObReferenceObjectByHandle(User, THREAD_SUSPEND_RESUME, *PsThreadType, UserMode, &Object, NULL),
              STATUS_ACCESS_DENIED);
        if (NT_SUCCESS(ObReferenceObjectByHandle(User, THREAD_ALERT, *PsThreadType, UserMode, &Object, NULL)))
            ObDereferenceObject(Object);
        else
            KT_CHECK(!"THREAD_ALERT was granted");
    }

    /* a kernel handle: the Pre routine sees KernelHandle set */
    KT_EQ(ObOpenObjectByPointer(Target, OBJ_KERNEL_HANDLE, NULL, Asked, *PsThreadType, KernelMode, &Kernel),
          STATUS_SUCCESS);
    KT_EQ(LastKernel, TRUE);
    KT_EQ(LastGranted, Asked);

    /* duplicating a handle: the duplicate's access is filtered too */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), Kernel, NtCurrentProcess(), &Dup, Asked, 0, 0), STATUS_SUCCESS);
    KT_EQ(ReadAcquire(&SawDup), 1);
    Expected = LastKernel ? Asked : Filtered;
    KT_EQ(LastGranted, Expected);
    KT_EQ(Granted(Dup), Expected);
    KT_EQ(ReadAcquire(&SawKernel) + ReadAcquire(&SawUser), 2);

    KT_EQ(ReadAcquire(&Pres), 3);
    KT_EQ(ReadAcquire(&Posts), 3);
    if (User) ZwClose(User);
    if (Kernel) ZwClose(Kernel);
    if (Dup) ZwClose(Dup);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    Target = KtStartThread(Parked, NULL);
    KT_CHECK(Target != NULL);

    OB_OPERATION_REGISTRATION Ops = { PsThreadType, OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE,
                                      Pre, Post };
    OB_CALLBACK_REGISTRATION Reg = { OB_FLT_REGISTRATION_VERSION, 1, RTL_CONSTANT_STRING(L"320111"), NULL, &Ops };
    PVOID Handle = NULL;
    KT_EQ(ObRegisterCallbacks(&Reg, &Handle), STATUS_SUCCESS);
    if (Handle != NULL && Target != NULL) {
        Operations();
        ObUnRegisterCallbacks(Handle);
    }
    KT_EQ(ReadAcquire(&Bad), 0);
    KeSetEvent(&Go, 0, FALSE);
    KtJoin(Target);
    KT_DONE();
    return STATUS_SUCCESS;
}
