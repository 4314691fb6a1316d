/*
 * host/summary.c - what a run leaves the user: the closing summary (the
 * process tree as `tlist -t` shows it, ended processes included, and the
 * drivers' callback counts; the verifier prints its own after it), the
 * same as JSON (`ntps run --json`), and the run record (`--record FILE`,
 * read back by `ntps ps`).
 */
#include "host/activity.h"
#include "vf/vf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOST_TREE_DEPTH 48      /* deeper nodes are counted, not drawn */

static const char *const HostKindIds[VfCallbackKinds] = {
    "process_notify", "thread_notify", "image_notify", "object_pre", "object_post", "work_item",
};
static const char *const HostKindNames[VfCallbackKinds] = {
    "process", "thread", "image", "ob-pre", "ob-post", "work-item",
};

static const char *HostSubsystemName(ULONG Subsystem)
{
    return Subsystem == SubsystemInformationTypeWin32 ? "win32" : Subsystem == SubsystemInformationTypeWSL ? "wsl"
                                                                                                         : "other";
}

static void HostFormatExit(const HOST_PROCESS_RECORD *R, char *Text, size_t Size)
{
    if (!R->Ended)
        snprintf(Text, Size, "running");
    else
        snprintf(Text, Size, "exit 0x%08X", (unsigned)R->ExitStatus);
}

/* ---- the tree --------------------------------------------------------------------------- */

typedef struct _HOST_TREE {
    ULONG *First, *Next;        /* first child, next sibling (record indexes), HOST_NO_RECORD: none */
    ULONG *Below;               /* processes in the subtree, the node excluded */
    ULONG Children;
} HOST_TREE;

static BOOLEAN HostBuildTree(HOST_TREE *T)
{
    ULONG N = HostActivity.ProcessCount;
    T->First = malloc((N + 1) * sizeof(ULONG));
    T->Next = malloc((N + 1) * sizeof(ULONG));
    T->Below = calloc(N + 1, sizeof(ULONG));
    ULONG *Last = malloc((N + 1) * sizeof(ULONG));
    if (T->First == NULL || T->Next == NULL || T->Below == NULL || Last == NULL) {
        free(Last);
        return FALSE;
    }
    /* Index N is the root of the roots: processes without a recorded parent. */
    for (ULONG i = 0; i <= N; i++)
        T->First[i] = T->Next[i] = Last[i] = HOST_NO_RECORD;
    for (ULONG i = 0; i < N; i++) {
        ULONG P = HostActivity.Processes[i].Parent;
        if (P == HOST_NO_RECORD || P >= i)
            P = N;
        if (Last[P] == HOST_NO_RECORD)
            T->First[P] = i;
        else
            T->Next[Last[P]] = i;
        Last[P] = i;
    }
    /* Parents come before their children: count from the end. */
    for (ULONG i = N; i-- > 0;) {
        ULONG P = HostActivity.Processes[i].Parent;
        if (P != HOST_NO_RECORD && P < i)
            T->Below[P] += T->Below[i] + 1;
    }
    free(Last);
    return TRUE;
}

static VOID HostFreeTree(HOST_TREE *T)
{
    free(T->First);
    free(T->Next);
    free(T->Below);
}

static VOID HostPrintNode(ULONG Index, ULONG Depth)
{
    const HOST_PROCESS_RECORD *R = &HostActivity.Processes[Index];
    char Exit[32];
    HostFormatExit(R, Exit, sizeof(Exit));
    RtlpReport("  %*s%s (%lu)  %lu thread%s  %s%s\n", (int)(2 * Depth), "", R->Image[0] ? R->Image : "?",
               (unsigned long)R->Pid, (unsigned long)R->Threads, R->Threads == 1 ? "" : "s", Exit,
               R->Subsystem == SubsystemInformationTypeWSL ? "  [wsl]" : "");
}

static VOID HostPrintChildren(const HOST_TREE *T, ULONG Parent, ULONG Depth, ULONG Limit)
{
    ULONG Shown = 0, Hidden = 0, HiddenBelow = 0;
    for (ULONG c = T->First[Parent]; c != HOST_NO_RECORD; c = T->Next[c]) {
        if (Shown == Limit || Depth >= HOST_TREE_DEPTH) {
            Hidden++;
            HiddenBelow += T->Below[c];
            continue;
        }
        Shown++;
        HostPrintNode(c, Depth);
        HostPrintChildren(T, c, Depth + 1, Limit);
    }
    if (Hidden != 0)
        RtlpReport("  %*s... and %lu more%s\n", (int)(2 * Depth), "", (unsigned long)(Hidden + HiddenBelow),
                   HiddenBelow != 0 ? " (with their children)" : "");
}

static ULONG64 HostModuleCalls(PRTL_MODULE Module)
{
    ULONG64 Total = 0;
    for (ULONG k = 0; k < VfCallbackKinds; k++)
        Total += __atomic_load_n(&Module->CallbackCalls[k], __ATOMIC_RELAXED);
    return Total;
}

ULONG64 HostCallbackTotal(PRTL_MODULE const *Modules, ULONG ModuleCount)
{
    ULONG64 Total = 0;
    for (ULONG i = 0; i < ModuleCount; i++)
        if (Modules[i] != NULL)
            Total += HostModuleCalls(Modules[i]);
    return Total;
}

static VOID HostPrintCallbacks(const HOST_RUN_FACTS *Facts)
{
    if (Facts->ModuleCount == 0)
        return;
    RtlpReport("ntps: callbacks by driver:\n");
    for (ULONG i = 0; i < Facts->ModuleCount; i++) {
        PRTL_MODULE Module = Facts->Modules[i];
        if (Module == NULL)
            continue;
        char Line[256];
        int Used = snprintf(Line, sizeof(Line), "  %-20s", Module->Name);
        for (ULONG k = 0; k < VfCallbackKinds && Used > 0 && (size_t)Used < sizeof(Line); k++)
            if (Module->CallbackCalls[k] != 0)
                Used += snprintf(Line + Used, sizeof(Line) - (size_t)Used, "  %s %llu", HostKindNames[k],
                                 (unsigned long long)Module->CallbackCalls[k]);
        RtlpReport("%s%s\n", Line, HostModuleCalls(Module) == 0 ? "  (no callbacks called)" : "");
    }
}

VOID HostPrintSummary(const HOST_RUN_FACTS *Facts)
{
    HOST_ACTIVITY *A = &HostActivity;
    ULONG Win32 = 0, Wsl = 0, UserThreads = 0;
    for (ULONG i = 0; i < A->ProcessCount; i++)
        if (!A->Processes[i].System) {
            Win32 += A->Processes[i].Subsystem == SubsystemInformationTypeWin32;
            Wsl += A->Processes[i].Subsystem == SubsystemInformationTypeWSL;
        }
    for (ULONG i = 0; i < A->ThreadCount; i++)
        UserThreads += !A->Threads[i].System;
    /* A simulation prints only what its seed decides: virtual time, not host time. */
    ULONGLONG Time = Facts->Simulation ? Facts->KernelTime / 10 : Facts->ElapsedUs;
    RtlpReport("\nntps: summary: %s, %lu processor%s, %llu.%03llu %s; %lu Win32 and %lu WSL process%s, "
               "%lu thread%s (%lu user)\n",
               Facts->Simulation ? "simulation" : "realtime", (unsigned long)Facts->Cpus, Facts->Cpus == 1 ? "" : "s",
               Time / (Facts->Simulation ? 1000 : 1000000), (Time / (Facts->Simulation ? 1 : 1000)) % 1000,
               Facts->Simulation ? "ms virtual time" : "s", (unsigned long)Win32, (unsigned long)Wsl,
               Win32 + Wsl == 1 ? "" : "es", (unsigned long)A->ThreadCount, A->ThreadCount == 1 ? "" : "s",
               (unsigned long)UserThreads);
    HOST_TREE Tree;
    if (A->ProcessCount != 0 && HostBuildTree(&Tree)) {
        RtlpReport("ntps: process tree (image (PID), threads created, exit status):\n");
        HostPrintChildren(&Tree, A->ProcessCount, 0, Facts->TreeChildren ? Facts->TreeChildren : 8);
        HostFreeTree(&Tree);
    }
    HostPrintCallbacks(Facts);
}

/* ---- JSON -------------------------------------------------------------------------------- */

VOID HostJsonString(FILE *Out, const char *Text)
{
    if (Text == NULL) {
        fputs("null", Out);
        return;
    }
    fputc('"', Out);
    for (const unsigned char *p = (const unsigned char *)Text; *p;) {
        size_t Plain = 0;
        while (p[Plain] >= 0x20 && p[Plain] <= 0x7E && p[Plain] != '"' && p[Plain] != '\\')
            Plain++;
        fwrite(p, 1, Plain, Out);
        p += Plain;
        if (*p == 0)
            break;
        if (*p == '"' || *p == '\\')
            fprintf(Out, "\\%c", *p);
        else
            fprintf(Out, "\\u%04x", *p);
        p++;
    }
    fputc('"', Out);
}

static VOID HostJsonTime(FILE *Out, const char *Name, BOOLEAN Present, ULONGLONG Time)
{
    if (Present)
        fprintf(Out, ", \"%s\": %llu.%03llu", Name, Time / 10000, (Time / 10) % 1000);
    else
        fprintf(Out, ", \"%s\": null", Name);
}

static VOID HostJsonProcess(FILE *Out, const HOST_PROCESS_RECORD *R)
{
    fprintf(Out, "{\"pid\": %lu, \"ppid\": %lu, \"image\": ", (unsigned long)R->Pid, (unsigned long)R->ParentPid);
    HostJsonString(Out, R->Image);
    fputs(", \"path\": ", Out);
    HostJsonString(Out, R->Path);
    fprintf(Out, ", \"subsystem\": \"%s\", \"threads\": %lu, \"exit_status\": ", HostSubsystemName(R->Subsystem),
            (unsigned long)R->Threads);
    if (R->Ended)
        fprintf(Out, "\"0x%08X\"", (unsigned)R->ExitStatus);
    else
        fputs("null", Out);
    HostJsonTime(Out, "create_ms", TRUE, R->CreateTime);
    HostJsonTime(Out, "exit_ms", R->Ended, R->ExitTime);
    fputc('}', Out);
}

/* The verifier's JSON report, as it writes it to a file. */
static VOID HostJsonVerifier(FILE *Out, int ExitStatus)
{
    FILE *Scratch = tmpfile();
    if (Scratch == NULL) {
        fputs("null", Out);
        return;
    }
    VfWriteJsonReportFd(fileno(Scratch), ExitStatus);
    rewind(Scratch);
    char Buffer[4096];
    size_t Read;
    while ((Read = fread(Buffer, 1, sizeof(Buffer), Scratch)) != 0)
        fwrite(Buffer, 1, Read, Out);
    fclose(Scratch);
}

VOID HostWriteJsonSummary(FILE *Out, const HOST_RUN_FACTS *Facts)
{
    HOST_ACTIVITY *A = &HostActivity;
    fprintf(Out, "{\n  \"format\": \"ntps-run-summary\",\n  \"version\": 1,\n  \"exit_status\": %d,\n",
            Facts->ExitStatus);
    fprintf(Out, "  \"mode\": \"%s\",\n  \"processors\": %lu,\n  \"seed\": ",
            Facts->Simulation ? "simulation" : "realtime", (unsigned long)Facts->Cpus);
    if (Facts->Simulation)
        fprintf(Out, "%llu", (unsigned long long)Facts->Seed);
    else
        fputs("null", Out);
    fprintf(Out, ",\n  \"elapsed_ms\": %llu.%03llu", Facts->ElapsedUs / 1000, Facts->ElapsedUs % 1000);
    HostJsonTime(Out, "kernel_time_ms", TRUE, Facts->KernelTime);
    fprintf(Out, ",\n  \"thread_count\": %lu,\n  \"processes\": [", (unsigned long)A->ThreadCount);
    for (ULONG i = 0; i < A->ProcessCount; i++) {
        fputs(i ? ",\n    " : "\n    ", Out);
        HostJsonProcess(Out, &A->Processes[i]);
    }
    fputs(A->ProcessCount ? "\n  ],\n  \"drivers\": [" : "],\n  \"drivers\": [", Out);
    for (ULONG i = 0; i < Facts->ModuleCount; i++) {
        PRTL_MODULE Module = Facts->Modules[i];
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", Out);
        HostJsonString(Out, Module != NULL ? Module->Name : NULL);
        fputs(", \"callbacks\": {", Out);
        for (ULONG k = 0; k < VfCallbackKinds; k++)
            fprintf(Out, "%s\"%s\": %llu", k ? ", " : "", HostKindIds[k],
                    Module != NULL ? (unsigned long long)Module->CallbackCalls[k] : 0ULL);
        fputs("}}", Out);
    }
    fputs(Facts->ModuleCount ? "\n  ],\n  \"verifier\": " : "],\n  \"verifier\": ", Out);
    HostJsonVerifier(Out, Facts->ExitStatus);
    fputs("}\n", Out);
    fflush(Out);
}

/* ---- the run record ----------------------------------------------------------------------- */

/* Tab-separated lines (docs/run-record.md): a header, the run, then one
 * line per process and per thread in creation order. */
static VOID HostRecordTime(FILE *Out, BOOLEAN Present, ULONGLONG Time)
{
    if (Present)
        fprintf(Out, "\t%llu.%03llu", Time / 10000, (Time / 10) % 1000);
    else
        fputs("\t-", Out);
}

BOOLEAN HostWriteRecord(const char *Path, const HOST_RUN_FACTS *Facts)
{
    FILE *Out = fopen(Path, "w");
    if (Out == NULL)
        return FALSE;
    HOST_ACTIVITY *A = &HostActivity;
    fputs("ntps-run-record\t1\n", Out);
    fprintf(Out, "run\t%s\t%lu\t%llu\t%d\t%llu.%03llu\n", Facts->Simulation ? "simulation" : "realtime",
            (unsigned long)Facts->Cpus, (unsigned long long)(Facts->Simulation ? Facts->Seed : 0), Facts->ExitStatus,
            Facts->ElapsedUs / 1000, Facts->ElapsedUs % 1000);
    for (ULONG i = 0; i < A->ProcessCount; i++) {
        const HOST_PROCESS_RECORD *R = &A->Processes[i];
        fprintf(Out, "process\t%lu\t%lu\t%s\t%lu\t", (unsigned long)R->Pid, (unsigned long)R->ParentPid,
                HostSubsystemName(R->Subsystem), (unsigned long)R->Threads);
        if (R->Ended)
            fprintf(Out, "0x%08X", (unsigned)R->ExitStatus);
        else
            fputs("-", Out);
        HostRecordTime(Out, TRUE, R->CreateTime);
        HostRecordTime(Out, R->Ended, R->ExitTime);
        fprintf(Out, "\t%s\t%s\n", R->Image[0] ? R->Image : "?", R->Path != NULL && R->Path[0] ? R->Path : "-");
    }
    for (ULONG i = 0; i < A->ThreadCount; i++) {
        const HOST_THREAD_RECORD *R = &A->Threads[i];
        fprintf(Out, "thread\t%lu\t%lu\t%s\t", (unsigned long)R->Tid, (unsigned long)A->Processes[R->Process].Pid,
                R->System ? "system" : "user");
        if (R->Ended)
            fprintf(Out, "0x%08X", (unsigned)R->ExitStatus);
        else
            fputs("-", Out);
        HostRecordTime(Out, TRUE, R->CreateTime);
        HostRecordTime(Out, R->Ended, R->ExitTime);
        fprintf(Out, "\t%lu\n", (unsigned long)R->Process);
    }
    BOOLEAN Ok = !ferror(Out);
    return fclose(Out) == 0 && Ok;
}
