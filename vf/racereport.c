/*
 * vf/racereport.c - the race detector's reports: a RACE block for the
 * first race found between two sites (the pair in either order), counted
 * every time; the summary at the end of the run; the records the JSON
 * report lists (vf/json.c).
 *
 *   RACE on g_counter (race_counter.so!g_counter+0x0, 4 bytes at 0x7f...)
 *     write by TID 12 (start race_counter.so!Worker+0x0)
 *       at Worker (tests/drivers/race_counter.c:20:9)
 *     previous write by TID 13 (start race_counter.so!Worker+0x0)
 *       at Worker (tests/drivers/race_counter.c:20:9)
 *     backtrace of the first:
 *       #0  race_counter.so!Worker+0x2c
 *
 * Formatting runs under the report lock (only the first time a pair is
 * seen): no kernel routine is called, no preemption point is reached.
 */
#include "vf/racep.h"

#include <stdio.h>
#include <string.h>

#define VF_RACE_RECORDS 256

static VF_RACE_RECORD VfRaceRecords[VF_RACE_RECORDS];
static volatile ULONG VfRaceRecordCount;
static volatile LONG VfRaceDropped;         /* pairs beyond the table: still counted */
static volatile LONG VfRaceFoundTotal;
static volatile LONG VfRaceReportLock;
BOOLEAN VfRaceQuiet;

static VOID VfpReportLock(VOID)
{
    while (__atomic_exchange_n(&VfRaceReportLock, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
}

static VOID VfpReportUnlock(VOID)
{
    __atomic_store_n(&VfRaceReportLock, 0, __ATOMIC_RELEASE);
}

VOID VfpRaceReportsReset(VOID)
{
    VfpReportLock();
    memset(VfRaceRecords, 0, sizeof(VfRaceRecords));
    __atomic_store_n(&VfRaceRecordCount, 0, __ATOMIC_RELEASE);
    VfRaceDropped = VfRaceFoundTotal = 0;
    VfpReportUnlock();
}

const VF_RACE_RECORD *VfpRaceAt(ULONG Index)
{
    return Index < __atomic_load_n(&VfRaceRecordCount, __ATOMIC_ACQUIRE) ? &VfRaceRecords[Index] : NULL;
}

ULONG VfpRaceTotal(VOID)
{
    return (ULONG)__atomic_load_n(&VfRaceFoundTotal, __ATOMIC_RELAXED);
}

ULONG VfRaceCount(VOID)
{
    return __atomic_load_n(&VfRaceRecordCount, __ATOMIC_ACQUIRE) + (ULONG)__atomic_load_n(&VfRaceDropped,
                                                                                          __ATOMIC_RELAXED);
}

/* "function\tfile:line:column" -> its two parts. */
static VOID VfpSplitSite(PCSTR Site, VF_RACE_SIDE *Side)
{
    const char *Tab = Site != NULL ? strchr(Site, '\t') : NULL;
    if (Tab == NULL) {
        snprintf(Side->Function, sizeof(Side->Function), "?");
        snprintf(Side->Location, sizeof(Side->Location), "%s", Site != NULL ? Site : "?");
        return;
    }
    snprintf(Side->Function, sizeof(Side->Function), "%.*s", (int)(Tab - Site), Site);
    snprintf(Side->Location, sizeof(Side->Location), "%s", Tab + 1);
}

static VOID VfpDescribeMemory(ULONG_PTR Address, PCHAR Buffer, SIZE_T Size)
{
    if (RtlpLookupModuleByAddress((PVOID)Address) != NULL) {
        char Symbol[160];
        KiDescribeAddress((PVOID)Address, Symbol, sizeof(Symbol));
        snprintf(Buffer, Size, "global %s", Symbol);
    } else if (!VfPoolDescribe((PVOID)Address, Buffer, Size)) {
        snprintf(Buffer, Size, "%p (not a driver's global nor a tracked pool block)", (PVOID)Address);
    }
}

static VOID VfpFillRecord(VF_RACE_RECORD *Record, ULONG_PTR Address, ULONG Size, const VF_RACE_ACCESS *Current,
                          const VF_RACE_ACCESS *Previous, PVOID Return)
{
    Record->Address = Address;
    Record->Size = Size;
    VfpDescribeMemory(Address, Record->Memory, sizeof(Record->Memory));
    VfpSplitSite(Current->Site, &Record->Current);
    VfpSplitSite(Previous->Site, &Record->Previous);
    Record->Current.Write = Current->Write;
    Record->Previous.Write = Previous->Write;
    VfpRaceDescribeTid(Current->Tid, Record->Current.Thread, sizeof(Record->Current.Thread));
    VfpRaceDescribeTid(Previous->Tid, Record->Previous.Thread, sizeof(Record->Previous.Thread));
    /* the backtrace from the access in the driver on */
    PVOID Frames[VF_RACE_FRAMES + 16];
    ULONG Count = RtlCaptureStackBackTrace(0, RTL_NUMBER_OF(Frames), Frames, NULL), First = 0;
    while (First < Count && Frames[First] != Return)
        First++;
    if (First == Count)
        First = 0;
    Record->FrameCount = 0;
    for (ULONG i = First; i < Count && Record->FrameCount < VF_RACE_FRAMES; i++)
        KiDescribeAddress((PCHAR)Frames[i] - 1, Record->Frames[Record->FrameCount++], sizeof(Record->Frames[0]));
}

static VOID VfpPrintSide(PCSTR Indent, PCSTR What, const VF_RACE_SIDE *Side)
{
    RtlpReport("%s%s%s by %s\n%s  at %s (%s)\n", Indent, What, Side->Write ? "write" : "read", Side->Thread, Indent,
               Side->Function, Side->Location);
}

static VOID VfpPrintRecord(const VF_RACE_RECORD *Record, PCSTR Indent)
{
    VfpPrintSide(Indent, "", &Record->Current);
    VfpPrintSide(Indent, "previous ", &Record->Previous);
}

VOID VfpRaceFound(ULONG_PTR Address, ULONG Size, const VF_RACE_ACCESS *Current, const VF_RACE_ACCESS *Previous,
                  PVOID Return)
{
    __atomic_add_fetch(&VfRaceFoundTotal, 1, __ATOMIC_RELAXED);
    PCSTR A = Current->Site, B = Previous->Site;
    if ((ULONG_PTR)A > (ULONG_PTR)B) {
        PCSTR T = A;
        A = B;
        B = T;
    }
    VfpReportLock();
    ULONG Count = VfRaceRecordCount;
    for (ULONG i = 0; i < Count; i++) {
        if (VfRaceRecords[i].SiteA == A && VfRaceRecords[i].SiteB == B) {
            __atomic_add_fetch(&VfRaceRecords[i].Count, 1, __ATOMIC_RELAXED);
            VfpReportUnlock();
            return;
        }
    }
    if (Count == VF_RACE_RECORDS) {
        __atomic_add_fetch(&VfRaceDropped, 1, __ATOMIC_RELAXED);
        VfpReportUnlock();
        return;
    }
    VF_RACE_RECORD *Record = &VfRaceRecords[Count];
    Record->SiteA = A;
    Record->SiteB = B;
    Record->Count = 1;
    VfpFillRecord(Record, Address, Size, Current, Previous, Return);
    RtlpReport("\nRACE on %s (%lu byte%s at %p)\n", Record->Memory, (unsigned long)Size, Size == 1 ? "" : "s",
               (PVOID)Address);
    VfpPrintRecord(Record, "  ");
    RtlpReport("  backtrace:\n");
    for (ULONG i = 0; i < Record->FrameCount; i++)
        RtlpReport("    #%-2lu %s\n", (unsigned long)i, Record->Frames[i]);
    __atomic_store_n(&VfRaceRecordCount, Count + 1, __ATOMIC_RELEASE);
    VfpReportUnlock();
}

/* The end of a run: "ntps: races: N" (the line explore reads), the pairs. */
VOID VfPrintRaceSummary(VOID)
{
    if (!VfRacesOn)
        return;
    ULONG Distinct = VfRaceCount();
    if (Distinct == 0 && VfRaceQuiet)
        return;
    RtlpReport("ntps: races: %lu (%lu found)\n", (unsigned long)Distinct, (unsigned long)VfpRaceTotal());
    for (ULONG i = 0; i < VF_RACE_RECORDS; i++) {
        const VF_RACE_RECORD *Record = VfpRaceAt(i);
        if (Record == NULL)
            break;
        RtlpReport("  RACE x%ld on %s\n", (long)Record->Count, Record->Memory);
        VfpPrintRecord(Record, "    ");
    }
    if (VfRaceDropped != 0)
        RtlpReport("  (%ld more pairs of sites not listed)\n", (long)VfRaceDropped);
}
