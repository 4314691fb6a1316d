/*
 * Events, mutants, semaphores, waits and NtClose from user-mode code
 * (PreviousMode UserMode): a named event pair shared by two user
 * processes; OBJ_OPENIF, collisions, missing names and type mismatches;
 * access checks on the handles; the semaphore limit; mutant ownership and
 * abandonment seen through NtWaitForSingleObject and
 * NtWaitForMultipleObjects; alertable waits ended by a user APC or an
 * alert; bad pointers (STATUS_ACCESS_VIOLATION, nothing changed); NtClose
 * of a bad handle and of a kernel handle (STATUS_INVALID_HANDLE).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

/* volatile: the compiler may not reason about what they point to */
static PVOID volatile BadUserAddress = (PVOID)(ULONG_PTR)0x10;                   /* unmapped */
static PVOID volatile BadKernelAddress = (PVOID)(ULONG_PTR)0xFFFF800000001000ULL;  /* not a user address */
#define BAD_USER BadUserAddress
#define BAD_KERNEL BadKernelAddress

static HANDLE KernelEvent;          /* a kernel handle: not usable from user mode */
static volatile LONG PingReady;

static POBJECT_ATTRIBUTES Attributes(OBJECT_ATTRIBUTES *Oa, UNICODE_STRING *String, PCWSTR Name, ULONG Flags)
{
    RtlInitUnicodeString(String, Name);
    InitializeObjectAttributes(Oa, Name != NULL ? String : NULL, Flags, NULL, NULL);
    return Oa;
}

/* ---- two processes, one pair of named events -------------------------------------------------- */

static NTSTATUS NTAPI PingMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    OBJECT_ATTRIBUTES Oa;
    UNICODE_STRING S;
    HANDLE Ping, Pong;
    KT_EQ(NtCreateEvent(&Ping, EVENT_ALL_ACCESS, Attributes(&Oa, &S, L"\\BaseNamedObjects\\ObUserPing", 0),
                        SynchronizationEvent, FALSE), STATUS_SUCCESS);
    KT_EQ(NtCreateEvent(&Pong, EVENT_ALL_ACCESS, Attributes(&Oa, &S, L"\\BaseNamedObjects\\ObUserPong", 0),
                        NotificationEvent, FALSE), STATUS_SUCCESS);
    InterlockedExchange(&PingReady, 1);
    KT_EQ(NtWaitForSingleObject(Ping, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(NtSetEvent(Pong, NULL), STATUS_SUCCESS);
    KT_EQ(NtClose(Ping), STATUS_SUCCESS);
    KT_EQ(NtClose(Pong), STATUS_SUCCESS);
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI PongMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    OBJECT_ATTRIBUTES Oa;
    UNICODE_STRING S;
    HANDLE Ping, Pong;
    KT_EQ(NtOpenEvent(&Ping, EVENT_MODIFY_STATE, Attributes(&Oa, &S, L"\\BaseNamedObjects\\ObUserPing", 0)),
          STATUS_SUCCESS);
    KT_EQ(NtOpenEvent(&Pong, SYNCHRONIZE, Attributes(&Oa, &S, L"\\BaseNamedObjects\\ObUserPong", 0)),
          STATUS_SUCCESS);
    KT_EQ(NtSetEvent(Ping, NULL), STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(Pong, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(NtClose(Ping), STATUS_SUCCESS);
    KT_EQ(NtClose(Pong), STATUS_SUCCESS);
    return STATUS_SUCCESS;
}

/* ---- one process, many checks ----------------------------------------------------------------------- */

static VOID NamesAndAccess(VOID)
{
    OBJECT_ATTRIBUTES Oa;
    UNICODE_STRING S;
    const PCWSTR Name = L"\\BaseNamedObjects\\ObUserEvent";
    HANDLE E, Same, H;
    KT_EQ(NtOpenEvent(&H, SYNCHRONIZE, Attributes(&Oa, &S, Name, 0)), STATUS_OBJECT_NAME_NOT_FOUND);
    /* OBJ_KERNEL_HANDLE from user mode is ignored: a handle of the process */
    KT_EQ(NtCreateEvent(&E, EVENT_ALL_ACCESS, Attributes(&Oa, &S, Name, OBJ_KERNEL_HANDLE), NotificationEvent,
                        FALSE), STATUS_SUCCESS);
    KT_CHECK((LONG_PTR)E > 0);
    KT_EQ(NtCreateEvent(&H, EVENT_ALL_ACCESS, Attributes(&Oa, &S, Name, 0), NotificationEvent, FALSE),
          STATUS_OBJECT_NAME_COLLISION);
    KT_EQ(NtCreateEvent(&Same, SYNCHRONIZE, Attributes(&Oa, &S, Name, OBJ_OPENIF), NotificationEvent, FALSE),
          STATUS_OBJECT_NAME_EXISTS);
    KT_EQ(NtOpenMutant(&H, SYNCHRONIZE, Attributes(&Oa, &S, Name, 0)), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(NtCreateSemaphore(&H, SYNCHRONIZE, Attributes(&Oa, &S, Name, OBJ_OPENIF), 0, 1),
          STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(NtCreateEvent(&H, EVENT_ALL_ACCESS, Attributes(&Oa, &S, L"\\BaseNamedObjects\\ObUserPermanent",
                                                         OBJ_PERMANENT), NotificationEvent, FALSE),
          STATUS_PRIVILEGE_NOT_HELD);
    /* SYNCHRONIZE alone: waits, no changes */
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_EQ(NtSetEvent(Same, NULL), STATUS_ACCESS_DENIED);
    KT_EQ(NtWaitForSingleObject(Same, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(NtOpenEvent(&H, EVENT_MODIFY_STATE, Attributes(&Oa, &S, Name, 0)), STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(H, FALSE, &Zero), STATUS_ACCESS_DENIED);
    HANDLE Pair[2] = { Same, H };
    KT_EQ(NtWaitForMultipleObjects(2, Pair, WaitAny, FALSE, &Zero), STATUS_ACCESS_DENIED);
    KT_EQ(NtSetEvent(H, NULL), STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(Same, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(NtClose(H), STATUS_SUCCESS);
    KT_EQ(NtClose(Same), STATUS_SUCCESS);
    KT_EQ(NtClose(E), STATUS_SUCCESS);
    KT_EQ(NtOpenEvent(&H, SYNCHRONIZE, Attributes(&Oa, &S, Name, 0)), STATUS_OBJECT_NAME_NOT_FOUND);

    /* semaphores: the limit, and SEMAPHORE_MODIFY_STATE */
    HANDLE Sem;
    LONG Previous = 42;
    KT_EQ(NtCreateSemaphore(&Sem, SEMAPHORE_ALL_ACCESS, NULL, 1, 1), STATUS_SUCCESS);
    KT_EQ(NtReleaseSemaphore(Sem, 1, &Previous), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    KT_EQ(Previous, 42);
    KT_EQ(NtWaitForSingleObject(Sem, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(NtReleaseSemaphore(Sem, 1, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 0);
    KT_EQ(NtCreateSemaphore(&H, SEMAPHORE_ALL_ACCESS, NULL, 2, 1), STATUS_INVALID_PARAMETER);
    KT_EQ(NtClose(Sem), STATUS_SUCCESS);
    KT_EQ(NtCreateSemaphore(&Sem, SYNCHRONIZE, NULL, 0, 1), STATUS_SUCCESS);
    KT_EQ(NtReleaseSemaphore(Sem, 1, NULL), STATUS_ACCESS_DENIED);
    KT_EQ(NtClose(Sem), STATUS_SUCCESS);
}

static VOID BadPointers(VOID)
{
    OBJECT_ATTRIBUTES Oa;
    UNICODE_STRING S;
    HANDLE E;
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_EQ(NtCreateEvent(BAD_USER, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtCreateEvent(BAD_KERNEL, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtCreateEvent(&E, EVENT_ALL_ACCESS, BAD_USER, NotificationEvent, FALSE), STATUS_ACCESS_VIOLATION);
    Attributes(&Oa, &S, NULL, 0)->ObjectName = BAD_KERNEL;
    KT_EQ(NtCreateMutant(&E, MUTANT_ALL_ACCESS, &Oa, FALSE), STATUS_ACCESS_VIOLATION);
    Attributes(&Oa, &S, L"\\BaseNamedObjects\\X", 0);
    S.Buffer = BAD_USER;
    KT_EQ(NtCreateSemaphore(&E, SEMAPHORE_ALL_ACCESS, &Oa, 0, 1), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtOpenEvent(&E, SYNCHRONIZE, &Oa), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtOpenEvent(BAD_USER, SYNCHRONIZE, Attributes(&Oa, &S, L"\\BaseNamedObjects\\X", 0)),
          STATUS_ACCESS_VIOLATION);

    KT_EQ(NtCreateEvent(&E, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_SUCCESS);
    KT_EQ(NtSetEvent(E, BAD_USER), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtWaitForSingleObject(E, FALSE, &Zero), STATUS_TIMEOUT);     /* not set */
    KT_EQ(NtPulseEvent(E, BAD_KERNEL), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtWaitForSingleObject(E, FALSE, BAD_USER), STATUS_ACCESS_VIOLATION);
    HANDLE Two[2] = { E, E };
    KT_EQ(NtWaitForMultipleObjects(2, BAD_USER, WaitAny, FALSE, &Zero), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtWaitForMultipleObjects(2, Two, WaitAny, FALSE, BAD_KERNEL), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtWaitForMultipleObjects(2, Two, WaitAny, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(NtClose(E), STATUS_SUCCESS);

    HANDLE Sem;
    KT_EQ(NtCreateSemaphore(&Sem, SEMAPHORE_ALL_ACCESS, NULL, 0, 5), STATUS_SUCCESS);
    KT_EQ(NtReleaseSemaphore(Sem, 1, BAD_USER), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtWaitForSingleObject(Sem, FALSE, &Zero), STATUS_TIMEOUT);   /* not released */
    KT_EQ(NtClose(Sem), STATUS_SUCCESS);
}

static VOID Handles(VOID)
{
    KT_EQ(NtClose((HANDLE)(ULONG_PTR)0x7FFF0), STATUS_INVALID_HANDLE);
    KT_EQ(NtClose(NULL), STATUS_INVALID_HANDLE);
    KT_EQ(NtClose(NtCurrentThread()), STATUS_INVALID_HANDLE);
    /* the driver's kernel handle is not this process's */
    KT_EQ(NtSetEvent(KernelEvent, NULL), STATUS_INVALID_HANDLE);
    KT_EQ(NtWaitForSingleObject(KernelEvent, FALSE, NULL), STATUS_INVALID_HANDLE);
    KT_EQ(NtClose(KernelEvent), STATUS_INVALID_HANDLE);
}

/* ---- mutants shared by the threads of the process -------------------------------------------------- */

static HANDLE Mutant, Owned, Release;

static NTSTATUS NTAPI MutantOwner(PVOID Parameter)
{
    KT_EQ(NtWaitForSingleObject(Mutant, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(NtSetEvent(Owned, NULL), STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(Release, FALSE, NULL), STATUS_SUCCESS);
    return (NTSTATUS)(ULONG_PTR)Parameter;      /* ends owning it: abandoned */
}

static VOID AbandonOnce(VOID)
{
    HANDLE Thread;
    KT_EQ(NtResetEvent(Owned, NULL), STATUS_SUCCESS);
    KT_EQ(NtResetEvent(Release, NULL), STATUS_SUCCESS);
    KT_EQ(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, MutantOwner, NULL, &Thread, NULL),
          STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(Owned, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(NtReleaseMutant(Mutant, NULL), STATUS_MUTANT_NOT_OWNED);  /* the other thread owns it */
    KT_EQ(NtSetEvent(Release, NULL), STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(Thread, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(NtClose(Thread), STATUS_SUCCESS);
}

static VOID Mutants(VOID)
{
    OBJECT_ATTRIBUTES Oa;
    UNICODE_STRING S;
    LONG Previous = 3;
    KT_EQ(NtCreateMutant(&Mutant, MUTANT_ALL_ACCESS, Attributes(&Oa, &S, L"\\BaseNamedObjects\\ObUserMutant", 0),
                         TRUE), STATUS_SUCCESS);
    KT_EQ(NtReleaseMutant(Mutant, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 0);
    KT_EQ(NtReleaseMutant(Mutant, NULL), STATUS_MUTANT_NOT_OWNED);
    KT_EQ(NtCreateEvent(&Owned, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_SUCCESS);
    KT_EQ(NtCreateEvent(&Release, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_SUCCESS);

    AbandonOnce();
    KT_EQ(NtWaitForSingleObject(Mutant, FALSE, NULL), STATUS_ABANDONED);
    KT_EQ(NtReleaseMutant(Mutant, NULL), STATUS_SUCCESS);
    KT_EQ(NtWaitForSingleObject(Mutant, FALSE, NULL), STATUS_SUCCESS);   /* reported once */
    KT_EQ(NtReleaseMutant(Mutant, NULL), STATUS_SUCCESS);

    /* a handle opened with SYNCHRONIZE only may release: ownership counts */
    HANDLE Sync;
    KT_EQ(NtOpenMutant(&Sync, SYNCHRONIZE, Attributes(&Oa, &S, L"\\BaseNamedObjects\\ObUserMutant", 0)),
          STATUS_SUCCESS);
    AbandonOnce();
    HANDLE Both[2] = { Owned, Sync };   /* Owned is set */
    KT_EQ(NtWaitForMultipleObjects(2, Both, WaitAll, FALSE, NULL), STATUS_ABANDONED_WAIT_0 + 1);
    KT_EQ(NtReleaseMutant(Sync, NULL), STATUS_SUCCESS);
    AbandonOnce();
    HANDLE First[2] = { Sync, Owned };
    KT_EQ(NtWaitForMultipleObjects(2, First, WaitAny, FALSE, NULL), STATUS_ABANDONED_WAIT_0);
    KT_EQ(NtReleaseMutant(Sync, NULL), STATUS_SUCCESS);
    KT_EQ(NtClose(Sync), STATUS_SUCCESS);
    KT_EQ(NtClose(Owned), STATUS_SUCCESS);
    KT_EQ(NtClose(Release), STATUS_SUCCESS);
    KT_EQ(NtClose(Mutant), STATUS_SUCCESS);
}

/* ---- alertable waits ------------------------------------------------------------------------------------ */

static volatile LONG ApcRuns;

static VOID NTAPI CountApc(PVOID A, PVOID B, PVOID C)
{
    UNREFERENCED_PARAMETER(B);
    UNREFERENCED_PARAMETER(C);
    InterlockedAdd(&ApcRuns, (LONG)(ULONG_PTR)A);
}

static VOID Alertable(VOID)
{
    HANDLE Events[10];
    for (int i = 0; i < 10; i++)
        KT_EQ(NtCreateEvent(&Events[i], EVENT_ALL_ACCESS, NULL, SynchronizationEvent, FALSE), STATUS_SUCCESS);
    LARGE_INTEGER Short = { .QuadPart = KT_MS(2) };
    KT_EQ(NtWaitForMultipleObjects(10, Events, WaitAny, TRUE, &Short), STATUS_TIMEOUT);
    KT_EQ(NtQueueApcThread(NtCurrentThread(), CountApc, (PVOID)3, NULL, NULL), STATUS_SUCCESS);
    KT_EQ(ApcRuns, 0);          /* not before an alertable wait */
    KT_EQ(NtWaitForSingleObject(Events[0], FALSE, &Short), STATUS_TIMEOUT);
    KT_EQ(ApcRuns, 0);          /* a non-alertable wait does not deliver it */
    KT_EQ(NtWaitForSingleObject(Events[0], TRUE, NULL), STATUS_USER_APC);
    KT_EQ(ApcRuns, 3);
    KT_EQ(NtQueueApcThread(NtCurrentThread(), CountApc, (PVOID)4, NULL, NULL), STATUS_SUCCESS);
    KT_EQ(NtWaitForMultipleObjects(10, Events, WaitAll, TRUE, NULL), STATUS_USER_APC);
    KT_EQ(ApcRuns, 7);
    KT_EQ(NtAlertThread(NtCurrentThread()), STATUS_SUCCESS);
    KT_EQ(NtWaitForMultipleObjects(10, Events, WaitAny, TRUE, NULL), STATUS_ALERTED);
    KT_EQ(NtSetEvent(Events[9], NULL), STATUS_SUCCESS);
    KT_EQ(NtWaitForMultipleObjects(10, Events, WaitAny, TRUE, NULL), STATUS_WAIT_0 + 9);
    for (int i = 0; i < 10; i++)
        KT_EQ(NtClose(Events[i]), STATUS_SUCCESS);
}

static NTSTATUS NTAPI ChecksMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    KT_EQ(ExGetPreviousMode(), UserMode);
    NamesAndAccess();
    BadPointers();
    Handles();
    Mutants();
    Alertable();
    return STATUS_SUCCESS;
}

/* ---- the driver ------------------------------------------------------------------------------------------ */

static HANDLE StartProcess(PCWSTR Image, PUSER_THREAD_START_ROUTINE Start)
{
    UNICODE_STRING Name;
    RtlInitUnicodeString(&Name, Image);
    /* with a command line: NtpsCreateProcess copies a NULL one with memcpy (UBSan) */
    UNICODE_STRING CommandLine = RTL_CONSTANT_STRING(L"test");
    NTPS_PROCESS_CREATE Create = { &Name, &CommandLine, SubsystemInformationTypeWin32, NULL, Start, NULL };
    HANDLE Process = NULL;
    KT_EQ(NtpsCreateProcess(&Create, &Process, NULL), STATUS_SUCCESS);
    return Process;
}

static VOID Join(HANDLE Process)
{
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, NULL), STATUS_SUCCESS);
    PEPROCESS Object;
    KT_EQ(ObReferenceObjectByHandle(Process, 0, *PsProcessType, KernelMode, (PVOID *)&Object, NULL), STATUS_SUCCESS);
    KT_EQ(PsGetProcessExitStatus(Object), STATUS_SUCCESS);
    ObDereferenceObject(Object);
    KT_EQ(ZwClose(Process), STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateEvent(&KernelEvent, EVENT_ALL_ACCESS, &Oa, NotificationEvent, FALSE), STATUS_SUCCESS);

    HANDLE Ping = StartProcess(L"\\??\\C:\\Windows\\ping.exe", PingMain);
    while (!InterlockedCompareExchange(&PingReady, 0, 0))
        KtSleep(1);
    HANDLE Pong = StartProcess(L"\\??\\C:\\Windows\\pong.exe", PongMain);
    Join(Ping);
    Join(Pong);
    /* every handle to them is gone: so are the names */
    HANDLE H;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\ObUserPing");
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenEvent(&H, SYNCHRONIZE, &Oa), STATUS_OBJECT_NAME_NOT_FOUND);

    Join(StartProcess(L"\\??\\C:\\Windows\\checks.exe", ChecksMain));
    KT_EQ(ZwSetEvent(KernelEvent, NULL), STATUS_SUCCESS);     /* still valid */
    KT_EQ(ZwClose(KernelEvent), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
