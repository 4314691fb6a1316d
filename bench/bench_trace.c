/*
 * bench/bench_trace.c - what `--trace FILE` costs: a whole run (boot,
 * process churn with process, thread and load-image notify routines,
 * shutdown, and with tracing the trace written) with tracing off and on,
 * in realtime on one processor and in simulation, in CPU time of the
 * process; the ratio is off/on.
 * Target: on within 2x of off (ratio >= 0.5). Off, tracing costs one
 * predicted branch per context switch and callback.
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRACE_PROCESSES 2000

static VOID Process0(HANDLE A, HANDLE B, BOOLEAN C) { (void)A; (void)B; (void)C; }
static VOID Thread0(HANDLE A, HANDLE B, BOOLEAN C) { (void)A; (void)B; (void)C; }
static VOID Image0(PUNICODE_STRING A, HANDLE B, PIMAGE_INFO C) { (void)A; (void)B; (void)C; }

static NTSTATUS NTAPI EmptyProcess(PVOID Parameter)
{
    (void)Parameter;
    return STATUS_SUCCESS;
}

static VOID Churn(PVOID Context)
{
    (void)Context;
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\cmd.exe");
    NTPS_PROCESS_CREATE Create = { &Image, NULL, SubsystemInformationTypeWin32, NULL, EmptyProcess, NULL };
    PsSetCreateProcessNotifyRoutine(Process0, FALSE);
    PsSetCreateThreadNotifyRoutine(Thread0);
    PsSetLoadImageNotifyRoutine(Image0);
    for (ULONG i = 0; i < TRACE_PROCESSES; i++) {
        HANDLE Handle;
        if (!NT_SUCCESS(NtpsCreateProcess(&Create, &Handle, NULL)))
            continue;
        ZwWaitForSingleObject(Handle, FALSE, NULL);
        ZwClose(Handle);
    }
    PsSetCreateProcessNotifyRoutine(Process0, TRUE);
    PsRemoveCreateThreadNotifyRoutine(Thread0);
    PsRemoveLoadImageNotifyRoutine(Image0);
}

static double ProcessCpuNs(void)
{
    struct timespec Ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &Ts);
    return Ts.tv_sec * 1e9 + Ts.tv_nsec;
}

/* One whole run, in ns of the process's CPU time (on a shared machine
 * wall time mostly measures the other tenants). */
static double RunOnce(BOOLEAN Simulation, const char *TracePath)
{
    NTPS_HOST_CONFIG Config;
    memset(&Config, 0, sizeof(Config));
    Config.Cpus = 1;
    Config.Simulation = Simulation;
    Config.Seed = 1;
    Config.Quiet = TRUE;
    Config.StatusLine = NTPS_STATUS_OFF;
    Config.TracePath = TracePath;
    Config.Routine = Churn;
    double Start = ProcessCpuNs();
    if (NtpsHostRun(&Config) != 0) {
        fprintf(stderr, "ntps_bench: the kernel run failed\n");
        exit(1);
    }
    return ProcessCpuNs() - Start;
}

/* The best of five runs each way, interleaved (off, on, off, ...), so
 * that a busy spell of the machine's other tenants hits both. */
#define TRACE_RUNS 5

VOID BenchTrace(VOID)
{
    char Path[] = "/tmp/ntps-bench-trace-XXXXXX";
    int Fd = mkstemp(Path);
    if (Fd < 0) {
        fprintf(stderr, "ntps_bench: no temporary file for the trace\n");
        return;
    }
    close(Fd);
    for (int Simulation = 0; Simulation <= 1; Simulation++) {
        double Off = 1e30, On = 1e30;
        for (int r = 0; r < TRACE_RUNS; r++) {
            double Ns = RunOnce((BOOLEAN)Simulation, NULL);
            Off = Ns < Off ? Ns : Off;
            Ns = RunOnce((BOOLEAN)Simulation, Path);
            On = Ns < On ? Ns : On;
        }
        char Name[80], Goal[64];
        snprintf(Name, sizeof(Name), "trace: %d-process run, %s, --trace", TRACE_PROCESSES,
                 Simulation ? "simulation" : "realtime 1 cpu");
        BenchReport(Name, On / 1e6, "cpu-ms", "the same run, no --trace", Off / 1e6);
        snprintf(Goal, sizeof(Goal), "on within 2x of off [%.2fx]", On / Off);
        BenchGoal(Goal, On <= 2 * Off);
    }
    unlink(Path);
}
