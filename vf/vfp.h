/*
 * vf/vfp.h - what the verifier's files share among themselves.
 */
#ifndef NTPS_VFP_H
#define NTPS_VFP_H

#include "vf/vf.h"

/* Per callback routine, for the summary and the sampling decisions. */
typedef struct _VF_ROUTINE {
    PVOID volatile Routine;             /* NULL: a free slot */
    volatile ULONG Kind;                /* VF_CALLBACK_KIND of its first call */
    volatile LONG64 Calls;
    volatile ULONG64 MaxRunTime;        /* 100 ns */
    volatile ULONG64 MaxStack;          /* bytes */
    volatile LONG64 StackMeasured;      /* calls whose stack use was measured exactly */
    volatile LONG CpuCalls;             /* realtime: calls still to time in thread CPU time */
} VF_ROUTINE;

#define VF_ROUTINES 1024

/* Options (vf/report.c). */
extern ULONGLONG VfCallbackBudget;      /* 100 ns */
extern ULONG VfStackPercent;

/* vf/callback.c */
VOID VfInitializeCallbacks(VOID);
VF_ROUTINE *VfRoutineAt(ULONG Index);   /* NULL past the end or a free slot */
VOID VfDescribeCallbacks(PKTHREAD Thread, PCHAR Buffer, SIZE_T Size);
BOOLEAN VfPauseCallbackClock(VOID);    /* the verifier's own work is not the callback's time */
VOID VfResumeCallbackClock(BOOLEAN Paused);

/* vf/pool.c */
VOID VfInitializePool(VOID);

/* vf/rules.c */
VOID VfInitializeRules(VOID);

/* vf/report.c: each site's first occurrence, for the JSON report */
#define VF_BACKTRACE 16
#define VF_MAX_SITES 256
typedef struct _VF_SITE {
    CHAR Rule[48];
    PVOID Caller;
    volatile LONG Count;
    volatile BOOLEAN Ready;             /* the fields below are filled in */
    CHAR Message[384];
    CHAR Driver[64];                    /* the driver's module name, or "" */
    CHAR Where[160];                    /* the caller as module!function+offset */
    CHAR Routine[160];                  /* the callback routine running, or "" */
    LONG Kind;                          /* its VF_CALLBACK_KIND, or -1 */
    ULONG_PTR ProcessId, ThreadId;
    CHAR Process[16];
    ULONG FrameCount;
    CHAR Frames[VF_BACKTRACE][128];
} VF_SITE;
VF_SITE *VfSiteAt(ULONG Index);
LONG VfDroppedReports(VOID);

/* vf/json.c */
VOID VfWriteJsonReport(PCSTR Path, int ExitStatus, ULONG BugCheck, const ULONG_PTR *Parameters, PCSTR BugCheckName);

/* vf/racereport.c: --quiet (no race summary line when there is none) */
extern BOOLEAN VfRaceQuiet;

/* JSON needs the level and options as given. */
PCSTR VfLevelName(VF_LEVEL Level);

#endif /* NTPS_VFP_H */
