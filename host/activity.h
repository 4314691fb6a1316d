/*
 * host/activity.h - the host's record of a run: every process and thread
 * created (ended ones included), kept through the routines the host
 * registers with Ps (PsActivityHooks), and what is made of it at the end:
 * the summary (process tree, callback counts), `--json`, `--record FILE`,
 * the live status line and the trace (host/trace.c).
 */
#ifndef NTPS_HOST_ACTIVITY_H
#define NTPS_HOST_ACTIVITY_H

#include "host/host.h"
#include "ps/ps.h"

#include <stdio.h>

#define HOST_NO_RECORD 0xFFFFFFFFu

typedef struct _HOST_PROCESS_RECORD {
    ULONG Pid, ParentPid;
    ULONG Parent;                   /* the parent's record (alive at creation), or HOST_NO_RECORD */
    ULONG Subsystem;                /* SUBSYSTEM_INFORMATION_TYPE */
    BOOLEAN Ended;
    BOOLEAN System;                 /* the System process */
    NTSTATUS ExitStatus;
    ULONG Threads;                  /* created in it */
    ULONG LiveThreads;
    ULONGLONG CreateTime, ExitTime; /* 100 ns since boot (virtual in simulation) */
    CHAR Image[16];                 /* EPROCESS.ImageFileName */
    char *Path;                     /* the image path, UTF-8 (non-ASCII as '?') */
} HOST_PROCESS_RECORD;

typedef struct _HOST_THREAD_RECORD {
    ULONG Tid;
    ULONG Process;                  /* its process's record */
    BOOLEAN Ended;
    BOOLEAN System;                 /* a system thread (kernel only) */
    NTSTATUS ExitStatus;
    ULONGLONG CreateTime, ExitTime;
} HOST_THREAD_RECORD;

typedef struct _HOST_ACTIVITY {
    HOST_PROCESS_RECORD *Processes;
    ULONG ProcessCount, ProcessCapacity;
    HOST_THREAD_RECORD *Threads;
    ULONG ThreadCount, ThreadCapacity;
    ULONG *LiveByPid;               /* record index + 1 by PID / 4, 0: none */
    ULONG LiveByPidSize;
    volatile ULONG LiveProcesses, LiveThreads;
} HOST_ACTIVITY;

extern HOST_ACTIVITY HostActivity;

/* Before boot: start recording (clears the previous run's records). */
VOID HostStartActivity(VOID);
/* First thing on the initial system thread: record it too. */
VOID HostRecordCurrentThread(VOID);
/* After the run: free the records. */
VOID HostFreeActivity(VOID);

/* The end of a run: what the user sees. Modules: the drivers' images. */
typedef struct _HOST_RUN_FACTS {
    int ExitStatus;
    BOOLEAN Simulation;
    ULONG Cpus;
    ULONGLONG Seed;
    ULONGLONG ElapsedUs;            /* host time */
    ULONGLONG KernelTime;           /* 100 ns since boot at the end (virtual in simulation) */
    PRTL_MODULE const *Modules;
    ULONG ModuleCount;
    ULONG TreeChildren;             /* children shown per node before "... and K more" */
} HOST_RUN_FACTS;

VOID HostPrintSummary(const HOST_RUN_FACTS *Facts);
VOID HostWriteJsonSummary(FILE *Out, const HOST_RUN_FACTS *Facts);
BOOLEAN HostWriteRecord(const char *Path, const HOST_RUN_FACTS *Facts);
/* A JSON string (quoted, escaped). */
VOID HostJsonString(FILE *Out, const char *Text);

/* The live status line (host/status.c): started when stderr is a
 * terminal (or Force), stopped and erased at the end. */
VOID HostStartStatusLine(PRTL_MODULE const *Modules, ULONG ModuleCount);
VOID HostStopStatusLine(VOID);
ULONG64 HostCallbackTotal(PRTL_MODULE const *Modules, ULONG ModuleCount);

/* The trace (host/trace.c, tracewrite.c): Start before boot, Write after the run while
 * the drivers' images are still loaded. */
BOOLEAN HostStartTrace(ULONG Cpus);
BOOLEAN HostWriteTrace(const char *Path, ULONGLONG EndTime);
VOID HostStopTrace(VOID);
/* A process record begins (Created) or ends: its lifetime in the trace. */
extern volatile BOOLEAN HostTracing;
VOID HostTraceProcessEvent(ULONG Record, BOOLEAN Created);
static inline VOID HostTraceProcess(ULONG Record, BOOLEAN Created)
{
    if (__builtin_expect(HostTracing, 0))
        HostTraceProcessEvent(Record, Created);
}

#endif /* NTPS_HOST_ACTIVITY_H */
