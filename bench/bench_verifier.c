/*
 * bench/bench_verifier.c - the verifier's overhead: process churn (create,
 * run, exit, wait) with four notify routines (two process, one thread, one
 * load-image) with the verifier off, standard and strict, as ratios to off.
 * Target: standard within 1.5x of off. Strict paints the stack on every
 * callback call and so costs more.
 */
#include "bench/bench.h"
#include "vf/vf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERIFIER_ROUNDS 5000

static volatile LONG Calls;

static VOID Process0(HANDLE A, HANDLE B, BOOLEAN C) { (void)A; (void)B; (void)C; InterlockedIncrement(&Calls); }
static VOID Process1(HANDLE A, HANDLE B, BOOLEAN C) { (void)A; (void)B; (void)C; InterlockedIncrement(&Calls); }
static VOID Thread0(HANDLE A, HANDLE B, BOOLEAN C) { (void)A; (void)B; (void)C; InterlockedIncrement(&Calls); }
static VOID Image0(PUNICODE_STRING A, HANDLE B, PIMAGE_INFO C) { (void)A; (void)B; (void)C; InterlockedIncrement(&Calls); }

static NTSTATUS NTAPI EmptyProcess(PVOID Parameter)
{
    (void)Parameter;
    return STATUS_SUCCESS;
}

static VOID Churn(PVOID Context)
{
    double *Ns = Context;
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\cmd.exe");
    NTPS_PROCESS_CREATE Create = { &Image, NULL, SubsystemInformationTypeWin32, NULL, EmptyProcess, NULL };
    PsSetCreateProcessNotifyRoutine(Process0, FALSE);
    PsSetCreateProcessNotifyRoutine(Process1, FALSE);
    PsSetCreateThreadNotifyRoutine(Thread0);
    PsSetLoadImageNotifyRoutine(Image0);
    *Ns = 1e30;
    for (int r = 0; r < 3; r++) {   /* the best of three: a noisy machine does not decide */
        double Start = BenchNow();
        for (ULONG i = 0; i < VERIFIER_ROUNDS; i++) {
            HANDLE Handle;
            if (!NT_SUCCESS(NtpsCreateProcess(&Create, &Handle, NULL)))
                continue;
            ZwWaitForSingleObject(Handle, FALSE, NULL);
            ZwClose(Handle);
        }
        double Run = (BenchNow() - Start) / VERIFIER_ROUNDS;
        if (Run < *Ns)
            *Ns = Run;
    }
    PsSetCreateProcessNotifyRoutine(Process0, TRUE);
    PsSetCreateProcessNotifyRoutine(Process1, TRUE);
    PsRemoveCreateThreadNotifyRoutine(Thread0);
    PsRemoveLoadImageNotifyRoutine(Image0);
}

static double RunAt(UCHAR Level)
{
    NTPS_HOST_CONFIG Config;
    memset(&Config, 0, sizeof(Config));
    Config.Cpus = 1;
    Config.Seed = 1;
    Config.Quiet = TRUE;
    Config.Verifier = Level;
    Config.Routine = Churn;
    double Ns = 0;
    Config.RoutineContext = &Ns;
    if (NtpsHostRun(&Config) != 0) {
        fprintf(stderr, "ntps_bench: the kernel run failed\n");
        exit(1);
    }
    return Ns;
}

VOID BenchVerifier(VOID)
{
    double Off = RunAt(NTPS_VERIFIER_OFF);
    double Standard = RunAt(NTPS_VERIFIER_STANDARD);
    double Strict = RunAt(NTPS_VERIFIER_STRICT);
    BenchReport("process churn, 4 callbacks, verifier off", Off, "ns/proc", "", 0);
    BenchReport("  ... verifier standard", Standard, "ns/proc", "verifier off", Off);
    BenchReport("  ... verifier strict", Strict, "ns/proc", "verifier off", Off);
    printf("%-44s %10.2fx standard/off (target <= 1.50x), %.2fx strict/off\n", "  verifier overhead",
           Standard / Off, Strict / Off);
}
