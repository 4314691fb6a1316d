/*
 * Conformance (from the WDK pages): where thread notify routines run.
 * - PsSetCreateThreadNotifyRoutine: at creation in the context of the
 *   creating thread; at deletion in the context of the exiting thread;
 *   IRQL <= APC_LEVEL; system and user threads alike.
 * - PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem): at
 *   creation on the new thread itself; never for system threads.
 * - PsTerminateSystemThread on a thread that is not a system thread (the
 *   new user thread, in the NonSystem routine) returns an error status;
 * - PsGetCurrentThreadTeb: NULL on a system thread; the TEB on a user
 *   thread, NULL while it is attached to another process;
 * - PsRemoveCreateThreadNotifyRoutine: STATUS_SUCCESS, then
 *   STATUS_PROCEDURE_NOT_FOUND; a removed routine is no longer called.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

typedef struct _SEEN {
    char Kind;              /* 'L' legacy, 'N' NonSystem */
    BOOLEAN Create;
    KIRQL Irql;
    HANDLE Pid, Tid, CurPid, CurTid;
    volatile LONG Ready;    /* published last: the reader may run on another processor */
} SEEN;

static SEEN Seen[256];
static volatile LONG Count;
static HANDLE Creator;

static VOID Record(char Kind, HANDLE Pid, HANDLE Tid, BOOLEAN Create)
{
    LONG i = InterlockedIncrement(&Count) - 1;
    if (i >= (LONG)ARRAYSIZE(Seen))
        return;
    SEEN *S = &Seen[i];
    S->Kind = Kind;
    S->Create = Create;
    S->Irql = KeGetCurrentIrql();
    S->Pid = Pid;
    S->Tid = Tid;
    S->CurPid = PsGetCurrentProcessId();
    S->CurTid = PsGetCurrentThreadId();
    WriteRelease(&S->Ready, 1);
}

static VOID Legacy(HANDLE Pid, HANDLE Tid, BOOLEAN Create) { Record('L', Pid, Tid, Create); }
static volatile LONG TerminateStatus = 1;
static PVOID TebOwn, TebAttached, TebBack;
static volatile LONG TebChecked;

static VOID NonSystem(HANDLE Pid, HANDLE Tid, BOOLEAN Create)
{
    Record('N', Pid, Tid, Create);
    /* not a system thread: PsTerminateSystemThread returns an error */
    if (Create && !PsIsSystemThread(PsGetCurrentThread())) {
        InterlockedExchange(&TerminateStatus, PsTerminateSystemThread(STATUS_UNSUCCESSFUL));
        /* a user thread has a TEB; attached to another process it gets NULL */
        KAPC_STATE Apc;
        TebOwn = PsGetCurrentThreadTeb();
        KeStackAttachProcess(PsInitialSystemProcess, &Apc);
        TebAttached = PsGetCurrentThreadTeb();
        KeUnstackDetachProcess(&Apc);
        TebBack = PsGetCurrentThreadTeb();
        InterlockedExchange(&TebChecked, 1);
    }
}

/* The record of Kind/Create for thread Tid, or NULL; *Times how many. */
static const SEEN *Find(char Kind, HANDLE Tid, BOOLEAN Create, int *Times)
{
    const SEEN *Found = NULL;
    LONG n = min(ReadAcquire(&Count), (LONG)ARRAYSIZE(Seen));
    *Times = 0;
    for (LONG i = 0; i < n; i++)
        if (ReadAcquire(&Seen[i].Ready) && Seen[i].Kind == Kind && Seen[i].Tid == Tid && Seen[i].Create == Create) {
            Found = &Seen[i];
            ++*Times;
        }
    return Found;
}

static VOID Nothing(PVOID Context) { UNREFERENCED_PARAMETER(Context); }

static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return STATUS_SUCCESS;
}

static UNICODE_STRING Notepad = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\notepad.exe");

static VOID SystemThread(VOID)
{
    PETHREAD T = KtStartThread(Nothing, NULL);
    KT_CHECK(T != NULL);
    if (T == NULL)
        return;
    HANDLE Tid = PsGetThreadId(T);
    KtJoin(T);
    int n;
    const SEEN *S = Find('L', Tid, TRUE, &n);
    KT_EQ(n, 1);
    if (S != NULL) {
        KT_EQ(S->Pid, 4);
        KT_EQ(S->CurTid, Creator);          /* the creating thread */
        KT_CHECK(S->Irql <= APC_LEVEL);
    }
    /* deletion: the thread has exited once KtJoin returns? Its notify may
     * come later; wait for it (bounded). */
    for (int i = 0; i < 200 && Find('L', Tid, FALSE, &n) == NULL; i++)
        KtSleep(5);
    S = Find('L', Tid, FALSE, &n);
    KT_EQ(n, 1);
    if (S != NULL) {
        KT_EQ(S->CurTid, Tid);              /* the exiting thread itself */
        KT_CHECK(S->Irql <= APC_LEVEL);
    }
    Find('N', Tid, TRUE, &n);
    KT_EQ(n, 0);                            /* NonSystem: not for system threads */
    Find('N', Tid, FALSE, &n);
    KT_EQ(n, 0);
}

static VOID UserThread(VOID)
{
    NTPS_PROCESS_CREATE C = { &Notepad, NULL, SubsystemInformationTypeWin32, NULL, UserMain, NULL };
    HANDLE Process;
    CLIENT_ID Cid = { 0, 0 };
    KT_EQ(NtpsCreateProcess(&C, &Process, &Cid), STATUS_SUCCESS);
    ZwWaitForSingleObject(Process, FALSE, NULL);
    PEPROCESS P;
    if (NT_SUCCESS(ObReferenceObjectByHandle(Process, 0, *PsProcessType, KernelMode, (PVOID *)&P, NULL))) {
        KT_EQ(PsGetProcessExitStatus(P), STATUS_SUCCESS);   /* UserMain ran and returned */
        ObDereferenceObject(P);
    }
    ZwClose(Process);
    KT_CHECK(!NT_SUCCESS(ReadAcquire(&TerminateStatus)));
    KT_EQ(ReadAcquire(&TebChecked), 1);
    KT_CHECK(TebOwn != NULL);
    KT_CHECK(TebAttached == NULL);
    KT_CHECK(TebBack == TebOwn);
    HANDLE Tid = Cid.UniqueThread;
    int n;
    const SEEN *S = Find('L', Tid, TRUE, &n);
    KT_EQ(n, 1);
    if (S != NULL) {
        KT_EQ(S->Pid, Cid.UniqueProcess);
        KT_EQ(S->CurTid, Creator);
    }
    S = Find('N', Tid, TRUE, &n);
    KT_EQ(n, 1);
    if (S != NULL) {
        KT_EQ(S->Pid, Cid.UniqueProcess);
        KT_EQ(S->CurTid, Tid);              /* on the new thread */
        KT_EQ(S->CurPid, Cid.UniqueProcess);
        KT_CHECK(S->Irql <= APC_LEVEL);
    }
    for (char K = 'L'; K <= 'N'; K += 'N' - 'L') {
        S = Find(K, Tid, FALSE, &n);
        KT_EQ(n, 1);
        if (S != NULL) {
            KT_EQ(S->CurTid, Tid);
            KT_EQ(S->CurPid, Cid.UniqueProcess);
        }
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Creator = PsGetCurrentThreadId();
    KT_CHECK(PsGetCurrentThreadTeb() == NULL);      /* a system thread has none */
    KT_EQ(PsSetCreateThreadNotifyRoutine(Legacy), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)NonSystem), STATUS_SUCCESS);
    SystemThread();
    UserThread();
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Legacy), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(NonSystem), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Legacy), STATUS_PROCEDURE_NOT_FOUND);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine((PCREATE_THREAD_NOTIFY_ROUTINE)(PVOID)Nothing), STATUS_PROCEDURE_NOT_FOUND);
    LONG Before = ReadAcquire(&Count);
    KtJoin(KtStartThread(Nothing, NULL));
    KT_EQ(ReadAcquire(&Count), Before);
    KT_CHECK(Before <= (LONG)ARRAYSIZE(Seen));
    KT_DONE();
    return STATUS_SUCCESS;
}
