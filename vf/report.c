/*
 * vf/report.c - the verifier's reports: each rule broken is printed once
 * per rule and call site (rule, driver, callback, thread and process,
 * backtrace) and counted every time; the summary at the end of the run
 * lists every rule hit with its count and first occurrence.
 */
#include "vf/vf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

VF_LEVEL VfLevel = VfLevelStandard;

#define VF_MAX_SITES 256
#define VF_BACKTRACE 16

typedef struct _VF_SITE {
    CHAR Rule[48];
    PVOID Caller;
    volatile LONG Count;
    CHAR First[512];                /* the first occurrence's message and driver */
} VF_SITE;

static VF_SITE VfSites[VF_MAX_SITES];
static ULONG VfSiteCount;
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

/* The site's entry; *New tells whether this is its first occurrence. */
static VF_SITE *VfFindSite(PCSTR Rule, PVOID Caller, BOOLEAN *New)
{
    *New = FALSE;
    VfLock();
    for (ULONG i = 0; i < VfSiteCount; i++) {
        if (VfSites[i].Caller == Caller && strcmp(VfSites[i].Rule, Rule) == 0) {
            VfUnlock();
            return &VfSites[i];
        }
    }
    VF_SITE *Site = NULL;
    if (VfSiteCount < VF_MAX_SITES) {
        Site = &VfSites[VfSiteCount++];
        strncpy(Site->Rule, Rule, sizeof(Site->Rule) - 1);
        Site->Caller = Caller;
        *New = TRUE;
    }
    VfUnlock();
    return Site;
}

static PCSTR VfKindName(VF_CALLBACK_KIND Kind)
{
    static const PCSTR Names[] = { "process notify routine", "thread notify routine", "load-image notify routine",
                                   "object pre-operation callback", "object post-operation callback",
                                   "work item routine" };
    return (ULONG)Kind < RTL_NUMBER_OF(Names) ? Names[Kind] : "callback";
}

static VOID VfPrintBacktrace(VOID)
{
    PVOID Frames[VF_BACKTRACE];
    USHORT Count = RtlCaptureStackBackTrace(2, VF_BACKTRACE, Frames, NULL);
    for (USHORT i = 0; i < Count; i++) {
        char Where[192];
        KiDescribeAddress((PCHAR)Frames[i] - 1, Where, sizeof(Where));
        RtlpReport("  #%-2u %p  %s\n", (unsigned)i, Frames[i], Where);
    }
}

VOID VfReport(PCSTR Rule, PVOID Caller, PCSTR Format, ...)
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
    char Message[320], Driver[160] = "", Thread[320] = "";
    va_list Arguments;
    va_start(Arguments, Format);
    vsnprintf(Message, sizeof(Message), Format, Arguments);
    va_end(Arguments);
    PRTL_MODULE Module = Caller != NULL ? RtlpLookupModuleByAddress(Caller) : NULL;
    if (Caller != NULL)
        KiDescribeAddress(Caller, Driver, sizeof(Driver));
    snprintf(Site->First, sizeof(Site->First), "%s%s%s", Message, Module ? "  (" : "", Module ? Module->Name : "");
    if (Module != NULL)
        strncat(Site->First, ")", sizeof(Site->First) - strlen(Site->First) - 1);
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb != NULL && Prcb->CurrentThread != NULL && KiBugCheckHooks.DescribeThread != NULL)
        KiBugCheckHooks.DescribeThread(Prcb->CurrentThread, Thread, sizeof(Thread));
    VF_CALLBACK_FRAME *Callback = VfCurrentCallback();
    char Routine[192] = "";
    if (Callback != NULL)
        KiDescribeAddress(Callback->Routine, Routine, sizeof(Routine));
    RtlpReport("\nVERIFIER %s: %s\n", Rule, Message);
    if (Module != NULL)
        RtlpReport("driver: %s  at %s\n", Module->Name, Driver);
    if (Callback != NULL)
        RtlpReport("in the %s %s\n", VfKindName(Callback->Kind), Routine);
    if (Thread[0] != 0)
        RtlpReport("%s", Thread);
    RtlpReport("backtrace:\n");
    VfPrintBacktrace();
}

/* ---- the summary ----------------------------------------------------------------------------- */

ULONG VfViolationCount(VOID)
{
    return (ULONG)__atomic_load_n(&VfTotal, __ATOMIC_RELAXED);
}

VOID VfPrintSummary(VOID)
{
    if (VfLevel == VfLevelOff)
        return;
    LONG Total = VfViolationCount();
    if (Total == 0) {
        RtlpReport("ntps: verifier: no rule broken\n");
        return;
    }
    RtlpReport("ntps: verifier: %ld report%s\n", (long)Total, Total == 1 ? "" : "s");
    for (ULONG i = 0; i < VfSiteCount; i++)
        RtlpReport("  %-32s x%-5ld %s\n", VfSites[i].Rule, (long)VfSites[i].Count, VfSites[i].First);
    if (VfDropped != 0)
        RtlpReport("  (%ld more at call sites not listed)\n", (long)VfDropped);
}
