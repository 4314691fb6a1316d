/*
 * bench/bench_process.c - processes against their host analogue: a user
 * process created, run to its end and waited for (NtpsCreateProcess +
 * wait + close), with no notify routine and with eight (process, thread
 * and image routines, as an EDR sensor registers them), beside fork +
 * _exit + waitpid; PsLookupProcessByProcessId beside an array index and a
 * reference count; opening and closing a process handle beside dup+close
 * of a file descriptor.
 */
#include "bench/bench.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROCESS_ROUNDS 10000
#define FORK_ROUNDS 2000
#define LOOKUP_ROUNDS 2000000
#define LOOKUP_RUNS 40      /* short runs, the best kept: the machine may be shared */
#define HANDLE_ROUNDS 1000000

static volatile LONG Calls;

static NTSTATUS NTAPI EmptyProcess(PVOID Parameter)
{
    (void)Parameter;
    return STATUS_SUCCESS;
}

static VOID ProcessNotify(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    (void)ParentId; (void)ProcessId; (void)Create;
    InterlockedIncrement(&Calls);
}

static VOID ThreadNotify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    (void)ProcessId; (void)ThreadId; (void)Create;
    InterlockedIncrement(&Calls);
}

static VOID ImageNotify(PUNICODE_STRING Name, HANDLE ProcessId, PIMAGE_INFO Info)
{
    (void)Name; (void)ProcessId; (void)Info;
    InterlockedIncrement(&Calls);
}

/* Eight distinct routines: a notify table refuses the same one twice. */
#define BENCH_ROUTINES(X) X(0) X(1) X(2) X(3)
#define BENCH_PROCESS(n) static VOID Process##n(HANDLE A, HANDLE B, BOOLEAN C) { ProcessNotify(A, B, C); }
#define BENCH_THREAD(n) static VOID Thread##n(HANDLE A, HANDLE B, BOOLEAN C) { ThreadNotify(A, B, C); }
BENCH_ROUTINES(BENCH_PROCESS)
BENCH_THREAD(0) BENCH_THREAD(1)
static VOID Image0(PUNICODE_STRING A, HANDLE B, PIMAGE_INFO C) { ImageNotify(A, B, C); }
static VOID Image1(PUNICODE_STRING A, HANDLE B, PIMAGE_INFO C) { ImageNotify(A, B, C); }

static VOID RegisterEight(BOOLEAN Remove)
{
    PCREATE_PROCESS_NOTIFY_ROUTINE Processes[] = { Process0, Process1, Process2, Process3 };
    for (ULONG i = 0; i < RTL_NUMBER_OF(Processes); i++)
        PsSetCreateProcessNotifyRoutine(Processes[i], Remove);
    if (Remove) {
        PsRemoveCreateThreadNotifyRoutine(Thread0);
        PsRemoveCreateThreadNotifyRoutine(Thread1);
        PsRemoveLoadImageNotifyRoutine(Image0);
        PsRemoveLoadImageNotifyRoutine(Image1);
    } else {
        PsSetCreateThreadNotifyRoutine(Thread0);
        PsSetCreateThreadNotifyRoutine(Thread1);
        PsSetLoadImageNotifyRoutine(Image0);
        PsSetLoadImageNotifyRoutine(Image1);
    }
}

typedef struct _PROCESS_RESULT {
    BOOLEAN WithCallbacks;
    double Ns;
    double CallsPerProcess;
} PROCESS_RESULT;

static VOID ProcessRun(PROCESS_RESULT *Result);

static VOID ProcessLoop(PVOID Context)
{
    PROCESS_RESULT *Result = Context;
    double Best = 1e30;
    for (int r = 0; r < 3; r++) {
        ProcessRun(Result);
        if (Result->Ns < Best)
            Best = Result->Ns;
    }
    Result->Ns = Best;
}

static VOID ProcessRun(PROCESS_RESULT *Result)
{
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\cmd.exe");
    NTPS_PROCESS_CREATE Create = { &Image, NULL, SubsystemInformationTypeWin32, NULL, EmptyProcess, NULL };
    if (Result->WithCallbacks)
        RegisterEight(FALSE);
    Calls = 0;
    double Start = BenchNow();
    for (ULONG i = 0; i < PROCESS_ROUNDS; i++) {
        HANDLE Handle;
        if (!NT_SUCCESS(NtpsCreateProcess(&Create, &Handle, NULL)))
            continue;
        ZwWaitForSingleObject(Handle, FALSE, NULL);
        ZwClose(Handle);
    }
    Result->Ns = (BenchNow() - Start) / PROCESS_ROUNDS;
    Result->CallsPerProcess = (double)Calls / PROCESS_ROUNDS;
    if (Result->WithCallbacks)
        RegisterEight(TRUE);
}

static double ForkExitWait(void)
{
    double Best = 1e30;
    for (int r = 0; r < 3; r++) {
        double Start = BenchNow();
        for (int i = 0; i < FORK_ROUNDS; i++) {
            pid_t Child = fork();
            if (Child == 0)
                _exit(0);
            int Status;
            waitpid(Child, &Status, 0);
        }
        double Run = (BenchNow() - Start) / FORK_ROUNDS;
        if (Run < Best)
            Best = Run;
    }
    return Best;
}

VOID BenchProcesses(VOID)
{
    PROCESS_RESULT None = { FALSE, 0, 0 }, Eight = { TRUE, 0, 0 };
    BenchRunKernel(1, FALSE, ProcessLoop, &None);
    BenchRunKernel(1, FALSE, ProcessLoop, &Eight);
    double Fork = ForkExitWait();
    BenchReport("process create+run+exit+wait, no callbacks", None.Ns, "ns/proc", "fork+_exit+waitpid", Fork);
    BenchReport("process create+run+exit+wait, 8 callbacks", Eight.Ns, "ns/proc", "fork+_exit+waitpid", Fork);
    if (Eight.CallsPerProcess > 0)
        BenchReport("  cost of one callback call", (Eight.Ns - None.Ns) / Eight.CallsPerProcess, "ns/call", "", 0);
}

/* ---- look-ups and handles ------------------------------------------------------------------------ */

/* Each side: the best of REPEAT runs, so that a noisy machine (other
 * processes taking the core for a while) does not decide the ratio. */
#define REPEAT 5

static VOID ProcessLookupLoop(PVOID Context)
{
    double *Ns = Context;
    HANDLE Pid = PsGetCurrentProcessId();
    *Ns = 1e30;
    for (int r = 0; r < LOOKUP_RUNS; r++) {
        double Start = BenchNow();
        for (ULONG i = 0; i < LOOKUP_ROUNDS / LOOKUP_RUNS; i++) {
            PEPROCESS Process;
            if (NT_SUCCESS(PsLookupProcessByProcessId(Pid, &Process)))
                ObDereferenceObject(Process);
        }
        double Run = (BenchNow() - Start) / (LOOKUP_ROUNDS / LOOKUP_RUNS);
        if (Run < *Ns)
            *Ns = Run;
    }
}

static VOID HandleLoop(PVOID Context)
{
    double *Ns = Context;
    PEPROCESS Process = PsGetCurrentProcess();
    double Start = BenchNow();
    for (ULONG i = 0; i < HANDLE_ROUNDS; i++) {
        HANDLE Handle;
        if (NT_SUCCESS(ObOpenObjectByPointer(Process, OBJ_KERNEL_HANDLE, NULL, PROCESS_QUERY_LIMITED_INFORMATION,
                                             *PsProcessType, KernelMode, &Handle)))
            ZwClose(Handle);
    }
    *Ns = (BenchNow() - Start) / HANDLE_ROUNDS;
}

VOID BenchProcessLookup(VOID)
{
    double Ns;
    BenchRunKernel(1, FALSE, ProcessLookupLoop, &Ns);
    BenchReportLookup("PsLookupProcessByProcessId + dereference", Ns);

    BenchRunKernel(1, FALSE, HandleLoop, &Ns);
    int Fd = open("/dev/null", O_RDONLY);
    double Start = BenchNow();
    for (ULONG i = 0; i < HANDLE_ROUNDS; i++)
        close(dup(Fd));
    double Dup = (BenchNow() - Start) / HANDLE_ROUNDS;
    close(Fd);
    BenchReport("process handle open+close (kernel handle)", Ns, "ns/op", "dup+close of a descriptor", Dup);
}
