/*
 * Object callbacks (ObRegisterCallbacks) on kernel handles: registration
 * statuses (version, counts, operations, object types, altitudes, code
 * outside a driver image, altitude collisions compared as numbers), call
 * order by altitude (pre from the highest down, post back up), what each
 * callback sees (operation, object, type, KernelHandle, DesiredAccess as
 * the callbacks above left it, OriginalDesiredAccess, NULL CallContext on
 * entry, PASSIVE_LEVEL with normal kernel APCs disabled, the thread making
 * the handle), the CallContext handoff, stripping only documented rights
 * (additions and other removals ignored), GrantedAccess and ReturnStatus
 * in the post-callback, thread objects, duplication with SourceProcess and
 * TargetProcess, Operations filtering, and nothing called after
 * ObUnRegisterCallbacks.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

typedef struct _REG {
    CHAR Tag;
    ACCESS_MASK Strip, Add;
    PVOID Handle;
    int Marker;                     /* its address is the CallContext */
} REG;

typedef struct _CALL {
    CHAR Tag;
    BOOLEAN Post;
    OB_OPERATION Operation;
    ULONG KernelHandle;
    PVOID Object;
    POBJECT_TYPE Type;
    ACCESS_MASK Desired, Original, Granted;
    NTSTATUS Status;
    PVOID Context;
    PVOID Source, Target;
    PETHREAD Thread;
    KIRQL Irql;
    BOOLEAN ApcsDisabled;
} CALL;

static CALL Log[32];
static volatile LONG Logged;
static volatile BOOLEAN Logging;
static PVOID Watched;               /* log calls for this object (NULL: every thread object) */

static CALL *NewCall(REG *Reg, BOOLEAN Post, PVOID Object, POBJECT_TYPE Type)
{
    if (!Logging || (Watched != NULL ? Object != Watched : Type != *PsThreadType))
        return NULL;
    LONG i = InterlockedIncrement(&Logged) - 1;
    if (i >= (LONG)RTL_NUMBER_OF(Log))
        return NULL;
    CALL *Call = &Log[i];
    RtlZeroMemory(Call, sizeof(*Call));
    Call->Tag = Reg->Tag;
    Call->Post = Post;
    Call->Object = Object;
    Call->Type = Type;
    Call->Thread = PsGetCurrentThread();
    Call->Irql = KeGetCurrentIrql();
    Call->ApcsDisabled = KeAreApcsDisabled();
    return Call;
}

static OB_PREOP_CALLBACK_STATUS Pre(PVOID RegistrationContext, POB_PRE_OPERATION_INFORMATION Info)
{
    REG *Reg = RegistrationContext;
    CALL *Call = NewCall(Reg, FALSE, Info->Object, Info->ObjectType);
    if (Call == NULL)
        return OB_PREOP_SUCCESS;
    Call->Operation = Info->Operation;
    Call->KernelHandle = Info->KernelHandle;
    Call->Context = Info->CallContext;
    /* DesiredAccess is the first field of both arms, as drivers rely on */
    Call->Desired = Info->Parameters->CreateHandleInformation.DesiredAccess;
    Call->Original = Info->Parameters->CreateHandleInformation.OriginalDesiredAccess;
    if (Info->Operation == OB_OPERATION_HANDLE_DUPLICATE) {
        Call->Source = Info->Parameters->DuplicateHandleInformation.SourceProcess;
        Call->Target = Info->Parameters->DuplicateHandleInformation.TargetProcess;
    }
    Info->Parameters->CreateHandleInformation.DesiredAccess &= ~Reg->Strip;
    Info->Parameters->CreateHandleInformation.DesiredAccess |= Reg->Add;
    Info->CallContext = &Reg->Marker;
    return OB_PREOP_SUCCESS;
}

static VOID Post(PVOID RegistrationContext, POB_POST_OPERATION_INFORMATION Info)
{
    CALL *Call = NewCall(RegistrationContext, TRUE, Info->Object, Info->ObjectType);
    if (Call == NULL)
        return;
    Call->Operation = Info->Operation;
    Call->KernelHandle = Info->KernelHandle;
    Call->Context = Info->CallContext;
    Call->Status = Info->ReturnStatus;
    Call->Granted = Info->Parameters->CreateHandleInformation.GrantedAccess;
}

static NTSTATUS Register(REG *Reg, PCWSTR Altitude, POBJECT_TYPE *Type, OB_OPERATION Operations, BOOLEAN WithPre,
                         BOOLEAN WithPost)
{
    OB_OPERATION_REGISTRATION Operation = { Type, Operations, WithPre ? Pre : NULL, WithPost ? Post : NULL };
    OB_CALLBACK_REGISTRATION Registration = { OB_FLT_REGISTRATION_VERSION, 1, { 0, 0, NULL }, Reg, &Operation };
    RtlInitUnicodeString(&Registration.Altitude, Altitude);
    return ObRegisterCallbacks(&Registration, &Reg->Handle);
}

static VOID StartLog(PVOID Object)
{
    Watched = Object;
    Logged = 0;
    Logging = TRUE;
}

static ACCESS_MASK GrantedAccess(HANDLE Handle)
{
    OBJECT_HANDLE_INFORMATION Info = { 0, 0 };
    PVOID Object;
    if (NT_SUCCESS(ObReferenceObjectByHandle(Handle, 0, NULL, KernelMode, &Object, &Info)))
        ObDereferenceObject(Object);
    return Info.GrantedAccess;
}

static VOID BadRegistrations(VOID)
{
    REG R = { 'x', 0, 0, NULL, 0 };
    OB_OPERATION_REGISTRATION Operation = { PsProcessType, OB_OPERATION_HANDLE_CREATE, Pre, Post };
    OB_CALLBACK_REGISTRATION Registration = { OB_FLT_REGISTRATION_VERSION, 1, RTL_CONSTANT_STRING(L"4242"), &R,
                                              &Operation };
    KT_EQ(ObGetFilterVersion(), OB_FLT_REGISTRATION_VERSION);
    Registration.Version = 0x200;
    KT_EQ(ObRegisterCallbacks(&Registration, &R.Handle), STATUS_INVALID_PARAMETER);
    Registration.Version = OB_FLT_REGISTRATION_VERSION;
    Registration.OperationRegistrationCount = 0;
    KT_EQ(ObRegisterCallbacks(&Registration, &R.Handle), STATUS_INVALID_PARAMETER);
    Registration.OperationRegistrationCount = 1;
    Operation.Operations = 0;
    KT_EQ(ObRegisterCallbacks(&Registration, &R.Handle), STATUS_INVALID_PARAMETER);
    Operation.Operations = OB_OPERATION_HANDLE_CREATE | 4;
    KT_EQ(ObRegisterCallbacks(&Registration, &R.Handle), STATUS_INVALID_PARAMETER);
    Operation.Operations = OB_OPERATION_HANDLE_CREATE;
    Operation.ObjectType = IoFileObjectType;        /* no callbacks for files */
    KT_EQ(ObRegisterCallbacks(&Registration, &R.Handle), STATUS_INVALID_PARAMETER);
    Operation.ObjectType = NULL;
    KT_EQ(ObRegisterCallbacks(&Registration, &R.Handle), STATUS_INVALID_PARAMETER);
    Operation.ObjectType = PsProcessType;
    Operation.PreOperation = NULL;
    Operation.PostOperation = NULL;
    KT_EQ(ObRegisterCallbacks(&Registration, &R.Handle), STATUS_INVALID_PARAMETER);
    /* code outside any driver image */
    Operation.PreOperation = (POB_PRE_OPERATION_CALLBACK)(PVOID)KeGetCurrentIrql;
    KT_EQ(ObRegisterCallbacks(&Registration, &R.Handle), STATUS_ACCESS_DENIED);
    Operation.PreOperation = Pre;
    static const PCWSTR Malformed[] = { L"", L"12a", L"1.2.3", L".5", L"5.", L"-1", L" 1", L"1e3" };
    for (ULONG i = 0; i < RTL_NUMBER_OF(Malformed); i++) {
        RtlInitUnicodeString(&Registration.Altitude, Malformed[i]);
        KT_EQ(ObRegisterCallbacks(&Registration, &R.Handle), STATUS_INVALID_PARAMETER);
    }
    /* a second entry that is bad spoils the whole registration */
    OB_OPERATION_REGISTRATION Two[2] = { Operation, Operation };
    Two[1].ObjectType = NULL;
    Registration.OperationRegistration = Two;
    Registration.OperationRegistrationCount = 2;
    RtlInitUnicodeString(&Registration.Altitude, L"4242");
    KT_EQ(ObRegisterCallbacks(&Registration, &R.Handle), STATUS_INVALID_PARAMETER);
}

static REG A = { 'A', 0x0001 /* PROCESS_TERMINATE */ | SYNCHRONIZE /* not strippable */, 0, NULL, 0 };
static REG B = { 'B', 0, 0, NULL, 0 };
static REG C = { 'C', 0x0020 /* PROCESS_VM_WRITE */, 0x0002 /* PROCESS_CREATE_THREAD: added, ignored */, NULL, 0 };
static REG D = { 'D', 0x0001 | 0x0002 /* THREAD_TERMINATE | SUSPEND_RESUME */ | 0x0040 /* QUERY: not strippable */,
                 0, NULL, 0 };
static REG E = { 'E', 0x0040 /* PROCESS_DUP_HANDLE */, 0, NULL, 0 };
static REG F = { 'F', 0, 0, NULL, 0 };

static VOID CheckCall(int i, CHAR Tag, BOOLEAN IsPost, OB_OPERATION Operation)
{
    KT_EQ(Log[i].Tag, Tag);
    KT_EQ(Log[i].Post, IsPost);
    KT_EQ(Log[i].Operation, Operation);
    KT_CHECK(Log[i].Thread == PsGetCurrentThread());
    KT_EQ(Log[i].Irql, PASSIVE_LEVEL);
    KT_CHECK(Log[i].ApcsDisabled);
}

static VOID ProcessCreate(VOID)
{
    const ACCESS_MASK Asked = 0x0400 /* QUERY_INFORMATION */ | 0x0001 | 0x0020 | SYNCHRONIZE;
    HANDLE H;
    StartLog(PsGetCurrentProcess());
    KT_EQ(ObOpenObjectByPointer(PsGetCurrentProcess(), OBJ_KERNEL_HANDLE, NULL, Asked, *PsProcessType, KernelMode,
                                &H), STATUS_SUCCESS);
    Logging = FALSE;
    /* C 1000.25, A 1000, B 999.5 (F, at 10, has only a post-callback) */
    static const CHAR Order[7] = { 'C', 'A', 'B', 'F', 'B', 'A', 'C' };
    KT_EQ(Logged, 7);
    for (int i = 0; i < 7; i++) {
        CheckCall(i, Order[i], i >= 3, OB_OPERATION_HANDLE_CREATE);
        KT_EQ(Log[i].KernelHandle, 1);
        KT_CHECK(Log[i].Object == PsGetCurrentProcess());
        KT_CHECK(Log[i].Type == *PsProcessType);
    }
    /* each pre-callback: NULL context, what the ones above left */
    KT_CHECK(Log[0].Context == NULL && Log[1].Context == NULL && Log[2].Context == NULL);
    KT_EQ(Log[0].Desired, Asked);
    KT_EQ(Log[1].Desired, Asked & ~0x0020);
    KT_EQ(Log[2].Desired, Asked & ~0x0020 & ~0x0001);
    for (int i = 0; i < 3; i++)
        KT_EQ(Log[i].Original, Asked);
    /* each post-callback: its own pre's context, the access granted */
    KT_CHECK(Log[3].Context == NULL && Log[4].Context == &B.Marker && Log[5].Context == &A.Marker &&
             Log[6].Context == &C.Marker);
    for (int i = 3; i < 7; i++) {
        KT_EQ(Log[i].Status, STATUS_SUCCESS);
        KT_EQ(Log[i].Granted, 0x0400 | SYNCHRONIZE);
    }
    KT_EQ(GrantedAccess(H), 0x0400 | SYNCHRONIZE);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);

    /* not a kernel handle (the System process's own table): KernelHandle 0,
     * and the rights are stripped all the same */
    StartLog(PsGetCurrentProcess());
    KT_EQ(ObOpenObjectByPointer(PsGetCurrentProcess(), 0, NULL, Asked, *PsProcessType, KernelMode, &H),
          STATUS_SUCCESS);
    Logging = FALSE;
    KT_EQ(Logged, 7);
    KT_EQ(Log[0].KernelHandle, 0);
    KT_EQ(Log[6].KernelHandle, 0);
    KT_EQ(GrantedAccess(H), 0x0400 | SYNCHRONIZE);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);

    /* ZwOpenProcess goes the same way */
    CLIENT_ID Cid = { PsGetCurrentProcessId(), NULL };
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    StartLog(PsGetCurrentProcess());
    KT_EQ(ZwOpenProcess(&H, PROCESS_ALL_ACCESS, &Oa, &Cid), STATUS_SUCCESS);
    Logging = FALSE;
    KT_EQ(Logged, 7);
    KT_EQ(GrantedAccess(H), PROCESS_ALL_ACCESS & ~0x0020 & ~0x0001);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);
}

static VOID Quick(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

static VOID Threads(VOID)
{
    HANDLE H;
    StartLog(NULL);
    KT_EQ(PsCreateSystemThread(&H, THREAD_ALL_ACCESS, NULL, NULL, NULL, Quick, NULL), STATUS_SUCCESS);
    Logging = FALSE;
    KT_EQ(Logged, 2);
    CheckCall(0, 'D', FALSE, OB_OPERATION_HANDLE_CREATE);
    CheckCall(1, 'D', TRUE, OB_OPERATION_HANDLE_CREATE);
    KT_EQ(Log[0].KernelHandle, 1);
    KT_CHECK(Log[0].Type == *PsThreadType);
    KT_CHECK(Log[0].Object != PsGetCurrentThread());    /* the new one */
    KT_EQ(Log[1].Granted, THREAD_ALL_ACCESS & ~0x0003);
    KT_EQ(GrantedAccess(H), THREAD_ALL_ACCESS & ~0x0003);
    KT_EQ(ZwWaitForSingleObject(H, FALSE, NULL), STATUS_SUCCESS);
    /* D is for creation only: a duplicate passes untouched */
    HANDLE Copy;
    StartLog(NULL);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), H, NtCurrentProcess(), &Copy, THREAD_ALL_ACCESS, OBJ_KERNEL_HANDLE,
                            0), STATUS_SUCCESS);
    Logging = FALSE;
    KT_EQ(Logged, 0);
    KT_EQ(GrantedAccess(Copy), THREAD_ALL_ACCESS);
    KT_EQ(ZwClose(Copy), STATUS_SUCCESS);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);
}

static VOID Duplicates(VOID)
{
    HANDLE H, Copy;
    Logging = FALSE;
    KT_EQ(ObOpenObjectByPointer(PsGetCurrentProcess(), OBJ_KERNEL_HANDLE, NULL, PROCESS_ALL_ACCESS, *PsProcessType,
                                KernelMode, &H), STATUS_SUCCESS);
    ACCESS_MASK Source = GrantedAccess(H);
    KT_EQ(Source, PROCESS_ALL_ACCESS);      /* the callbacks leave unwatched objects alone */
    StartLog(PsGetCurrentProcess());
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), H, NtCurrentProcess(), &Copy, 0, 0, DUPLICATE_SAME_ACCESS),
          STATUS_SUCCESS);
    Logging = FALSE;
    /* E (2000, duplicate only, no post), C, A, B, F (10, post only); posts back up */
    static const CHAR Order[] = { 'E', 'C', 'A', 'B', 'F', 'B', 'A', 'C' };
    KT_EQ(Logged, RTL_NUMBER_OF(Order));
    for (int i = 0; i < (int)RTL_NUMBER_OF(Order); i++) {
        CheckCall(i, Order[i], i >= 4, OB_OPERATION_HANDLE_DUPLICATE);
        KT_EQ(Log[i].KernelHandle, 0);
        if (i < 4) {
            KT_CHECK(Log[i].Source == PsGetCurrentProcess() && Log[i].Target == PsGetCurrentProcess());
            KT_EQ(Log[i].Original, Source);
        }
    }
    KT_EQ(Log[0].Desired, Source);
    KT_EQ(Log[1].Desired, Source & ~0x0040);
    KT_CHECK(Log[4].Context == NULL);       /* F has no pre-callback */
    KT_EQ(Log[3].Desired, Source & ~0x0040 & ~0x0020 & ~0x0001);
    KT_EQ(Log[4].Granted, Source & ~0x0040 & ~0x0020 & ~0x0001);
    KT_EQ(GrantedAccess(Copy), Source & ~0x0040 & ~0x0020 & ~0x0001);
    KT_EQ(ZwClose(Copy), STATUS_SUCCESS);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    const OB_OPERATION Both = OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE;
    BadRegistrations();
    KT_EQ(Register(&A, L"1000", PsProcessType, Both, TRUE, TRUE), STATUS_SUCCESS);
    KT_EQ(Register(&B, L"999.5", PsProcessType, Both, TRUE, TRUE), STATUS_SUCCESS);
    KT_EQ(Register(&C, L"1000.25", PsProcessType, Both, TRUE, TRUE), STATUS_SUCCESS);
    /* the same numbers written differently collide, whoever registers them */
    REG X = { 'X', 0, 0, NULL, 0 };
    KT_EQ(Register(&X, L"1000.0", PsThreadType, Both, TRUE, TRUE), STATUS_FLT_INSTANCE_ALTITUDE_COLLISION);
    KT_EQ(Register(&X, L"01000", PsProcessType, Both, TRUE, TRUE), STATUS_FLT_INSTANCE_ALTITUDE_COLLISION);
    KT_EQ(Register(&X, L"1000.2500", PsProcessType, Both, TRUE, TRUE), STATUS_FLT_INSTANCE_ALTITUDE_COLLISION);
    KT_EQ(Register(&D, L"500", PsThreadType, OB_OPERATION_HANDLE_CREATE, TRUE, TRUE), STATUS_SUCCESS);
    KT_EQ(Register(&E, L"2000", PsProcessType, OB_OPERATION_HANDLE_DUPLICATE, TRUE, FALSE), STATUS_SUCCESS);
    KT_EQ(Register(&F, L"10", PsProcessType, Both, FALSE, TRUE), STATUS_SUCCESS);

    ProcessCreate();
    Threads();
    Duplicates();

    REG *All[] = { &A, &B, &C, &D, &E, &F };
    for (ULONG i = 0; i < RTL_NUMBER_OF(All); i++)
        ObUnRegisterCallbacks(All[i]->Handle);
    HANDLE H;
    StartLog(PsGetCurrentProcess());
    KT_EQ(ObOpenObjectByPointer(PsGetCurrentProcess(), OBJ_KERNEL_HANDLE, NULL, PROCESS_ALL_ACCESS, *PsProcessType,
                                KernelMode, &H), STATUS_SUCCESS);
    Logging = FALSE;
    KT_EQ(Logged, 0);
    KT_EQ(GrantedAccess(H), PROCESS_ALL_ACCESS);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);
    /* the altitude is free again */
    KT_EQ(Register(&X, L"1000", PsProcessType, Both, TRUE, TRUE), STATUS_SUCCESS);
    ObUnRegisterCallbacks(X.Handle);
    KT_DONE();
    return STATUS_SUCCESS;
}
