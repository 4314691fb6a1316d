/*
 * vf/json.c - the verifier's report as JSON (`ntps run --report FILE`),
 * in the format docs/verifier.md documents. Written with write(2) from a
 * fixed buffer: it may be written at a bug check, with other processors
 * stopped wherever they were.
 */
#include "vf/racep.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct _VF_JSON {
    int Fd;
    SIZE_T Used;
    char Buffer[4096];
} VF_JSON;

static VOID VfJsonFlush(VF_JSON *Json)
{
    SIZE_T Done = 0;
    while (Done < Json->Used) {
        ssize_t Written = write(Json->Fd, Json->Buffer + Done, Json->Used - Done);
        if (Written <= 0)
            break;
        Done += (SIZE_T)Written;
    }
    Json->Used = 0;
}

static VOID VfJsonRaw(VF_JSON *Json, PCSTR Text, SIZE_T Length)
{
    while (Length != 0) {
        if (Json->Used == sizeof(Json->Buffer))
            VfJsonFlush(Json);
        SIZE_T Chunk = sizeof(Json->Buffer) - Json->Used;
        if (Chunk > Length)
            Chunk = Length;
        memcpy(Json->Buffer + Json->Used, Text, Chunk);
        Json->Used += Chunk;
        Text += Chunk;
        Length -= Chunk;
    }
}

static VOID VfJsonPrintf(VF_JSON *Json, PCSTR Format, ...) __attribute__((format(printf, 2, 3)));
static VOID VfJsonPrintf(VF_JSON *Json, PCSTR Format, ...)
{
    char Text[256];
    va_list Arguments;
    va_start(Arguments, Format);
    int Length = vsnprintf(Text, sizeof(Text), Format, Arguments);
    va_end(Arguments);
    if (Length > 0)
        VfJsonRaw(Json, Text, (SIZE_T)Length < sizeof(Text) ? (SIZE_T)Length : sizeof(Text) - 1);
}

/* A JSON string, or null for NULL or "". */
static VOID VfJsonString(VF_JSON *Json, PCSTR Text)
{
    if (Text == NULL || Text[0] == 0) {
        VfJsonRaw(Json, "null", 4);
        return;
    }
    VfJsonRaw(Json, "\"", 1);
    for (const UCHAR *p = (const UCHAR *)Text; *p != 0; p++) {
        if (*p == '"' || *p == '\\') {
            char Escaped[2] = { '\\', (char)*p };
            VfJsonRaw(Json, Escaped, 2);
        } else if (*p < 0x20) {
            VfJsonPrintf(Json, "\\u%04x", *p);
        } else {
            VfJsonRaw(Json, (PCSTR)p, 1);
        }
    }
    VfJsonRaw(Json, "\"", 1);
}

static PCSTR VfKindId(LONG Kind)
{
    static const PCSTR Ids[] = { "process_notify", "thread_notify", "image_notify", "object_pre_operation",
                                 "object_post_operation", "work_item", "registry_callback" };
    return Kind >= 0 && (ULONG)Kind < RTL_NUMBER_OF(Ids) ? Ids[Kind] : "unknown";
}

static VOID VfJsonReport(VF_JSON *Json, const VF_SITE *Site, BOOLEAN First)
{
    VfJsonRaw(Json, First ? "\n    {" : ",\n    {", First ? 6 : 7);
    VfJsonRaw(Json, "\"rule\": ", 8);
    VfJsonString(Json, Site->Rule);
    VfJsonPrintf(Json, ", \"count\": %ld, \"message\": ", (long)Site->Count);
    VfJsonString(Json, Site->Message);
    VfJsonRaw(Json, ",\n     \"driver\": ", 17);
    VfJsonString(Json, Site->Driver);
    VfJsonRaw(Json, ", \"caller\": ", 12);
    VfJsonString(Json, Site->Where);
    VfJsonRaw(Json, ",\n     \"callback\": ", 19);
    if (Site->Kind >= 0) {
        VfJsonRaw(Json, "{\"routine\": ", 12);
        VfJsonString(Json, Site->Routine);
        VfJsonPrintf(Json, ", \"kind\": \"%s\", \"description\": \"%s\"}", VfKindId(Site->Kind),
                     VfCallbackKindName((VF_CALLBACK_KIND)Site->Kind));
    } else {
        VfJsonRaw(Json, "null", 4);
    }
    VfJsonPrintf(Json, ",\n     \"process_id\": %lu, \"thread_id\": %lu, \"process\": ",
                 (unsigned long)Site->ProcessId, (unsigned long)Site->ThreadId);
    VfJsonString(Json, Site->Process);
    VfJsonRaw(Json, ",\n     \"backtrace\": [", 21);
    for (ULONG i = 0; i < Site->FrameCount; i++) {
        if (i != 0)
            VfJsonRaw(Json, ", ", 2);
        VfJsonString(Json, Site->Frames[i]);
    }
    VfJsonRaw(Json, "]}", 2);
}

static VOID VfJsonCallbacks(VF_JSON *Json)
{
    BOOLEAN First = TRUE;
    VfJsonRaw(Json, ",\n  \"callbacks\": [", 18);
    for (ULONG i = 0; i < VF_ROUTINES; i++) {
        VF_ROUTINE *R = VfRoutineAt(i);
        if (R == NULL)
            continue;
        char Name[160];
        KiDescribeAddress(R->Routine, Name, sizeof(Name));
        VfJsonRaw(Json, First ? "\n    {\"routine\": " : ",\n    {\"routine\": ", First ? 17 : 18);
        First = FALSE;
        VfJsonString(Json, Name);
        VfJsonPrintf(Json, ", \"kind\": \"%s\", \"calls\": %lld, \"max_run_time_us\": %llu, ", VfKindId(R->Kind),
                     (long long)R->Calls, (unsigned long long)R->MaxRunTime / 10);
        VfJsonPrintf(Json, "\"max_stack_bytes\": %llu, \"stack_measured_calls\": %lld}",
                     (unsigned long long)R->MaxStack, (long long)R->StackMeasured);
    }
    VfJsonRaw(Json, First ? "]" : "\n  ]", First ? 1 : 4);
}

static VOID VfJsonRaceSide(VF_JSON *Json, PCSTR Name, const VF_RACE_SIDE *Side)
{
    VfJsonPrintf(Json, ", \"%s\": {\"access\": \"%s\", \"function\": ", Name, Side->Write ? "write" : "read");
    VfJsonString(Json, Side->Function);
    VfJsonRaw(Json, ", \"location\": ", 14);
    VfJsonString(Json, Side->Location);
    VfJsonRaw(Json, ", \"thread\": ", 12);
    VfJsonString(Json, Side->Thread);
    VfJsonRaw(Json, "}", 1);
}

/* --races: "race_count" (distinct pairs of sites) and "races"; null without. */
static VOID VfJsonRaces(VF_JSON *Json)
{
    if (!VfRacesOn) {
        VfJsonRaw(Json, ",\n  \"race_count\": null,\n  \"races\": null", 39);
        return;
    }
    VfJsonPrintf(Json, ",\n  \"race_count\": %lu,\n  \"races_found\": %lu,\n  \"races\": [",
                 (unsigned long)VfRaceCount(), (unsigned long)VfpRaceTotal());
    ULONG i = 0;
    for (const VF_RACE_RECORD *Record; (Record = VfpRaceAt(i)) != NULL; i++) {
        VfJsonRaw(Json, i == 0 ? "\n    {\"memory\": " : ",\n    {\"memory\": ", i == 0 ? 16 : 17);
        VfJsonString(Json, Record->Memory);
        VfJsonPrintf(Json, ", \"address\": \"%p\", \"size\": %lu, \"count\": %ld", (PVOID)Record->Address,
                     (unsigned long)Record->Size, (long)Record->Count);
        VfJsonRaceSide(Json, "access", &Record->Current);
        VfJsonRaceSide(Json, "previous", &Record->Previous);
        VfJsonRaw(Json, ", \"backtrace\": [", 16);
        for (ULONG f = 0; f < Record->FrameCount; f++) {
            if (f != 0)
                VfJsonRaw(Json, ", ", 2);
            VfJsonString(Json, Record->Frames[f]);
        }
        VfJsonRaw(Json, "]}", 2);
    }
    VfJsonRaw(Json, i == 0 ? "]" : "\n  ]", i == 0 ? 1 : 4);
}

static VOID VfJsonHeader(VF_JSON *Json, int ExitStatus, ULONG BugCheck, const ULONG_PTR *Parameters, PCSTR Name)
{
    VfJsonPrintf(Json, "{\n  \"format\": \"ntps-verifier-report\",\n  \"version\": 1,\n  \"exit_status\": %d,\n",
                 ExitStatus);
    VfJsonPrintf(Json, "  \"verifier\": \"%s\",\n  \"callback_budget_us\": %llu,\n  \"callback_stack_percent\": %lu,\n",
                 VfLevelName(VfLevel), (unsigned long long)VfCallbackBudget / 10, (unsigned long)VfStackPercent);
    VfJsonPrintf(Json, "  \"kernel_stack_bytes\": %lu,\n  \"mode\": \"%s\",\n  \"seed\": ",
                 (unsigned long)HAL_KERNEL_STACK_SIZE, KiConfig.Simulation ? "simulation" : "realtime");
    if (KiConfig.Simulation)
        VfJsonPrintf(Json, "%llu,\n", (unsigned long long)KiConfig.Seed);
    else
        VfJsonRaw(Json, "null,\n", 6);
    VfJsonRaw(Json, "  \"bugcheck\": ", 14);
    if (Parameters != NULL) {
        VfJsonPrintf(Json, "{\"code\": \"0x%08X\", \"name\": ", (unsigned)BugCheck);
        VfJsonString(Json, Name);
        VfJsonPrintf(Json, ", \"parameters\": [\"0x%016lx\", \"0x%016lx\", \"0x%016lx\", \"0x%016lx\"]}",
                     (unsigned long)Parameters[0], (unsigned long)Parameters[1], (unsigned long)Parameters[2],
                     (unsigned long)Parameters[3]);
    } else {
        VfJsonRaw(Json, "null", 4);
    }
    VfJsonPrintf(Json, ",\n  \"report_count\": %lu,\n  \"unlisted_reports\": %ld,\n  \"reports\": [",
                 (unsigned long)VfViolationCount(), (long)VfDroppedReports());
}

static VOID VfWriteJson(int Fd, int ExitStatus, ULONG BugCheck, const ULONG_PTR *Parameters, PCSTR Name)
{
    static VF_JSON Json;    /* not on a stack that may be nearly full at a bug check */
    Json.Fd = Fd;
    Json.Used = 0;
    VfJsonHeader(&Json, ExitStatus, BugCheck, Parameters, Name);
    BOOLEAN First = TRUE;
    for (ULONG i = 0; i < VF_MAX_SITES; i++) {
        VF_SITE *Site = VfSiteAt(i);
        if (Site == NULL)
            continue;
        VfJsonReport(&Json, Site, First);
        First = FALSE;
    }
    VfJsonRaw(&Json, First ? "]" : "\n  ]", First ? 1 : 4);
    VfJsonCallbacks(&Json);
    VfJsonRaces(&Json);
    VfJsonRaw(&Json, "\n}\n", 3);
    VfJsonFlush(&Json);
}

VOID VfWriteJsonReport(PCSTR Path, int ExitStatus, ULONG BugCheck, const ULONG_PTR *Parameters, PCSTR Name)
{
    int Fd = open(Path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (Fd < 0) {
        RtlpReport("ntps: verifier: cannot write the report to %s\n", Path);
        return;
    }
    VfWriteJson(Fd, ExitStatus, BugCheck, Parameters, Name);
    close(Fd);
}

VOID VfWriteJsonReportFd(int Fd, int ExitStatus)
{
    VfWriteJson(Fd, ExitStatus, 0, NULL, NULL);
}
