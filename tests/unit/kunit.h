/*
 * tests/unit/kunit.h - helpers for unit tests that run C code inside a
 * booted kernel (NtpsHostRun with a Routine): the configurations to run
 * in, system threads created with the kernel's internal routines (so a
 * test may suspend one before it starts), a second process to attach to,
 * polling for a condition, and bug checks expected in a child process.
 *
 * CHECKs (unittest.h) are made on the routine's own thread only; other
 * threads leave what they saw in variables read with atomics.
 */
#ifndef NTPS_KUNIT_H
#define NTPS_KUNIT_H

#include "host/host.h"
#include "ps/ps.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unittest.h"

NTSTATUS KiSuspendThread(PKTHREAD Thread, PULONG PreviousCount);

#define KU_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define KU_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define KU_INC(p) __atomic_add_fetch((p), 1, __ATOMIC_ACQ_REL)

typedef struct _KU_MODE {
    const char *Name;
    ULONG Cpus;
    BOOLEAN Simulation;
    ULONGLONG Seed;
} KU_MODE;

static const KU_MODE KuModes[] = {
    { "rt1", 1, FALSE, 0 }, { "rt2", 2, FALSE, 0 },
    { "sim1", 1, TRUE, 1 }, { "sim2", 2, TRUE, 1 }, { "sim2@7", 2, TRUE, 7 },
};

static const KU_MODE *KuMode;

static inline int KuRun(const KU_MODE *Mode, VOID (*Routine)(PVOID), PVOID Context)
{
    NTPS_HOST_CONFIG Config;
    memset(&Config, 0, sizeof(Config));
    Config.Cpus = Mode->Cpus;
    Config.Simulation = Mode->Simulation;
    Config.Seed = Mode->Seed;
    Config.Quiet = TRUE;
    Config.TimeoutSeconds = 60;
    Config.Routine = Routine;
    Config.RoutineContext = Context;
    KuMode = Mode;
    return NtpsHostRun(&Config);
}

/* Routine in every mode; a run that does not end well is a failure. */
static inline VOID KuRunAllModes(VOID (*Routine)(PVOID))
{
    for (size_t i = 0; i < sizeof(KuModes) / sizeof(KuModes[0]); i++) {
        int Failed = UtFailed;
        int Status = KuRun(&KuModes[i], Routine, NULL);
        CHECK_EQ(Status, 0);
        printf("%-7s %s\n", KuModes[i].Name, UtFailed == Failed ? "ok" : "FAILED");
        fflush(stdout);
    }
}

static inline VOID KuSleep(ULONG Ms)
{
    LARGE_INTEGER Interval;
    Interval.QuadPart = -(LONGLONG)Ms * 10000;
    KeDelayExecutionThread(KernelMode, FALSE, &Interval);
}

/* Poll Condition(Context) every millisecond for up to 10 s. */
static inline BOOLEAN KuWaitFor(BOOLEAN (*Condition)(PVOID), PVOID Context)
{
    for (int i = 0; i < 10000; i++) {
        if (Condition(Context))
            return TRUE;
        KuSleep(1);
    }
    return FALSE;
}

/* A system thread in the System process, started after Suspends calls of
 * KiSuspendThread. The caller holds a reference: KuJoin drops it. */
static inline PKTHREAD KuCreateThread(PKSTART_ROUTINE Routine, PVOID Context, ULONG Suspends)
{
    ETHREAD *Thread;
    NTSTATUS Status = PspCreateThread(PspProcess(PsInitialSystemProcess), Routine, Context, FALSE, NULL, &Thread);
    CHECK(NT_SUCCESS(Status));
    if (!NT_SUCCESS(Status))
        exit(1);
    ObfReferenceObject(Thread);
    for (ULONG i = 0; i < Suspends; i++) {
        ULONG Previous = 99;
        CHECK_EQ(KiSuspendThread(&Thread->Tcb, &Previous), STATUS_SUCCESS);
        CHECK_EQ(Previous, i);
    }
    KeStartThread(&Thread->Tcb);
    return &Thread->Tcb;
}

static inline VOID KuJoin(PKTHREAD Thread)
{
    CHECK_EQ(KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    ObfDereferenceObject(Thread);
}

/* Thread state read under the dispatcher lock. */
static inline BOOLEAN KuIsWaiting(PKTHREAD Thread, KWAIT_REASON Reason)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    BOOLEAN Result = Thread->State == Waiting && Thread->WaitReason == Reason;
    KiReleaseDispatcherLock(OldIrql);
    return Result;
}

static inline BOOLEAN KuIsSuspended(PVOID Thread)
{
    return KuIsWaiting(Thread, Suspended);
}

/* A bare process to attach to: a process object that is in no list, has
 * no threads, no ID and no handle table. ObfDereferenceObject ends it. */
static inline PKPROCESS KuCreateProcess(PCSTR Name)
{
    EPROCESS *Process;
    NTSTATUS Status = ObCreateObject(ObpProcessType, sizeof(EPROCESS), (PVOID *)&Process);
    CHECK(NT_SUCCESS(Status));
    if (!NT_SUCCESS(Status))
        exit(1);
    KeInitializeProcess(&Process->Pcb, KI_SYSTEM_PROCESS_PRIORITY, KeActiveProcessors);
    InitializeListHead(&Process->ThreadListHead);
    strncpy(Process->ImageFileName, Name, sizeof(Process->ImageFileName) - 1);
    Process->ExitStatus = STATUS_PENDING;
    return &Process->Pcb;
}

/* Run Routine in a kernel booted in a child process and expect a bug check:
 * exit status 3 and a report that contains each of the Expected strings
 * (up to 4); KU_SHOW_REPORTS=1 prints it. The caller must not have started
 * threads of its own. */
static inline VOID KuExpectBugCheck(const char *Name, VOID (*Routine)(PVOID), const char *const Expected[4])
{
    int Pipe[2];
    if (pipe(Pipe) != 0)
        exit(1);
    fflush(stdout);
    fflush(stderr);
    pid_t Child = fork();
    if (Child == 0) {
        close(Pipe[0]);
        dup2(Pipe[1], 1);
        dup2(Pipe[1], 2);
        KU_MODE Mode = { Name, 2, FALSE, 0 };
        _exit(KuRun(&Mode, Routine, NULL) == 0 ? 0 : 1);    /* returns only without a bug check */
    }
    close(Pipe[1]);
    static char Report[65536];
    size_t Length = 0;
    ssize_t Got;
    while ((Got = read(Pipe[0], Report + Length, sizeof(Report) - 1 - Length)) > 0)
        Length += (size_t)Got;
    Report[Length] = 0;
    close(Pipe[0]);
    int Status = 0;
    waitpid(Child, &Status, 0);
    int Failed = UtFailed;
    CHECK(WIFEXITED(Status) && WEXITSTATUS(Status) == NTPS_EXIT_BUGCHECK);
    for (int i = 0; i < 4 && Expected[i] != NULL; i++)
        if (strstr(Report, Expected[i]) == NULL) {
            fprintf(stderr, "%s: the report lacks \"%s\"\n", Name, Expected[i]);
            CHECK(!"expected text in the bug check report");
        }
    if (UtFailed != Failed || getenv("KU_SHOW_REPORTS") != NULL)
        fprintf(stderr, "---- %s: exit status 0x%x, output:\n%s----\n", Name, Status, Report);
    printf("%-28s %s\n", Name, UtFailed == Failed ? "ok" : "FAILED");
}

#endif
