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
 *
 * Layering: vf calls ke and rtl only (it describes threads through the
 * routines Ps registered with Ke for bug check reports). ex, ob, ps, io and
 * cm call it; ke calls it only through hooks vf registers.
 */
#ifndef NTPS_VF_H
#define NTPS_VF_H

#include "ke/ke.h"
#include "rtl/rtl.h"

typedef enum _VF_LEVEL {
    VfLevelOff,         /* --verifier=off: documented bug checks only */
    VfLevelStandard,    /* the default: every rule, reports do not change the exit status */
    VfLevelStrict       /* every rule, and a report makes the run's exit status non-zero */
} VF_LEVEL;

extern VF_LEVEL VfLevel;   /* set by the host before boot */

/* ---- callbacks being run ---------------------------------------------------------------------- */

typedef enum _VF_CALLBACK_KIND {
    VfCallbackProcessNotify,
    VfCallbackThreadNotify,
    VfCallbackImageNotify,
    VfCallbackObjectPreOperation,
    VfCallbackObjectPostOperation,
    VfCallbackWorkItem,
    VfCallbackKinds
} VF_CALLBACK_KIND;

/* On the dispatcher's stack for as long as a driver's callback runs on the
 * current thread; callbacks nest (a process notify routine that creates a
 * thread sees the thread notify routines run inside it). */
typedef struct _VF_CALLBACK_FRAME {
    struct _VF_CALLBACK_FRAME *Next;    /* the callback this one runs inside, if any */
    VF_CALLBACK_KIND Kind;
    PVOID Routine;                      /* the driver's routine */
    ULONGLONG StartRunTime;             /* the thread's run time when it was entered */
    PVOID StackAtEntry;                 /* for the stack high-water mark */
    PKTHREAD QueuedBy;                  /* a work item: the thread that queued it */
} VF_CALLBACK_FRAME;

/* Around each call of a driver's callback routine (notify dispatch, object
 * callbacks, work items). Cheap when the verifier is off. */
VOID VfEnterCallback(VF_CALLBACK_FRAME *Frame, VF_CALLBACK_KIND Kind, PVOID Routine);
VOID VfLeaveCallback(VF_CALLBACK_FRAME *Frame);
/* The innermost callback the current thread runs, or NULL. */
VF_CALLBACK_FRAME *VfCurrentCallback(VOID);

/* ---- reports --------------------------------------------------------------------------------- */

/* A rule broken: Rule is its name (e.g. "CallbackBlockingWait"), Caller an
 * address in the driver that broke it (the return address of the DDI), the
 * message says what happened. Reported once per rule and call site in the
 * output, counted every time. Returns: the run goes on. */
VOID VfReport(PCSTR Rule, PVOID Caller, PCSTR Format, ...) __attribute__((format(printf, 3, 4)));
/* Reports made so far, and the summary the host prints at the end. */
ULONG VfViolationCount(VOID);
VOID VfPrintSummary(VOID);

/* ---- locks and deadlocks (vf/lockdep.c, vf/deadlock.c) ----------------------------------------- */

/* Before boot, after VfLevel is set: register the lock-order and deadlock
 * checks with Ke (nothing when the verifier is off). */
VOID VfInitializeLockChecks(VOID);
/* Registered by the host: end the run now, a Deadlock was reported (the
 * dispatcher lock may be held: exit, take no lock). Does not return. */
extern VOID (*VfDeadlockEndRun)(VOID);
/* A simulation stalled (every thread waits, no timer is set): the Deadlock
 * report with the wait-for graph of Threads (those not ended). */
VOID VfReportStall(PKTHREAD const *Threads, ULONG Count);

#endif /* NTPS_VF_H */
