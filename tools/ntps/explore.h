/*
 * tools/ntps/explore.h - `ntps explore` (docs/explore.md): many simulated
 * schedules of the same drivers, forked from one booted kernel.
 */
#ifndef NTPS_EXPLORE_H
#define NTPS_EXPLORE_H

#include "host/host.h"

#include <stddef.h>

/* `ntps run` with its options parsed into a config; Runner (if given)
 * runs instead of NtpsHostRun (tools/ntps/main.c). */
typedef int (*NTPS_RUNNER)(NTPS_HOST_CONFIG *Config, void *Context);
int NtpsRunMainEx(int argc, char **argv, NTPS_RUNNER Runner, void *Context);

/* Schedules as text (tools/ntps/schedule.c). */
int NtpsParseSchedule(const char *Text, KI_SIM_SCHEDULE *Schedule, KI_SIM_DECISION **Storage, char *Error,
                      size_t ErrorSize);
char *NtpsFormatList(const KI_SIM_DECISION *List, ULONG Count);

int NtpsExploreMain(int argc, char **argv);

/* One finding, for the report. */
typedef struct _NTPS_FINDING {
    int Status;                     /* the exit status `ntps run` gives it */
    ULONG BugCheckCode;
    BOOLEAN BugChecked;
    char *Schedule;                 /* list:... */
    char *Replay;                   /* the whole `ntps run ...` line */
    ULONG Preemptions;
    unsigned long long FoundAfter;  /* schedules run when it was found */
    char *Output;                   /* what the replay printed (its report, backtrace) */
} NTPS_FINDING;

/* What a search covered, for the report and --merge (tools/ntps/explore_report.c). */
typedef struct _NTPS_EXPLORE_SUMMARY {
    const char *Strategy;
    char Shard[32];
    unsigned long long SchedulesRun;
    unsigned long long Points, Decisions, Preemptions;
    double Seconds;
    int Exhausted;
    unsigned long long FailedSchedules;     /* schedules that ended in a finding (of any kind, shrunk or not) */
    unsigned long long WorkerBoots, Forks;  /* workers forked from the snapshot; schedules run in a fork of their own */
    int RestoreMask;                /* 1 << EXP_RESTORE_*: how workers put their memory back (copy, wp-async) */
    unsigned long long *Keys;       /* distinct schedules (hashes of their decision lists) */
    size_t KeyCount;
    char **Sites;                   /* distinct preemption sites, described */
    size_t SiteCount;
    char **Races;                   /* data race reports seen on the way (--races) */
    size_t RaceCount;
    NTPS_FINDING *Findings;
    size_t FindingCount;
} NTPS_EXPLORE_SUMMARY;

int NtpsWriteExploreReport(const char *Path, const NTPS_EXPLORE_SUMMARY *Summary);
int NtpsExploreMerge(int argc, char **argv);
int NtpsAddString(char ***Array, size_t *Count, const char *Text);     /* once each; 0: no memory */
void NtpsJsonString(FILE *File, const char *Text);

#endif
