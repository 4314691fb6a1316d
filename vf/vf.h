/*
 * vf/vf.h - the verifier's interface to the rest of the kernel.
 *
 * Two kinds of findings:
 *  - Driver Verifier's checks (special pool, IRQL, reference counts, bad
 *    arguments): the documented bug check, raised where the DDI is called,
 *    as Windows raises it (KeBugCheckEx / KiBugCheckExplain);
 *  - the WDK's callback rules and ntps's own (a blocking wait or a registry
 *    call in a notify routine, a callback over its time or stack budget, a
 *    lock-order inversion, waiting on queued work): a report through
 *    VfReport, which names the rule, the driver, the callback being run,
 *    the thread and process and a backtrace, counts it for the summary at
 *    the end of the run, and goes on (strict mode makes the run's exit
 *    status non-zero).
 * docs/verifier.md describes every rule, the options and the JSON report.
 *
 * Layering: vf calls ke and rtl only (it describes threads through the
 * routines Ps registered with Ke for bug check reports). ex, ob, ps, io and
 * cm call it; ke calls it only through hooks vf registers (KiVerifierHooks,
 * KiBugCheckHooks).
 */
#ifndef NTPS_VF_H
#define NTPS_VF_H

#include "ke/ke.h"
#include "rtl/rtl.h"

typedef enum _VF_LEVEL {
    VfLevelOff,         /* --verifier=off: documented bug checks only */
    VfLevelStandard,    /* the default: every rule, reports do not change the exit status */
    VfLevelStrict       /* every rule on every call, and a report makes the exit status non-zero */
} VF_LEVEL;

extern VF_LEVEL VfLevel;   /* set by the host before boot (VfInitialize) */

#define VF_DEFAULT_CALLBACK_BUDGET_MS 5
#define VF_DEFAULT_CALLBACK_STACK_PERCENT 50

typedef struct _VF_OPTIONS {
    VF_LEVEL Level;
    ULONG CallbackBudgetUs;         /* 0: VF_DEFAULT_CALLBACK_BUDGET_MS */
    ULONG CallbackStackPercent;     /* 0: VF_DEFAULT_CALLBACK_STACK_PERCENT */
    PCSTR ReportPath;               /* the JSON report, or NULL */
    BOOLEAN Quiet;                  /* no summary when no rule was broken */
} VF_OPTIONS;

/* Before boot: the options, and the hooks vf registers with Ke. */
VOID VfInitialize(const VF_OPTIONS *Options);
/* The end of a run (also a stall or a timeout): the summary and the JSON
 * report, which records ExitStatus. Called once. */
VOID VfFinishRun(int ExitStatus);

/* ---- callbacks being run ---------------------------------------------------------------------- */

typedef enum _VF_CALLBACK_KIND {
    VfCallbackProcessNotify,
    VfCallbackThreadNotify,
    VfCallbackImageNotify,
    VfCallbackObjectPreOperation,
    VfCallbackObjectPostOperation,
    VfCallbackWorkItem,
    VfCallbackRegistry,             /* a registry callback (CmRegisterCallbackEx): stack only, as work items */
    VfCallbackKinds
} VF_CALLBACK_KIND;
_Static_assert(VfCallbackKinds <= RTL_MODULE_CALLBACK_KINDS, "RTL_MODULE.CallbackCalls counts each kind");

/* The kinds the WDK's callback rules apply to (no blocking, no user-mode
 * services...): the notify routines and the object callbacks. */
#define VF_RULE_KINDS ((1u << VfCallbackProcessNotify) | (1u << VfCallbackThreadNotify) | \
                       (1u << VfCallbackImageNotify) | (1u << VfCallbackObjectPreOperation) | \
                       (1u << VfCallbackObjectPostOperation))

struct _VF_ROUTINE;

/* On the dispatcher's stack for as long as a driver's callback runs on the
 * current thread; callbacks nest (a process notify routine that creates a
 * thread sees the thread notify routines run inside it). */
typedef struct _VF_CALLBACK_FRAME {
    struct _VF_CALLBACK_FRAME *Next;    /* the callback this one runs inside, if any */
    VF_CALLBACK_KIND Kind;
    PVOID Routine;                      /* the driver's routine */
    PVOID Registration;                 /* the dispatcher's registration (ps: self-removal), or NULL */
    PKTHREAD QueuedBy;                  /* a work item: the thread that queued it */
    /* the verifier's measurements (vf/callback.c) */
    struct _VF_ROUTINE *Stats;          /* per-routine figures, or NULL */
    PVOID StackAtEntry;
    ULONG_PTR Deepest;                  /* lowest stack address used so far (measured calls) */
    ULONG_PTR BandTop;                  /* the threshold band's top word, or 0 */
    ULONGLONG RunTime;                  /* 100 ns of thread time so far, RunStart excluded */
    ULONGLONG RunStart;                 /* clock reading where the running stretch began */
    UCHAR Flags;                        /* VF_FRAME_* (vf/callback.c) */
} VF_CALLBACK_FRAME;

/* Around each call of a driver's callback routine (notify dispatch, object
 * callbacks, work items). Cheap when the verifier is off. */
VOID VfEnterCallback(VF_CALLBACK_FRAME *Frame, VF_CALLBACK_KIND Kind, PVOID Routine);
VOID VfLeaveCallback(VF_CALLBACK_FRAME *Frame);
/* Registered by the host while it records a trace: a callback frame begins
 * (Enter TRUE, once linked) or ends (FALSE, still linked) on the current
 * thread. NULL: not tracing. */
extern VOID (*VfTraceCallbackHook)(VF_CALLBACK_FRAME *Frame, BOOLEAN Enter);
/* The innermost callback the current thread runs, or NULL. */
VF_CALLBACK_FRAME *VfCurrentCallback(VOID);
/* The innermost frame of Thread whose kind is in Kinds (a mask of
 * 1 << VF_CALLBACK_KIND), or NULL. */
VF_CALLBACK_FRAME *VfFindCallback(PKTHREAD Thread, ULONG Kinds);
PCSTR VfCallbackKindName(VF_CALLBACK_KIND Kind);
/* Calls so far of the callback routines in the driver image named Driver
 * ("monitor.so" or "monitor") whose kind is in Kinds (a mask of 1 <<
 * VF_CALLBACK_KIND). FALSE when the verifier is off: nothing is counted. */
BOOLEAN VfCallbackCalls(PCSTR Driver, ULONG Kinds, ULONG64 *Calls);

/* ---- reports --------------------------------------------------------------------------------- */

/* A rule broken: Rule is its name (e.g. "CallbackBlockingWait"), Caller an
 * address in the driver that broke it (the return address of the DDI), the
 * message says what happened. Reported once per rule and call site in the
 * output, counted every time. Returns: the run goes on. */
VOID VfReport(PCSTR Rule, PVOID Caller, PCSTR Format, ...) __attribute__((format(printf, 3, 4)));
/* The same with the backtrace given (e.g. where a leaked block was
 * allocated) instead of the current one. */
VOID VfReportWithBacktrace(PCSTR Rule, PVOID Caller, PVOID const *Frames, ULONG FrameCount, PCSTR Format, ...)
    __attribute__((format(printf, 5, 6)));
/* The first return address on the current stack inside a driver image
 * (the driver's call into the kernel), or NULL. */
PVOID VfDriverCaller(VOID);
/* Reports made so far, and the summary the host prints at the end. */
ULONG VfViolationCount(VOID);
VOID VfPrintSummary(VOID);
/* The JSON report (docs/verifier.md) written to Fd, for `ntps run --json`. */
VOID VfWriteJsonReportFd(int Fd, int ExitStatus);

/* ---- what other layers tell the verifier ---------------------------------------------------- */

/* Registered by Ps: does a user process own Object, a dispatcher object
 * (a user process or one of its threads, or an event, semaphore or mutant
 * a user process has or had a handle to)? Why says which, for the report. */
extern BOOLEAN (*VfUserObjectTest)(PVOID Object, PCHAR Why, SIZE_T WhySize);
/* Set by Ob in DISPATCHER_HEADER.Signalling of an event, semaphore or
 * mutant when a handle to it goes into a user process's table. */
#define VF_SIGNALLING_USER_HANDLE 0x80

/* Pool allocated and freed by driver images (Owner is the driver), so that
 * what is left at unload is reported with where it was allocated. */
VOID VfPoolAllocated(PVOID Block, SIZE_T Size, ULONG Tag, PRTL_MODULE Owner);
VOID VfPoolFreed(PVOID Block);
/* After DriverUnload returned, before the unload's bug checks: the
 * UnloadLeftovers reports for Module. */
VOID VfCheckUnload(PRTL_MODULE Module);

/* ---- locks and deadlocks (vf/lockdep.c, vf/deadlock.c) ----------------------------------------- */

/* Before boot, after VfLevel is set: register the lock-order and deadlock
 * checks with Ke (nothing when the verifier is off). */
VOID VfInitializeLockChecks(VOID);
/* Does Thread hold Lock, as the lock checks recorded it (FALSE with the
 * verifier off, or beyond the depth they track)? For locks that keep no
 * owner themselves (push locks). */
BOOLEAN VfThreadHoldsLock(PKTHREAD Thread, PVOID Lock);
/* Registered by the host: end the run now, a Deadlock was reported (the
 * dispatcher lock may be held: exit, take no lock). Does not return. */
extern VOID (*VfDeadlockEndRun)(VOID);
/* A simulation stalled (every thread waits, no timer is set): the Deadlock
 * report with the wait-for graph of Threads (those not ended). */
VOID VfReportStall(PKTHREAD const *Threads, ULONG Count);

/* ---- data races (vf/race.c, docs/races.md) ---------------------------------------------------- */

typedef enum _VF_RACES {
    VfRaceModeOff,
    VfRaceModeOn,         /* --races: RACE reports, the exit status is not changed */
    VfRaceModeStrict    /* --races=strict: a race makes the exit status NTPS_EXIT_RACE */
} VF_RACES;
/* Before boot, after VfInitialize: register the detector's hooks with Ke. */
VOID VfInitializeRaces(VF_RACES Mode);
extern BOOLEAN VfRacesStrict;
/* Distinct races (pairs of sites) reported so far. */
ULONG VfRaceCount(VOID);
/* "ntps: races: N (M found)" and the pairs; nothing when the detector is off. */
VOID VfPrintRaceSummary(VOID);

#endif /* NTPS_VF_H */
