/*
 * host/host.h - the embedding side of ntps: configuration, loading driver
 * images into the process, and running the kernel with them.
 */
#ifndef NTPS_HOST_H
#define NTPS_HOST_H

#include "io/io.h"
#include "cm/cm.h"
#include "host/scenario.h"

#define NTPS_MAX_DRIVERS 32
#define NTPS_MAX_USER_IMAGES 8

/* Exit statuses of a run. */
#define NTPS_EXIT_OK 0
#define NTPS_EXIT_USAGE 1
#define NTPS_EXIT_LOAD 2
#define NTPS_EXIT_BUGCHECK 3
#define NTPS_EXIT_TIMEOUT 4
#define NTPS_EXIT_STALL 5
#define NTPS_EXIT_VERIFIER 6        /* --verifier=strict and a rule was reported */
#define NTPS_EXIT_INJECT 7          /* --inject=each: a failed call site was not survived */
#define NTPS_EXIT_SCENARIO 8        /* a scenario's action or expectation failed (docs/scenarios.md) */
#define NTPS_EXIT_RACE 9            /* --races=strict and a data race was reported */

/* NTPS_HOST_CONFIG.Races (the values of VF_RACES) */
#define NTPS_RACES_OFF 0
#define NTPS_RACES_ON 1
#define NTPS_RACES_STRICT 2
#define NTPS_EXIT_INTERNAL 70

/* A registry value set before DriverEntry (`ntps run --reg KEY\VALUE=TYPE:DATA`). */
typedef struct _NTPS_HOST_REG_VALUE {
    const char *Spec;               /* as given, for messages */
    BOOLEAN Relative;               /* KEY is below a driver's service key */
    ULONG Driver;                   /* which driver's (Relative) */
    PWCH Key;                       /* NUL-terminated: relative, or \Registry\... */
    PWCH Name;                      /* NUL-terminated; empty: the key's default value */
    ULONG Type;
    PUCHAR Data;
    ULONG Length;
} NTPS_HOST_REG_VALUE;

/* Parse one --reg argument; FALSE with a message in Error (what is wrong,
 * and where) for bad syntax. NtpsFreeRegistryValue releases it. */
BOOLEAN NtpsParseRegistryValue(const char *Spec, ULONG Driver, NTPS_HOST_REG_VALUE *Value, char *Error,
                               size_t ErrorSize);
VOID NtpsFreeRegistryValue(NTPS_HOST_REG_VALUE *Value);

typedef struct _NTPS_HOST_CONFIG {
    ULONG Cpus;                     /* 0: the host's processor count */
    BOOLEAN Simulation;
    ULONGLONG Seed;
    ULONG QuantumMs;                /* 0: default (2 clock intervals) */
    ULONG TimeoutSeconds;           /* 0: none */
    ULONG UnloadAfterMs;            /* 0: when the drivers' threads end or the system is quiet */
    ULONG SimPreemptMean;           /* 0: default */
    ULONG SimStepMean;              /* 0: default */
    BOOLEAN NoSimPreempt;           /* switch off seeded early quantum ends */
    BOOLEAN Quiet;                  /* no summary lines */
    BOOLEAN Debugger;               /* --debugger: breakpoints are reported and continued */
    UCHAR Verifier;                 /* NTPS_VERIFIER_*; 0: standard */
    ULONG CallbackBudgetUs;         /* 0: the verifier's default */
    ULONG CallbackStackPercent;     /* 0: the verifier's default */
    const char *ReportPath;         /* the verifier's JSON report, or NULL */
    UCHAR SpecialPool;              /* EX_SPECIAL_POOL_*: default with the verifier */
    EX_INJECT_CONFIG Inject;        /* fault injection (Mode 0: none) */
    UCHAR Races;                    /* NTPS_RACES_*: the data-race detector (--races) */
    const char *Drivers[NTPS_MAX_DRIVERS];
    ULONG DriverCount;
    NTPS_HOST_REG_VALUE *RegistryValues;    /* set in this order before the first DriverEntry */
    ULONG RegistryValueCount;
    /* What the user sees (host/summary.c, host/status.c, host/trace.c). */
    const char *RecordPath;         /* --record: the run record, or NULL */
    const char *TracePath;          /* --trace: Chrome trace event JSON, or NULL */
    BOOLEAN Json;                   /* --json: the summary as JSON on stdout, debug output on stderr */
    UCHAR StatusLine;               /* NTPS_STATUS_*: the live line on stderr */
    ULONG TreeChildren;             /* children shown per process in the tree (0: 8) */
    /* The workload, run after the drivers' DriverEntry and before their
     * unload (NULL: none). The caller loads and frees it. */
    const NTPS_SCENARIO *Scenario;
    /* `--user IMAGE [-- ARGS]`: Win32 console programs built with `ntps cc
     * --user`, started in this order as user processes after the drivers'
     * DriverEntry, each waited for before the next; ARGS are the last one's. */
    const char *UserImages[NTPS_MAX_USER_IMAGES];
    ULONG UserImageCount;
    int UserArgc;
    char **UserArgv;
    /* Exploration (docs/explore.md): SnapshotHook runs once the kernel has
     * booted and the registry is set, just before the first DriverEntry
     * (`ntps explore` forks its schedules there); then, with a Schedule,
     * the simulation's choices follow it from that point on. */
    VOID (*SnapshotHook)(PVOID Context);
    PVOID SnapshotContext;
    const KI_SIM_SCHEDULE *Schedule;
    BOOLEAN ExitAfterRun;           /* _exit with the status once the run is reported (explore's children) */
    /* With ExitAfterRun: called with the status instead of _exit, with
     * SnapshotContext (an explore worker puts its memory back); does not return. */
    VOID (*RunEndHook)(int Status, PVOID Context);
    /* For C tests: run this on a system thread instead of (after) drivers. */
    VOID (*Routine)(PVOID Context);
    PVOID RoutineContext;
} NTPS_HOST_CONFIG;

#define NTPS_STATUS_AUTO 0          /* when stderr is a terminal */
#define NTPS_STATUS_OFF 1
#define NTPS_STATUS_ON 2

#define NTPS_VERIFIER_DEFAULT 0
#define NTPS_VERIFIER_OFF 1
#define NTPS_VERIFIER_STANDARD 2
#define NTPS_VERIFIER_STRICT 3

/* Run a scenario on the current (system) thread, to its end; the exit
 * status (0, NTPS_EXIT_SCENARIO, or NTPS_EXIT_STALL when it was stuck). */
int NtpsScenarioRun(const NTPS_SCENARIO *Scenario, BOOLEAN Quiet);
/* The host's quiet hook, while a scenario runs: TRUE, it is stuck. */
BOOLEAN ScnQuiet(VOID);
/* ---- user images: Win32 console programs built with `ntps cc --user` (host/user.c) ----
 * Load on the host thread before the kernel boots (the dynamic loader needs
 * a large stack); start from a kernel thread at PASSIVE_LEVEL, any number
 * of times: each start is a new Win32 process whose initial thread runs
 * the program's main or wmain with Argv (Argv[0] is the program's name:
 * NULL, its file name) and whose exit status is main's return value;
 * unload after the kernel has shut down. For the scenario engine's
 * "run image" action as for `ntps run --user`. */
typedef struct _NTPS_USER_IMAGE NTPS_USER_IMAGE;
BOOLEAN NtpsLoadUserImage(const char *Path, NTPS_USER_IMAGE **Image, char *Error, size_t ErrorSize);
NTSTATUS NtpsStartUserImage(NTPS_USER_IMAGE *Image, int Argc, char *const *Argv, PHANDLE ProcessHandle,
                            PCLIENT_ID ClientId);
VOID NtpsUnloadUserImage(NTPS_USER_IMAGE *Image);
/* A loaded image by its file name (client.exe.so) or program name
 * (client.exe), without regard to case; NULL. With Claim, the scenario
 * runs it: `ntps run --user` does not run it again after the scenario. */
NTPS_USER_IMAGE *NtpsFindUserImage(const char *Name, BOOLEAN Claim);
BOOLEAN NtpsUserImageClaimed(NTPS_USER_IMAGE *Image);

/* Boot, load and run the drivers, unload them, shut down. Returns the exit status. */
int NtpsHostRun(const NTPS_HOST_CONFIG *Config);

#endif /* NTPS_HOST_H */
