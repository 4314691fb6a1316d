/*
 * host/host.h - the embedding side of ntps: configuration, loading driver
 * images into the process, and running the kernel with them.
 */
#ifndef NTPS_HOST_H
#define NTPS_HOST_H

#include "io/io.h"

#define NTPS_MAX_DRIVERS 32

/* Exit statuses of a run. */
#define NTPS_EXIT_OK 0
#define NTPS_EXIT_USAGE 1
#define NTPS_EXIT_LOAD 2
#define NTPS_EXIT_BUGCHECK 3
#define NTPS_EXIT_TIMEOUT 4
#define NTPS_EXIT_STALL 5
#define NTPS_EXIT_INJECT 6       /* --inject=each: a failed call site was not survived */
#define NTPS_EXIT_INTERNAL 70

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
    UCHAR SpecialPool;              /* EX_SPECIAL_POOL_*: default with the verifier */
    EX_INJECT_CONFIG Inject;        /* fault injection (Mode 0: none) */
    const char *Drivers[NTPS_MAX_DRIVERS];
    ULONG DriverCount;
    /* For C tests: run this on a system thread instead of (after) drivers. */
    VOID (*Routine)(PVOID Context);
    PVOID RoutineContext;
} NTPS_HOST_CONFIG;

/* Boot, load and run the drivers, unload them, shut down. Returns the exit status. */
int NtpsHostRun(const NTPS_HOST_CONFIG *Config);

#endif /* NTPS_HOST_H */
