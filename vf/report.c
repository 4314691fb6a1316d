/*
 * vf/report.c - the verifier's options and reports: each rule broken is
 * printed once per rule and call site (rule, driver, callback, thread and
 * process, backtrace) and counted every time; the summary at the end of
 * the run lists every rule hit with its count and first occurrence, and
 * the callbacks the run called with their longest run and deepest stack.
 */
#include "vf/vfp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

VF_LEVEL VfLevel = VfLevelStandard;
ULONGLONG VfCallbackBudget = VF_DEFAULT_CALLBACK_BUDGET_MS * 10000ull;
ULONG VfStackPercent = VF_DEFAULT_CALLBACK_STACK_PERCENT;
static PCSTR VfReportPath;
static BOOLEAN VfQuiet;
static volatile LONG VfFinished;

static VF_SITE VfSites[VF_MAX_SITES];
static volatile ULONG VfSiteCount;
static volatile LONG VfDropped;    /* sites beyond the table: still counted in the total */
static volatile LONG VfTotal;
static volatile LONG VfSiteLock;

static VOID VfLock(VOID)
{
    while (__atomic_exchange_n(&VfSiteLock, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
}

static VOID VfUnlock(VOID)
{
    __atomic_store_n(&VfSiteLock, 0, __ATOMIC_RELEASE);
}

PCSTR VfLevelName(VF_LEVEL Level)
{
    return Level == VfLevelOff ? "off" : Level == VfLevelStrict ? "strict" : "standard";
}

/* The site's entry; *New tells whether this is its first occurrence. */
static VF_SITE *VfFindSite(PCSTR Rule, PVOID Caller, BOOLEAN *New)
{
    *New = FALSE;
    VfLock();
    ULONG Count = VfSiteCount;
    for (ULONG i = 0; i < Count; i++) {
        if (VfSites[i].Caller == Caller && strcmp(VfSites[i].Rule, Rule) == 0) {
            VfUnlock();
            return &VfSites[i];
        }
    }
    VF_SITE *Site = NULL;
    if (Count < VF_MAX_SITES) {
        Site = &VfSites[Count];
        memset(Site, 0, sizeof(*Site));
        strncpy(Site->Rule, Rule, sizeof(Site->Rule) - 1);
        Site->Caller = Caller;
        __atomic_store_n(&VfSiteCount, Count + 1, __ATOMIC_RELEASE);
        *New = TRUE;
    }
    VfUnlock();
    return Site;
}

VF_SITE *VfSiteAt(ULONG Index)
{
    if (Index >= __atomic_load_n(&VfSiteCount, __ATOMIC_ACQUIRE) || !__atomic_load_n(&VfSites[Index].Ready,
                                                                                       __ATOMIC_ACQUIRE))
        return NULL;
    return &VfSites[Index];
}

LONG VfDroppedReports(VOID)
{
    return __atomic_load_n(&VfDropped, __ATOMIC_RELAXED);
}

PVOID VfDriverCaller(VOID)
{
    PVOID Frames[32];
    USHORT Count = RtlCaptureStackBackTrace(1, RTL_NUMBER_OF(Frames), Frames, NULL);
    for (USHORT i = 0; i < Count; i++)
        if (RtlpLookupModuleByAddress((PCHAR)Frames[i] - 1) != NULL)
            return Frames[i];
    return NULL;
}

/* The first occurrence: everything the output and the JSON report name. */
static VOID VfFillSite(VF_SITE *Site, PVOID Caller, PVOID const *Frames, ULONG FrameCount)
{
    PRTL_MODULE Module = Caller != NULL ? RtlpLookupModuleByAddress(Caller) : NULL;
    if (Module != NULL)
        snprintf(Site->Driver, sizeof(Site->Driver), "%s", Module->Name);
    if (Caller != NULL)
        KiDescribeAddress(Caller, Site->Where, sizeof(Site->Where));
    VF_CALLBACK_FRAME *Callback = VfCurrentCallback();
    Site->Kind = -1;
    if (Callback != NULL) {
        KiDescribeAddress(Callback->Routine, Site->Routine, sizeof(Site->Routine));
        Site->Kind = Callback->Kind;
    }
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb != NULL && Prcb->CurrentThread != NULL && KiBugCheckHooks.IdentifyThread != NULL) {
        PCSTR Name = NULL;
        KiBugCheckHooks.IdentifyThread(Prcb->CurrentThread, &Site->ProcessId, &Site->ThreadId, &Name);
        if (Name != NULL)
            snprintf(Site->Process, sizeof(Site->Process), "%s", Name);
    }
    Site->FrameCount = FrameCount < VF_BACKTRACE ? FrameCount : VF_BACKTRACE;
    for (ULONG i = 0; i < Site->FrameCount; i++)     /* a return address: describe the call */
        KiDescribeAddress((PCHAR)Frames[i] - 1, Site->Frames[i], sizeof(Site->Frames[i]));
}

static VOID VfPrintSite(const VF_SITE *Site, PCSTR Indent)
{
    if (Site->Driver[0] != 0)
        RtlpReport("%sdriver: %s  at %s\n", Indent, Site->Driver, Site->Where);
    else if (Site->Where[0] != 0)
        RtlpReport("%sat %s\n", Indent, Site->Where);
    if (Site->Kind >= 0)
        RtlpReport("%sin the %s %s\n", Indent, VfCallbackKindName((VF_CALLBACK_KIND)Site->Kind), Site->Routine);
    if (Site->ThreadId != 0)
        RtlpReport("%sthread: TID %lu  process: PID %lu %s\n", Indent, (unsigned long)Site->ThreadId,
                   (unsigned long)Site->ProcessId, Site->Process);
    RtlpReport("%sbacktrace:\n", Indent);
    for (ULONG i = 0; i < Site->FrameCount; i++)
        RtlpReport("%s  #%-2lu %s\n", Indent, (unsigned long)i, Site->Frames[i]);
}

__attribute__((noinline)) static VOID VfReportV(PCSTR Rule, PVOID Caller, PVOID const *Frames, ULONG FrameCount, PCSTR Format,
                      va_list Arguments)
{
    if (VfLevel == VfLevelOff)
        return;
    __atomic_add_fetch(&VfTotal, 1, __ATOMIC_RELAXED);
    BOOLEAN New;
    VF_SITE *Site = VfFindSite(Rule, Caller, &New);
    if (Site == NULL) {
        __atomic_add_fetch(&VfDropped, 1, __ATOMIC_RELAXED);
        return;
    }
    __atomic_add_fetch(&Site->Count, 1, __ATOMIC_RELAXED);
    if (!New)
        return;
    BOOLEAN Paused = VfPauseCallbackClock();
    vsnprintf(Site->Message, sizeof(Site->Message), Format, Arguments);
    PVOID Current[VF_BACKTRACE + 8];
    if (Frames == NULL) {   /* from the caller of VfReport on */
        FrameCount = RtlCaptureStackBackTrace(2, RTL_NUMBER_OF(Current), Current, NULL);
        Frames = Current;
        /* From the DDI the driver called on: the verifier's own frames say nothing. */
        for (ULONG i = 1; Caller != NULL && i < FrameCount; i++) {
            if (Frames[i] == Caller) {
                Frames += i - 1;
                FrameCount -= i - 1;
                break;
            }
        }
    }
    VfFillSite(Site, Caller, Frames, FrameCount);
    __atomic_store_n(&Site->Ready, TRUE, __ATOMIC_RELEASE);
    RtlpReport("\nVERIFIER %s: %s\n", Rule, Site->Message);
    VfPrintSite(Site, "");
    VfResumeCallbackClock(Paused);
}

__attribute__((noinline)) VOID VfReport(PCSTR Rule, PVOID Caller, PCSTR Format, ...)
{
    va_list Arguments;
    va_start(Arguments, Format);
    VfReportV(Rule, Caller, NULL, 0, Format, Arguments);
    va_end(Arguments);
}

VOID VfReportWithBacktrace(PCSTR Rule, PVOID Caller, PVOID const *Frames, ULONG FrameCount, PCSTR Format, ...)
{
    va_list Arguments;
    va_start(Arguments, Format);
    VfReportV(Rule, Caller, Frames, FrameCount, Format, Arguments);
    va_end(Arguments);
}

/* ---- the summary ----------------------------------------------------------------------------- */

ULONG VfViolationCount(VOID)
{
    return (ULONG)__atomic_load_n(&VfTotal, __ATOMIC_RELAXED);
}

static VOID VfPrintCallbacks(VOID)
{
    ULONG Routines = 0;
    for (ULONG i = 0; i < VF_ROUTINES; i++)
        Routines += VfRoutineAt(i) != NULL;
    if (Routines == 0)
        return;
    RtlpReport("ntps: verifier: %lu callback routine%s (calls, longest run, deepest stack measured):\n",
               (unsigned long)Routines, Routines == 1 ? "" : "s");
    for (ULONG i = 0; i < VF_ROUTINES; i++) {
        VF_ROUTINE *R = VfRoutineAt(i);
        if (R == NULL)
            continue;
        char Name[160];
        KiDescribeAddress(R->Routine, Name, sizeof(Name));
        ULONG64 Time = R->MaxRunTime, Stack = R->MaxStack;
        RtlpReport("  %-40s %-30s %8lld  %4llu.%03llu ms  %6llu bytes (%llu%%)\n", Name,
                   VfCallbackKindName((VF_CALLBACK_KIND)R->Kind), (long long)R->Calls, Time / 10000,
                   (Time / 10) % 1000, Stack, Stack * 100 / HAL_KERNEL_STACK_SIZE);
    }
}

VOID VfPrintSummary(VOID)
{
    if (VfLevel == VfLevelOff)
        return;
    LONG Total = VfViolationCount();
    if (Total == 0) {
        if (!VfQuiet) {
            RtlpReport("ntps: verifier: no rule broken\n");
            VfPrintCallbacks();
        }
        return;
    }
    RtlpReport("\nntps: verifier: %ld report%s (%s)\n", (long)Total, Total == 1 ? "" : "s", VfLevelName(VfLevel));
    for (ULONG i = 0; i < VF_MAX_SITES; i++) {
        VF_SITE *Site = VfSiteAt(i);
        if (Site == NULL)
            continue;
        RtlpReport("  %s x%ld: %s\n", Site->Rule, (long)Site->Count, Site->Message);
        VfPrintSite(Site, "    ");
    }
    if (VfDroppedReports() != 0)
        RtlpReport("  (%ld more at call sites not listed)\n", (long)VfDroppedReports());
    VfPrintCallbacks();
}

/* ---- the run ----------------------------------------------------------------------------------- */

/* KiBugCheckHooks.Finish: the report of a run a bug check ends. */
static VOID VfBugCheckFinish(ULONG Code, const ULONG_PTR Parameters[4], PCSTR Name)
{
    if (__atomic_exchange_n(&VfFinished, 1, __ATOMIC_ACQ_REL))
        return;
    if (VfViolationCount() != 0)
        VfPrintSummary();
    VfPrintRaceSummary();
    if (VfReportPath != NULL)
        VfWriteJsonReport(VfReportPath, 3 /* the bug check exit status */, Code, Parameters, Name);
}

VOID VfFinishRun(int ExitStatus)
{
    if (__atomic_exchange_n(&VfFinished, 1, __ATOMIC_ACQ_REL))
        return;
    VfPrintSummary();
    VfPrintRaceSummary();
    if (VfReportPath != NULL)
        VfWriteJsonReport(VfReportPath, ExitStatus, 0, NULL, NULL);
    VfInitializePool();     /* drivers that never unloaded: forget their blocks */
}

VOID VfInitialize(const VF_OPTIONS *Options)
{
    VfLevel = Options->Level;
    KiPassiveRules = VfLevel != VfLevelOff;
    VfCallbackBudget = (Options->CallbackBudgetUs ? Options->CallbackBudgetUs
                                                  : VF_DEFAULT_CALLBACK_BUDGET_MS * 1000ull) * 10;
    VfStackPercent = Options->CallbackStackPercent ? Options->CallbackStackPercent
                                                   : VF_DEFAULT_CALLBACK_STACK_PERCENT;
    VfReportPath = Options->ReportPath;
    VfQuiet = Options->Quiet;
    VfRaceQuiet = Options->Quiet;
    /* A host may run the kernel more than once (tests, benchmarks). */
    VfFinished = 0;
    VfTotal = VfDropped = 0;
    VfSiteCount = 0;
    KiVerifierHooks = (KI_VERIFIER_HOOKS){ 0 };
    KiBugCheckHooks.Finish = VfBugCheckFinish;
    VfInitializeCallbacks();
    VfInitializeRules();
    VfInitializePool();
}
