/*
 * host/run.c - one run of the kernel: load the driver images, boot, start
 * each driver on a system thread, wait until every thread the drivers
 * started has ended, unload them, shut down, and say how it went.
 */
#include "host/host.h"
#include "host/activity.h"
#include "vf/vf.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

BOOLEAN HostLoadImage(const char *Path, PIO_DRIVER_IMAGE Image, char *Error, size_t ErrorSize);
VOID HostUnloadImage(PIO_DRIVER_IMAGE Image);
VOID PsShutdownSystem(VOID);
BOOLEAN HostPrepareRegistry(const NTPS_HOST_CONFIG *Config, PRTL_MODULE *Modules, ULONG ModuleCount);
VOID KiDescribeAddress(PVOID Address, PCHAR Buffer, SIZE_T Size);
VOID HostInitializeDriverLoader(const NTPS_HOST_CONFIG *Config);     /* host/drvload.c */
VOID HostStartHostVolume(VOID);     /* host/hostfs.c: C: */
VOID HostStopHostVolume(VOID);
extern VOID (*KiStallHook)(VOID);

typedef struct _HOST_RUN {
    const NTPS_HOST_CONFIG *Config;
    IO_DRIVER_IMAGE Images[NTPS_MAX_DRIVERS];
    ULONG ImageCount;
    NTPS_USER_IMAGE *UserImages[NTPS_MAX_USER_IMAGES];
    int ExitStatus;
} HOST_RUN;

static HOST_RUN *HostCurrentRun;

/* A run that ends before its end (a bug check, a deadlock, a stall) ends
 * the process, unless it is one of explore's workers: its RunEndHook puts
 * the memory back and does not return. */
static VOID HostEndRun(int Status)
{
    const NTPS_HOST_CONFIG *Config = HostCurrentRun != NULL ? HostCurrentRun->Config : NULL;
    if (Config != NULL && Config->ExitAfterRun && Config->RunEndHook != NULL) {
        fflush(NULL);
        Config->RunEndHook(Status, Config->SnapshotContext);
    }
}

/* ---- diagnostics for a run that does not finish ------------------------------ */

static const char *HostStateName(UCHAR State)
{
    static const char *Names[] = { "initialized", "ready", "running", "standby", "terminated", "waiting",
                                   "transition", "deferred-ready" };
    return State < RTL_NUMBER_OF(Names) ? Names[State] : "?";
}

/* A snapshot for the timeout message, read while the threads run on: a
 * torn value costs nothing, so the reads are not instrumented by TSan. */
__attribute__((no_sanitize("thread")))
static VOID HostDescribeThread(ETHREAD *Thread, PVOID Context)
{
    (void)Context;
    if (Thread->Tcb.State == Terminated)
        return;
    char Start[160] = "?";
    if (Thread->StartAddress != NULL)
        KiDescribeAddress(Thread->StartAddress, Start, sizeof(Start));
    EPROCESS *Process = (EPROCESS *)Thread->Tcb.Process;
    RtlpReport("  TID %-5lu %-10s priority %2d  wait reason %2u  %s  PID %lu %s  start %s%s%s\n",
            (unsigned long)(ULONG_PTR)Thread->Cid.UniqueThread, HostStateName(Thread->Tcb.State),
            Thread->Tcb.Priority, Thread->Tcb.WaitReason, Thread->Tcb.InUserMode ? "user  " : "kernel",
            Process != NULL ? (unsigned long)(ULONG_PTR)Process->UniqueProcessId : 0UL,
            Process != NULL ? Process->ImageFileName : "?", Start,
            Thread->CreatorModule ? "  driver " : "", Thread->CreatorModule ? Thread->CreatorModule->Name : "");
}

__attribute__((no_sanitize("thread")))
static VOID HostDescribeProcess(EPROCESS *Process, PVOID Context)
{
    (void)Context;
    if (Process->Pcb.Header.SignalState != 0 || !(Process->Flags & PSP_PROCESS_USER))
        return;
    RtlpReport("  PID %-5lu %-15s %lu thread%s%s\n", (unsigned long)(ULONG_PTR)Process->UniqueProcessId,
               Process->ImageFileName, (unsigned long)Process->ActiveThreads, Process->ActiveThreads == 1 ? "" : "s",
               (Process->Flags & PSP_PROCESS_EXITING) ? ", ending" : "");
}

/* The run is about to end with a report: every thread not ended yet, and
 * every user process that has not ended. */
static VOID HostListThreads(VOID)
{
    PsEnumerateThreads(HostDescribeThread, NULL);
    PsEnumerateProcesses(HostDescribeProcess, NULL);
    ExDescribeWorkQueues();
}

static PKTHREAD HostStalled[256];
static ULONG HostStalledCount;

static VOID HostCollectThread(ETHREAD *Thread, PVOID Context)
{
    (void)Context;
    if (Thread->Tcb.State != Terminated && HostStalledCount < RTL_NUMBER_OF(HostStalled))
        HostStalled[HostStalledCount++] = &Thread->Tcb;
}

/* A Deadlock report ended the run (vf/deadlock.c): the dispatcher lock
 * may be held, so nothing more is listed. */
static VOID HostDeadlock(VOID)
{
    VfFinishRun(NTPS_EXIT_STALL);      /* the summary and the JSON report */
    HostEndRun(NTPS_EXIT_STALL);
    _exit(NTPS_EXIT_STALL);
}

static BOOLEAN HostWorkChecked;

static VOID HostStall(VOID)
{
    if (!HostWorkChecked)
        (void)ExCheckQueuedWorkDeadlock();     /* a driver's work still queued: say who waits for it */
    HostStalledCount = 0;
    PsEnumerateThreads(HostCollectThread, NULL);
    VfReportStall(HostStalled, HostStalledCount);
    RtlpReport("\nntps: deadlock: every thread is waiting and no timer is set (virtual time %llu ms)\n",
            (unsigned long long)KiSimNow() / 10000);
    HostListThreads();
    RtlpReport("ntps: simulation seed %llu, trace 0x%016llx after %llu events\n", (unsigned long long)KiConfig.Seed,
            (unsigned long long)KiSimTraceHash(), (unsigned long long)KiSimTraceEvents());
    VfFinishRun(NTPS_EXIT_STALL);
    HostEndRun(NTPS_EXIT_STALL);
    _exit(NTPS_EXIT_STALL);
}

static void *HostWatchdog(void *Argument)
{
    const NTPS_HOST_CONFIG *Config = Argument;
    struct timespec Deadline;
    clock_gettime(CLOCK_MONOTONIC, &Deadline);
    Deadline.tv_sec += Config->TimeoutSeconds;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &Deadline, NULL) != 0)
        ;
    RtlpReport("\nntps: timeout: the run did not finish within %u s; threads still alive:\n", Config->TimeoutSeconds);
    HostListThreads();
    if (Config->Simulation)
        RtlpReport("ntps: simulation seed %llu at virtual time %llu ms\n", (unsigned long long)Config->Seed,
                (unsigned long long)KiSimNow() / 10000);
    VfFinishRun(NTPS_EXIT_TIMEOUT);
    _exit(NTPS_EXIT_TIMEOUT);
}

/* ---- the initial system thread ------------------------------------------------- */

/* Drivers stay loaded until every thread they started has ended. A driver
 * whose threads wait for something only its DriverUnload does (the stop
 * event of a worker thread) would keep the run going for ever: so when the
 * system goes quiet before the unload (every thread waits without a
 * timeout, nothing is pending, no timer is set) and a driver has an unload
 * routine, nothing can happen any more except that unload, and the run goes
 * on to it. After the unload, a quiet system is a deadlock (simulation). */
static KEVENT HostQuietEvent;
static volatile BOOLEAN HostQuietArmed;

static BOOLEAN HostQuiet(VOID)
{
    /* A driver's work item still queued now will never run: a deadlock.
     * One running and waiting counts as a driver's thread does: the unload
     * may be what it waits for (Io keeps the driver loaded under it, Ex
     * waits for it and reports it). */
    if (ExDriverWorkInFlight() != 0) {
        HostWorkChecked = TRUE;
        if (ExCheckQueuedWorkDeadlock())
            HostStall();
        HostWorkChecked = FALSE;
    }
    if (ScnQuiet())     /* a scenario runs: it is stuck */
        return TRUE;
    if (!__atomic_exchange_n(&HostQuietArmed, FALSE, __ATOMIC_ACQ_REL))
        return FALSE;
    KeSetEvent(&HostQuietEvent, 0, FALSE);
    return TRUE;
}

static BOOLEAN HostAnyUnloadRoutine(HOST_RUN *Run)
{
    for (ULONG i = 0; i < Run->ImageCount; i++)
        if (Run->Images[i].DriverObject != NULL && Run->Images[i].DriverObject->DriverUnload != NULL)
            return TRUE;
    return FALSE;
}

/* With --unload-after, the unload comes at that time instead, whatever the
 * drivers' threads do (a driver whose threads poll with timeouts is never
 * quiet; a driver with only timers and DPCs has no threads to wait for).
 * Otherwise: until the drivers' threads have ended and their work items
 * have run, or the system is quiet. */
static VOID HostWaitForDriverThreads(HOST_RUN *Run, BOOLEAN BeforeUnload)
{
    if (BeforeUnload && Run->Config->UnloadAfterMs != 0) {
        KTIMER UnloadTimer;
        LARGE_INTEGER Due;
        KeInitializeTimer(&UnloadTimer);
        Due.QuadPart = -(LONGLONG)Run->Config->UnloadAfterMs * 10000;
        KeSetTimer(&UnloadTimer, Due, NULL);
        KeWaitForSingleObject(&UnloadTimer, Executive, KernelMode, FALSE, NULL);
        return;
    }
    BOOLEAN Quiet = BeforeUnload && HostAnyUnloadRoutine(Run);
    if (Quiet) {
        KeClearEvent(&HostQuietEvent);
        __atomic_store_n(&HostQuietArmed, TRUE, __ATOMIC_RELEASE);
    }
    for (;;) {
        /* Cleared before the count is read: the last work item's end sets it. */
        KeClearEvent(&ExDriverWorkIdle);
        PVOID Objects[3];
        ULONG Count = 0;
        if (__atomic_load_n(&PsActiveDriverThreads, __ATOMIC_ACQUIRE) != 0)
            Objects[Count++] = &PsDriverThreadsDone;
        if (ExDriverWorkInFlight() != 0)
            Objects[Count++] = &ExDriverWorkIdle;
        if (Count == 0)
            break;
        if (Quiet)
            Objects[Count++] = &HostQuietEvent;
        NTSTATUS Status = KeWaitForMultipleObjects(Count, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
        if (Quiet && Status == (NTSTATUS)(STATUS_WAIT_0 + Count - 1)) {
            RtlpReport("ntps: every thread is waiting and no timer is set: unloading the drivers\n");
            break;
        }
    }
    __atomic_store_n(&HostQuietArmed, FALSE, __ATOMIC_RELEASE);
}

/* `--user`: each program in turn, as a Win32 process, to its end. */
static VOID HostRunUserImages(HOST_RUN *Run)
{
    const NTPS_HOST_CONFIG *Config = Run->Config;
    for (ULONG i = 0; i < Config->UserImageCount; i++) {
        BOOLEAN Last = i + 1 == Config->UserImageCount;
        HANDLE Process;
        if (NtpsUserImageClaimed(Run->UserImages[i]))
            continue;       /* the scenario ran it (its run action) */
        CLIENT_ID Cid;
        /* The program's name first (NULL: its file name), then the arguments after --. */
        int Argc = 1 + (Last ? Config->UserArgc : 0);
        char **Argv = calloc((size_t)Argc + 1, sizeof(char *));
        for (int j = 1; j < Argc && Argv != NULL; j++)
            Argv[j] = Config->UserArgv[j];
        NTSTATUS Status = Argv != NULL ? NtpsStartUserImage(Run->UserImages[i], Argc, Argv, &Process, &Cid)
                                       : STATUS_INSUFFICIENT_RESOURCES;
        free(Argv);
        if (!NT_SUCCESS(Status)) {
            RtlpReport("ntps: cannot start user image %s: status 0x%08x\n", Config->UserImages[i], (unsigned)Status);
            Run->ExitStatus = NTPS_EXIT_LOAD;
            return;
        }
        ZwWaitForSingleObject(Process, FALSE, NULL);
        PEPROCESS Object;
        NTSTATUS Exit = STATUS_UNSUCCESSFUL;
        if (NT_SUCCESS(ObReferenceObjectByHandle(Process, 0, *PsProcessType, KernelMode, (PVOID *)&Object, NULL))) {
            Exit = PsGetProcessExitStatus(Object);
            ObDereferenceObject(Object);
        }
        ZwClose(Process);
        if (!Config->Quiet)
            RtlpReport("ntps: user process %s (PID %lu) exited with status %d (0x%x)\n", Config->UserImages[i],
                       (unsigned long)(ULONG_PTR)Cid.UniqueProcess, (int)Exit, (unsigned)Exit);
    }
}

static VOID HostPhase1(PVOID Context)
{
    HOST_RUN *Run = Context;
    HostRecordCurrentThread();
    /* DriverEntry and DriverUnload run as on a Windows system worker
     * thread: at PASSIVE_LEVEL, outside the critical region every new
     * system thread starts in. */
    KeLeaveCriticalRegion();
    ExInitializeWorkerThreads();
    CmInitializeSystem();
    IoInitializeSystem();
    HostInitializeDriverLoader(Run->Config);    /* NtLoadDriver (a client's StartService) */
    HostStartHostVolume();
    PRTL_MODULE Modules[NTPS_MAX_DRIVERS];
    for (ULONG i = 0; i < Run->ImageCount; i++)
        Modules[i] = Run->Images[i].Module;
    BOOLEAN Registry = HostPrepareRegistry(Run->Config, Modules, Run->ImageCount);
    CmEndBoot();
    if (!Registry)
        Run->ExitStatus = NTPS_EXIT_LOAD;
    if (Run->Config->SnapshotHook != NULL && Registry)
        Run->Config->SnapshotHook(Run->Config->SnapshotContext);
    if (Run->Config->Schedule != NULL && Run->Config->Simulation)
        KiSimBeginSchedule(Run->Config->Schedule);
    for (ULONG i = 0; i < Run->ImageCount && Registry; i++)
        if (!NT_SUCCESS(IoStartDriver(&Run->Images[i])))
            Run->ExitStatus = NTPS_EXIT_LOAD;
    if (Run->Config->Routine != NULL)
        Run->Config->Routine(Run->Config->RoutineContext);
    /* The workload runs to its end with the drivers loaded. */
    if (Run->Config->Scenario != NULL && Run->ExitStatus == NTPS_EXIT_OK)
        Run->ExitStatus = NtpsScenarioRun(Run->Config->Scenario, Run->Config->Quiet);
    if (Run->ExitStatus == NTPS_EXIT_OK)
        HostRunUserImages(Run);
    HostWaitForDriverThreads(Run, TRUE);
    IoUnloadRuntimeDrivers();       /* the ones NtLoadDriver loaded and nobody stopped, newest first */
    for (ULONG i = Run->ImageCount; i-- > 0;)
        IoUnloadDriver(&Run->Images[i]);
    HostWaitForDriverThreads(Run, FALSE);   /* threads DriverUnload started and waited for */
    ULONG Ended = PsTerminateUserProcesses();
    if (Ended != 0 && !Run->Config->Quiet)
        RtlpReport("ntps: %lu user process%s still running at shutdown: ended\n", (unsigned long)Ended,
                   Ended == 1 ? " was" : "es were");
    HostStopHostVolume();
    IoStopSystem();         /* Io's own devices, after every user of them */
    ExShutdownWorkerThreads();
    KeRequestShutdown();
}

/* ---- the run ------------------------------------------------------------------------- */

static ULONGLONG HostElapsedUs(const struct timespec *Started)
{
    struct timespec Now;
    clock_gettime(CLOCK_MONOTONIC, &Now);
    return (ULONGLONG)(Now.tv_sec - Started->tv_sec) * 1000000 + (ULONGLONG)(Now.tv_nsec / 1000) -
           (ULONGLONG)(Started->tv_nsec / 1000);
}

/* Before boot: the record of processes and threads, the trace, the status
 * line, where debug output goes. */
static VOID HostStartView(const NTPS_HOST_CONFIG *Config, PRTL_MODULE *Modules, ULONG ModuleCount)
{
    BOOLEAN Status = Config->StatusLine == NTPS_STATUS_ON ||
                     (Config->StatusLine == NTPS_STATUS_AUTO && isatty(STDERR_FILENO));
    /* A quiet run that keeps nothing (benchmarks, embedders) records nothing. */
    if (!Config->Quiet || Config->Json || Config->RecordPath != NULL || Config->TracePath != NULL || Status)
        HostStartActivity();
    if (Config->TracePath != NULL)
        HostStartTrace(KiConfig.ProcessorCount);
    RtlpDebugOutputFd = Config->Json ? STDERR_FILENO : STDOUT_FILENO;
    if (Status)
        HostStartStatusLine(Modules, ModuleCount);
}

/* After the run, the drivers' images still loaded: --json, --record,
 * --trace. A file that cannot be written fails a run that went well. */
static int HostFinishView(const NTPS_HOST_CONFIG *Config, const HOST_RUN_FACTS *Facts)
{
    int Status = Facts->ExitStatus;
    if (Config->TracePath != NULL) {
        if (!HostWriteTrace(Config->TracePath, Facts->KernelTime)) {
            RtlpReport("ntps: cannot write the trace to %s: check the directory exists and is writable\n",
                       Config->TracePath);
            Status = Status == NTPS_EXIT_OK ? NTPS_EXIT_USAGE : Status;
        }
        HostStopTrace();
    }
    if (Config->RecordPath != NULL && !HostWriteRecord(Config->RecordPath, Facts)) {
        RtlpReport("ntps: cannot write the run record to %s: check the directory exists and is writable\n",
                   Config->RecordPath);
        Status = Status == NTPS_EXIT_OK ? NTPS_EXIT_USAGE : Status;
    }
    if (Config->Json) {
        HOST_RUN_FACTS Final = *Facts;
        Final.ExitStatus = Status;
        HostWriteJsonSummary(stdout, &Final);
    }
    return Status;
}

static VOID HostConfigureKernel(const NTPS_HOST_CONFIG *Config)
{
    memset(&KiConfig, 0, sizeof(KiConfig));
    KiConfig.ProcessorCount = Config->Cpus ? Config->Cpus : HalQueryHostProcessorCount();
    if (KiConfig.ProcessorCount > MAXIMUM_PROCESSORS)
        KiConfig.ProcessorCount = MAXIMUM_PROCESSORS;
    KiConfig.Simulation = Config->Simulation;
    KiConfig.Seed = Config->Seed;
    KiConfig.ClockInterval = 156250;
    KiConfig.Quantum = Config->QuantumMs ? (ULONGLONG)Config->QuantumMs * 10000 : 2 * KiConfig.ClockInterval;
    KiConfig.SimPointCost = 1;
    KiConfig.SimKernelEntryCost = 10;
    KiConfig.SimPreemptMean = Config->NoSimPreempt ? 0 : Config->SimPreemptMean ? Config->SimPreemptMean : 2000;
    KiConfig.SimStepMean = Config->SimStepMean ? Config->SimStepMean : 100;
    KiConfig.KdAttached = Config->Debugger;
    KiKdEnabled = Config->Debugger;
    KiKdNotPresent = !Config->Debugger;
    KiShutdownRequested = FALSE;
    static const VF_LEVEL Levels[] = { VfLevelStandard, VfLevelOff, VfLevelStandard, VfLevelStrict };
    VF_OPTIONS Verifier = {
        .Level = Config->Verifier < RTL_NUMBER_OF(Levels) ? Levels[Config->Verifier] : VfLevelStandard,
        .CallbackBudgetUs = Config->CallbackBudgetUs, .CallbackStackPercent = Config->CallbackStackPercent,
        .ReportPath = Config->ReportPath, .Quiet = Config->Quiet,
    };
    VfInitialize(&Verifier);
    VfInitializeRaces((VF_RACES)Config->Races);
    ExSpecialPoolSetting = Config->SpecialPool;
    ExInjectConfig = Config->Inject;
}

int NtpsHostRun(const NTPS_HOST_CONFIG *Config)
{
    HOST_RUN *Run = calloc(1, sizeof(*Run));
    if (Run == NULL)
        return NTPS_EXIT_INTERNAL;
    Run->Config = Config;
    HostCurrentRun = Run;
    for (ULONG i = 0; i < Config->DriverCount; i++) {
        char Error[512];
        if (!HostLoadImage(Config->Drivers[i], &Run->Images[Run->ImageCount], Error, sizeof(Error))) {
            fprintf(stderr, "ntps: cannot load driver %s: %s\n", Config->Drivers[i], Error);
            for (ULONG j = 0; j < Run->ImageCount; j++)
                HostUnloadImage(&Run->Images[j]);
            free(Run);
            return NTPS_EXIT_LOAD;
        }
        Run->ImageCount++;
    }
    for (ULONG i = 0; i < Config->UserImageCount; i++) {
        char Error[512];
        if (!NtpsLoadUserImage(Config->UserImages[i], &Run->UserImages[i], Error, sizeof(Error))) {
            fprintf(stderr, "ntps: cannot load user image %s: %s\n", Config->UserImages[i], Error);
            for (ULONG j = 0; j < i; j++)
                NtpsUnloadUserImage(Run->UserImages[j]);
            for (ULONG j = 0; j < Run->ImageCount; j++)
                HostUnloadImage(&Run->Images[j]);
            free(Run);
            return NTPS_EXIT_LOAD;
        }
    }
    HostConfigureKernel(Config);
    KiBugCheckHooks.Exit = HostEndRun;
    KiStallHook = HostStall;
    VfDeadlockEndRun = HostDeadlock;
    VfInitializeLockChecks();
    KiQuietHook = HostQuiet;
    HostQuietArmed = FALSE;
    KeInitializeEvent(&HostQuietEvent, NotificationEvent, FALSE);
    PRTL_MODULE Modules[NTPS_MAX_DRIVERS];
    for (ULONG i = 0; i < Run->ImageCount; i++)
        Modules[i] = Run->Images[i].Module;
    HostStartView(Config, Modules, Run->ImageCount);
    /* after the view: the watchdog reports where the view says output goes */
    pthread_t Watchdog;
    if (Config->TimeoutSeconds != 0)
        pthread_create(&Watchdog, NULL, HostWatchdog, (void *)Config);
    struct timespec Started;
    clock_gettime(CLOCK_MONOTONIC, &Started);

    PS_BOOT_PARAMETERS Boot = { HostPhase1, Run };
    PsBootSystem(&Boot);

    /* Strict mode fails a run that would otherwise have succeeded. */
    if (Run->ExitStatus == NTPS_EXIT_OK && VfLevel == VfLevelStrict && VfViolationCount() != 0)
        Run->ExitStatus = NTPS_EXIT_VERIFIER;
    if (Run->ExitStatus == NTPS_EXIT_OK && VfRacesStrict && VfRaceCount() != 0)
        Run->ExitStatus = NTPS_EXIT_RACE;
    HOST_RUN_FACTS Facts = { Run->ExitStatus, Config->Simulation, KiConfig.ProcessorCount, Config->Seed, 0,
                             KiQueryInterruptTime(), Modules, Run->ImageCount, Config->TreeChildren };
    Facts.ElapsedUs = HostElapsedUs(&Started);
    HostStopStatusLine();
    if (!Config->Quiet && !Config->Json)
        HostPrintSummary(&Facts);
    VfFinishRun(Run->ExitStatus);      /* while the drivers' images can still be described */
    Run->ExitStatus = HostFinishView(Config, &Facts);
    if (Config->ExitAfterRun) {
        fflush(NULL);
        if (Config->RunEndHook != NULL)
            Config->RunEndHook(Run->ExitStatus, Config->SnapshotContext);
        _exit(Run->ExitStatus);        /* a forked schedule: nothing to tear down */
    }
    if (Config->Simulation && !Config->Quiet)
        RtlpReport("ntps: simulation seed %llu: trace 0x%016llx, %llu events, virtual time %llu.%03llu ms\n",
                (unsigned long long)Config->Seed, (unsigned long long)KiSimTraceHash(),
                (unsigned long long)KiSimTraceEvents(), (unsigned long long)KiSimNow() / 10000,
                (unsigned long long)(KiSimNow() % 10000) / 10);
    HostFreeActivity();
    RtlpDebugOutputFd = STDOUT_FILENO;
    CmShutdownSystem();     /* every handle table is closed: no key is open */
    IoShutdownSystem();
    PsShutdownSystem();
    IoFreeRuntimeImages();
    for (ULONG i = 0; i < Run->ImageCount; i++)
        HostUnloadImage(&Run->Images[i]);
    for (ULONG i = 0; i < Config->UserImageCount; i++)
        NtpsUnloadUserImage(Run->UserImages[i]);
    if (Config->TimeoutSeconds != 0) {
        pthread_cancel(Watchdog);
        pthread_join(Watchdog, NULL);
    }
    int Status = Run->ExitStatus;
    HostCurrentRun = NULL;
    free(Run);
    return Status;
}
