/*
 * Object callbacks protecting a process, as EDR and anti-cheat drivers do:
 * a pre-callback strips PROCESS_TERMINATE (and THREAD_TERMINATE) from
 * user-mode handles to the protected process and its threads, skipping
 * kernel handles by testing KernelHandle; another strips SUSPEND_RESUME
 * from every user process and thread handle, kernel handles included (as
 * Windows does). User-mode code of another process then opens the
 * protected one (NtOpenProcess, NtOpenThread) and duplicates the handle:
 * NtTerminateProcess / NtTerminateThread fail with STATUS_ACCESS_DENIED.
 * The driver's own kernel handle keeps PROCESS_TERMINATE and
 * ZwTerminateProcess ends the process. The post-callbacks show every
 * handle made: by NtpsCreateProcess, RtlCreateUserThread, NtOpenProcess,
 * NtOpenThread, NtDuplicateObject (with Source and TargetProcess) and
 * ZwOpenProcess, each with the access really granted, and the status of
 * a duplicate that failed after its pre-callbacks.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

#define PROCESS_SUSPEND_RESUME_ 0x0800
#define THREAD_SUSPEND_RESUME_ 0x0002

typedef struct _SEEN {
    PVOID Object;
    PEPROCESS Owner;                /* the process, or the thread's process */
    BOOLEAN IsThread;
    OB_OPERATION Operation;
    ULONG KernelHandle;
    ACCESS_MASK Granted;
    NTSTATUS Status;
} SEEN;

static SEEN Seen[64];
static volatile LONG SeenCount;
static PEPROCESS Victim;
static CLIENT_ID VictimCid;
static volatile LONG VictimKnown;

static BOOLEAN InVictim(PVOID Object, POBJECT_TYPE Type)
{
    PEPROCESS Process = Type == *PsProcessType ? (PEPROCESS)Object : IoThreadToProcess((PETHREAD)Object);
    return InterlockedCompareExchange(&VictimKnown, 0, 0) && Process == Victim;
}

static BOOLEAN OfSystem(PVOID Object, POBJECT_TYPE Type)
{
    HANDLE Pid = Type == *PsProcessType ? PsGetProcessId(Object) : PsGetThreadProcessId(Object);
    return Pid == (HANDLE)4;
}

static OB_PREOP_CALLBACK_STATUS ProtectPre(PVOID Context, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    if (Info->KernelHandle || !InVictim(Info->Object, Info->ObjectType))
        return OB_PREOP_SUCCESS;
    /* PROCESS_TERMINATE and THREAD_TERMINATE are both 1 */
    Info->Parameters->CreateHandleInformation.DesiredAccess &= ~0x0001;
    return OB_PREOP_SUCCESS;
}

static OB_PREOP_CALLBACK_STATUS NoSuspendPre(PVOID Context, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    if (OfSystem(Info->Object, Info->ObjectType))
        return OB_PREOP_SUCCESS;
    Info->Parameters->CreateHandleInformation.DesiredAccess &=
        Info->ObjectType == *PsProcessType ? ~PROCESS_SUSPEND_RESUME_ : ~THREAD_SUSPEND_RESUME_;
    return OB_PREOP_SUCCESS;
}

static VOID RecordPost(PVOID Context, POB_POST_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    if (OfSystem(Info->Object, Info->ObjectType))
        return;
    LONG i = InterlockedIncrement(&SeenCount) - 1;
    if (i >= (LONG)RTL_NUMBER_OF(Seen))
        return;
    BOOLEAN IsThread = Info->ObjectType == *PsThreadType;
    Seen[i] = (SEEN){ Info->Object, IsThread ? IoThreadToProcess(Info->Object) : Info->Object, IsThread,
                      Info->Operation, Info->KernelHandle, Info->Parameters->CreateHandleInformation.GrantedAccess,
                      Info->ReturnStatus };
}

/* The processes of the first and the last duplicate of a handle to the
 * victim: the attacker's, then the driver's. */
static PVOID DuplicateSource[2], DuplicateTarget[2];
static volatile LONG Duplicates;

static OB_PREOP_CALLBACK_STATUS DuplicatePre(PVOID Context, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    if (InVictim(Info->Object, Info->ObjectType)) {
        int i = InterlockedIncrement(&Duplicates) == 1 ? 0 : 1;
        DuplicateSource[i] = Info->Parameters->DuplicateHandleInformation.SourceProcess;
        DuplicateTarget[i] = Info->Parameters->DuplicateHandleInformation.TargetProcess;
    }
    return OB_PREOP_SUCCESS;
}

/* The last post-callback report about a handle to Process (or to a
 * thread of it) for Operation. */
static SEEN *Find(PEPROCESS Process, BOOLEAN IsThread, OB_OPERATION Operation, ULONG KernelHandle)
{
    SEEN *Found = NULL;
    for (LONG i = 0; i < SeenCount && i < (LONG)RTL_NUMBER_OF(Seen); i++)
        if (Seen[i].Owner == Process && Seen[i].IsThread == IsThread && Seen[i].Operation == Operation &&
            Seen[i].KernelHandle == KernelHandle)
            Found = &Seen[i];
    return Found;
}

/* ---- user mode ----------------------------------------------------------------------------------------- */

static NTSTATUS NTAPI VictimMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    HANDLE Hold;
    OBJECT_ATTRIBUTES Oa;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\ObVictimHold");
    InitializeObjectAttributes(&Oa, &Name, 0, NULL, NULL);
    KT_EQ(NtOpenEvent(&Hold, SYNCHRONIZE, &Oa), STATUS_SUCCESS);
    NtWaitForSingleObject(Hold, FALSE, NULL);   /* never set: it is terminated */
    return STATUS_UNSUCCESSFUL;
}

static NTSTATUS NTAPI Nothing(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI AttackerMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, NULL, 0, NULL, NULL);
    CLIENT_ID ProcessCid = { VictimCid.UniqueProcess, NULL }, ThreadCid = { NULL, VictimCid.UniqueThread };
    HANDLE Process, Copy, Thread;
    KT_EQ(NtOpenProcess(&Process, 0x0001 | 0x0400 | SYNCHRONIZE, &Oa, &ProcessCid), STATUS_SUCCESS);
    KT_EQ(NtTerminateProcess(Process, 1), STATUS_ACCESS_DENIED);
    KT_EQ(NtDuplicateObject(NtCurrentProcess(), Process, NtCurrentProcess(), &Copy, 0x0001 | SYNCHRONIZE, 0, 0),
          STATUS_SUCCESS);
    KT_EQ(NtTerminateProcess(Copy, 2), STATUS_ACCESS_DENIED);
    KT_EQ(NtWaitForSingleObject(Copy, FALSE, &(LARGE_INTEGER){ .QuadPart = 0 }), STATUS_TIMEOUT);   /* alive */
    KT_EQ(NtClose(Copy), STATUS_SUCCESS);
    KT_EQ(NtClose(Process), STATUS_SUCCESS);
    KT_EQ(NtOpenThread(&Thread, 0x0001 | SYNCHRONIZE, &Oa, &ThreadCid), STATUS_SUCCESS);
    KT_EQ(NtTerminateThread(Thread, 3), STATUS_ACCESS_DENIED);
    KT_EQ(NtClose(Thread), STATUS_SUCCESS);
    /* a thread of its own, from user mode */
    KT_EQ(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Nothing, NULL, &Thread, NULL),
          STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(Thread, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(NtClose(Thread), STATUS_SUCCESS);
    return STATUS_SUCCESS;
}

/* ---- the driver ------------------------------------------------------------------------------------------- */

static HANDLE Start(PCWSTR Image, PUSER_THREAD_START_ROUTINE Routine, PCLIENT_ID Cid)
{
    UNICODE_STRING Name;
    RtlInitUnicodeString(&Name, Image);
    /* with a command line: NtpsCreateProcess copies a NULL one with memcpy (UBSan) */
    UNICODE_STRING CommandLine = RTL_CONSTANT_STRING(L"test");
    NTPS_PROCESS_CREATE Create = { &Name, &CommandLine, SubsystemInformationTypeWin32, NULL, Routine, NULL };
    HANDLE Process = NULL;
    KT_EQ(NtpsCreateProcess(&Create, &Process, Cid), STATUS_SUCCESS);
    return Process;
}

static NTSTATUS Register(PCWSTR Altitude, OB_OPERATION_REGISTRATION *Operations, USHORT Count, PVOID *Handle)
{
    OB_CALLBACK_REGISTRATION Registration = { OB_FLT_REGISTRATION_VERSION, Count, { 0, 0, NULL }, NULL, Operations };
    RtlInitUnicodeString(&Registration.Altitude, Altitude);
    return ObRegisterCallbacks(&Registration, Handle);
}

static ACCESS_MASK GrantedAccess(HANDLE Handle)
{
    OBJECT_HANDLE_INFORMATION Info = { 0, 0 };
    PVOID Object;
    if (NT_SUCCESS(ObReferenceObjectByHandle(Handle, 0, NULL, KernelMode, &Object, &Info)))
        ObDereferenceObject(Object);
    return Info.GrantedAccess;
}

static VOID Check(PEPROCESS Attacker)
{
    const OB_OPERATION Create = OB_OPERATION_HANDLE_CREATE, Duplicate = OB_OPERATION_HANDLE_DUPLICATE;
    SEEN *S = Find(Victim, FALSE, Create, 1);           /* NtpsCreateProcess's handle */
    KT_CHECK(S != NULL && S->Granted == (PROCESS_ALL_ACCESS & ~PROCESS_SUSPEND_RESUME_));
    S = Find(Victim, FALSE, Create, 0);                 /* NtOpenProcess */
    KT_CHECK(S != NULL && S->Granted == (0x0400 | SYNCHRONIZE) && S->Status == STATUS_SUCCESS);
    S = Find(Victim, FALSE, Duplicate, 0);      /* the driver's, that failed */
    KT_CHECK(S != NULL && S->Status == STATUS_PROCESS_IS_TERMINATING);
    S = &Seen[0];
    for (LONG i = 0; i < SeenCount && i < (LONG)RTL_NUMBER_OF(Seen); i++)
        if (Seen[i].Owner == Victim && Seen[i].Operation == Duplicate && Seen[i].Status == STATUS_SUCCESS)
            S = &Seen[i];
    KT_CHECK(S->Owner == Victim && S->Granted == SYNCHRONIZE);   /* the attacker's */
    KT_EQ(Duplicates, 2);
    KT_CHECK(DuplicateSource[0] == Attacker && DuplicateTarget[0] == Attacker);
    KT_CHECK(DuplicateSource[1] == PsInitialSystemProcess && DuplicateTarget[1] == Victim);
    S = Find(Victim, TRUE, Create, 0);                  /* NtOpenThread */
    KT_CHECK(S != NULL && S->Granted == SYNCHRONIZE);
    S = Find(Attacker, TRUE, Create, 0);                /* RtlCreateUserThread from user mode */
    KT_CHECK(S != NULL && S->Granted == (THREAD_ALL_ACCESS & ~THREAD_SUSPEND_RESUME_));
    S = Find(Attacker, FALSE, Create, 1);               /* NtpsCreateProcess's handle to the attacker */
    KT_CHECK(S != NULL && S->Granted == (PROCESS_ALL_ACCESS & ~PROCESS_SUSPEND_RESUME_));
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    const OB_OPERATION Both = OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE;
    OB_OPERATION_REGISTRATION Protect[2] = { { PsProcessType, Both, ProtectPre, NULL },
                                             { PsThreadType, Both, ProtectPre, NULL } };
    OB_OPERATION_REGISTRATION Others[3] = { { PsProcessType, Both, NoSuspendPre, RecordPost },
                                            { PsThreadType, Both, NoSuspendPre, RecordPost },
                                            { PsProcessType, OB_OPERATION_HANDLE_DUPLICATE, DuplicatePre, NULL } };
    PVOID ProtectHandle, OthersHandle;
    KT_EQ(Register(L"321000", Protect, 2, &ProtectHandle), STATUS_SUCCESS);
    KT_EQ(Register(L"100", Others, 3, &OthersHandle), STATUS_SUCCESS);

    HANDLE Hold;
    OBJECT_ATTRIBUTES Oa;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\ObVictimHold");
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateEvent(&Hold, EVENT_ALL_ACCESS, &Oa, NotificationEvent, FALSE), STATUS_SUCCESS);

    HANDLE VictimHandle = Start(L"\\??\\C:\\Program Files\\Game\\game.exe", VictimMain, &VictimCid);
    KT_EQ(ObReferenceObjectByHandle(VictimHandle, 0, *PsProcessType, KernelMode, (PVOID *)&Victim, NULL),
          STATUS_SUCCESS);
    InterlockedExchange(&VictimKnown, 1);
    KT_EQ(GrantedAccess(VictimHandle), PROCESS_ALL_ACCESS & ~PROCESS_SUSPEND_RESUME_);
    CLIENT_ID AttackerCid;
    HANDLE AttackerHandle = Start(L"\\??\\C:\\Users\\x\\cheat.exe", AttackerMain, &AttackerCid);
    KT_EQ(ZwWaitForSingleObject(AttackerHandle, FALSE, NULL), STATUS_SUCCESS);
    PEPROCESS Attacker;
    KT_EQ(ObReferenceObjectByHandle(AttackerHandle, 0, *PsProcessType, KernelMode, (PVOID *)&Attacker, NULL),
          STATUS_SUCCESS);
    KT_EQ(PsGetProcessExitStatus(Attacker), STATUS_SUCCESS);

    /* the driver's kernel handle: PROCESS_TERMINATE stays, suspension goes */
    HANDLE Kernel;
    CLIENT_ID Cid = { VictimCid.UniqueProcess, NULL };
    InitializeObjectAttributes(&Oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenProcess(&Kernel, PROCESS_ALL_ACCESS, &Oa, &Cid), STATUS_SUCCESS);
    KT_EQ(GrantedAccess(Kernel), PROCESS_ALL_ACCESS & ~PROCESS_SUSPEND_RESUME_);
    KT_EQ(ZwTerminateProcess(Kernel, (NTSTATUS)0xDEAD), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Kernel, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(PsGetProcessExitStatus(Victim), (NTSTATUS)0xDEAD);
    /* a handle operation that fails after the pre-callbacks: the
     * post-callbacks get its status (the ended process takes no handle) */
    HANDLE Never;
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), Kernel, VictimHandle, &Never, 0, 0, DUPLICATE_SAME_ACCESS),
          STATUS_PROCESS_IS_TERMINATING);
    KT_EQ(ZwClose(Kernel), STATUS_SUCCESS);

    ObUnRegisterCallbacks(ProtectHandle);
    ObUnRegisterCallbacks(OthersHandle);
    Check(Attacker);
    ObDereferenceObject(Attacker);
    ObDereferenceObject(Victim);
    KT_EQ(ZwClose(AttackerHandle), STATUS_SUCCESS);
    KT_EQ(ZwClose(VictimHandle), STATUS_SUCCESS);
    KT_EQ(ZwClose(Hold), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
