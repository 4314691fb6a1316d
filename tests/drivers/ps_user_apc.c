/*
 * ps_user_apc.c - user APCs and alerts of user threads: an alertable
 * user-mode wait ends with STATUS_USER_APC after the APC ran; a
 * non-alertable one does not deliver it, NtTestAlert does on the way back;
 * several APCs run in order with their three arguments; APCs queued before
 * a thread starts run before its start routine; an APC routine may call
 * services and queue more APCs; NtAlertThread ends an alertable wait with
 * STATUS_ALERTED and NtTestAlert reports a pending alert; user APCs cannot
 * go to system threads; a thread ending with APCs queued frees them.
 */
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\rundll32.exe");

static NTSTATUS RunProcess(PUSER_THREAD_START_ROUTINE Start, PVOID Parameter)
{
    return KtRunProcess(&Image, NULL, SubsystemInformationTypeWin32, Start, Parameter, NULL);
}

#define LOG_MAX 16
static volatile LONG LogCount;
static ULONG_PTR Log[LOG_MAX];
static KPROCESSOR_MODE ApcMode;
static HANDLE ApcThread;

static VOID NTAPI Append(PVOID A, PVOID B, PVOID C)
{
    LONG i = InterlockedIncrement(&LogCount) - 1;
    if (i < LOG_MAX)
        Log[i] = (ULONG_PTR)A + (ULONG_PTR)B * 16 + (ULONG_PTR)C * 256;
    ApcMode = ExGetPreviousMode();
    ApcThread = PsGetCurrentThreadId();
}

static LARGE_INTEGER Ms(LONG Milliseconds)
{
    LARGE_INTEGER I;
    I.QuadPart = KT_MS(Milliseconds);
    return I;
}

/* ---- alertable and non-alertable waits --------------------------------------------------------- */

static NTSTATUS WaitResults[4];
static LONG CountAfter[4];

static NTSTATUS NTAPI WaitsMain(PVOID Parameter)
{
    (void)Parameter;
    LARGE_INTEGER Short = Ms(10);
    LogCount = 0;
    NtQueueApcThread(NtCurrentThread(), Append, (PVOID)1, (PVOID)2, (PVOID)3);
    /* Not alertable: the APC stays queued. */
    WaitResults[0] = NtDelayExecution(FALSE, &Short);
    CountAfter[0] = LogCount;
    /* Alertable: it ends at once with STATUS_USER_APC, the APC having run. */
    WaitResults[1] = NtDelayExecution(TRUE, &Short);
    CountAfter[1] = LogCount;
    /* Two more, then NtTestAlert delivers both, in order. */
    NtQueueApcThread(NtCurrentThread(), Append, (PVOID)4, NULL, NULL);
    NtQueueApcThread(NtCurrentThread(), Append, (PVOID)5, NULL, NULL);
    CountAfter[2] = LogCount;
    WaitResults[2] = NtTestAlert();
    CountAfter[3] = LogCount;
    /* Nothing pending: the alertable wait times out. */
    WaitResults[3] = NtDelayExecution(TRUE, &Short);
    return 0;
}

static VOID TestWaits(VOID)
{
    KT_EQ(RunProcess(WaitsMain, NULL), 0);
    KT_EQ(WaitResults[0], STATUS_SUCCESS);
    KT_EQ(CountAfter[0], 0);
    KT_EQ(WaitResults[1], STATUS_USER_APC);
    KT_EQ(CountAfter[1], 1);
    KT_EQ(Log[0], 1 + 2 * 16 + 3 * 256);
    KT_EQ(ApcMode, UserMode);
    KT_EQ(CountAfter[2], 1);
    KT_EQ(WaitResults[2], STATUS_SUCCESS);
    KT_EQ(CountAfter[3], 3);
    KT_EQ(Log[1], 4);
    KT_EQ(Log[2], 5);
    KT_EQ(WaitResults[3], STATUS_SUCCESS);
}

/* ---- queued from another thread, before the target starts -------------------------------------------- */

static volatile LONG StartSawCount;
static HANDLE TargetTid;

static NTSTATUS NTAPI Target(PVOID Parameter)
{
    (void)Parameter;
    StartSawCount = LogCount;
    return 0;
}

static NTSTATUS NTAPI EarlyMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Thread;
    CLIENT_ID Cid;
    LogCount = 0;
    /* Created suspended would be the Win32 way; queue before it can run by
     * holding this thread's processor: our priority equals its, and we do
     * not wait until both APCs are queued. */
    if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Target, NULL, &Thread, &Cid)))
        return 1;
    TargetTid = Cid.UniqueThread;
    NtQueueApcThread(Thread, Append, (PVOID)7, NULL, NULL);
    NtQueueApcThread(Thread, Append, (PVOID)8, NULL, NULL);
    NtWaitForSingleObject(Thread, FALSE, NULL);
    NtClose(Thread);
    return 0;
}

static VOID TestBeforeStart(VOID)
{
    KT_EQ(RunProcess(EarlyMain, NULL), 0);
    /* The thread may have started before the APCs came (two processors):
     * then it has no alertable wait and never runs them. When they came
     * first, both ran before its start routine. */
    KT_CHECK(LogCount == 0 || (LogCount == 2 && StartSawCount == 2));
    if (LogCount == 2) {
        KT_EQ(Log[0], 7);
        KT_EQ(Log[1], 8);
        KT_EQ(ApcThread, TargetTid);
    }
}

/* ---- an APC routine that makes services and queues another ----------------------------------------------- */

static NTSTATUS Nested;

static VOID NTAPI Chain(PVOID A, PVOID B, PVOID C)
{
    (void)B; (void)C;
    Append(A, NULL, NULL);
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    Nested = NtDelayExecution(FALSE, &Zero);
    if ((ULONG_PTR)A < 3)
        NtQueueApcThread(NtCurrentThread(), Chain, (PVOID)((ULONG_PTR)A + 1), NULL, NULL);
}

static NTSTATUS NTAPI ChainMain(PVOID Parameter)
{
    (void)Parameter;
    LARGE_INTEGER Short = Ms(5);
    LogCount = 0;
    NtQueueApcThread(NtCurrentThread(), Chain, (PVOID)1, NULL, NULL);
    return NtDelayExecution(TRUE, &Short);
}

static VOID TestChain(VOID)
{
    KT_EQ(RunProcess(ChainMain, NULL), STATUS_USER_APC);
    /* Each APC queued the next; delivery went on until none was left. */
    KT_EQ(LogCount, 3);
    KT_EQ(Log[2], 3);
    KT_EQ(Nested, STATUS_SUCCESS);
}

/* ---- alerts --------------------------------------------------------------------------------------------------- */

static NTSTATUS AlertResults[3];

static NTSTATUS NTAPI AlertMain(PVOID Parameter)
{
    (void)Parameter;
    LARGE_INTEGER Long = Ms(60000), Short = Ms(5);
    NtAlertThread(NtCurrentThread());
    AlertResults[0] = NtDelayExecution(TRUE, &Long);     /* alerted: ends at once */
    AlertResults[1] = NtDelayExecution(TRUE, &Short);    /* the alert was consumed */
    NtAlertThread(NtCurrentThread());
    AlertResults[2] = NtTestAlert();
    return 0;
}

static VOID TestAlerts(VOID)
{
    KT_EQ(RunProcess(AlertMain, NULL), 0);
    KT_EQ(AlertResults[0], STATUS_ALERTED);
    KT_EQ(AlertResults[1], STATUS_SUCCESS);
    KT_EQ(AlertResults[2], STATUS_ALERTED);
}

/* ---- queued and never run ------------------------------------------------------------------------------------- */

static NTSTATUS NTAPI NeverAlertableMain(PVOID Parameter)
{
    (void)Parameter;
    for (int i = 0; i < 100; i++)
        NtQueueApcThread(NtCurrentThread(), Append, (PVOID)9, NULL, NULL);
    return 0;   /* ends with them queued: they are freed (no pool is left) */
}

static VOID TestRundown(VOID)
{
    LogCount = 0;
    KT_EQ(RunProcess(NeverAlertableMain, NULL), 0);
    KT_EQ(LogCount, 0);
    /* Not to a system thread, not a NULL routine. */
    KT_EQ(ZwQueueApcThread(ZwCurrentThread(), Append, NULL, NULL, NULL), STATUS_INVALID_HANDLE);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    TestWaits();
    TestBeforeStart();
    TestChain();
    TestAlerts();
    TestRundown();
    KT_DONE();
    return STATUS_SUCCESS;
}
