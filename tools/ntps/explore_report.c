/*
 * tools/ntps/explore_report.c - the JSON report of `ntps explore`
 * (--report) and `ntps explore --merge`, which combines shard reports.
 * The writer puts each array element and each finding on a line of its
 * own, so the merge reads reports line by line (it reads only reports that
 * `ntps explore` wrote).
 */
#include "tools/ntps/explore_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int NtpsAddString(char ***Array, size_t *Count, const char *Text)
{
    for (size_t i = 0; i < *Count; i++)
        if (!strcmp((*Array)[i], Text))
            return 1;
    char **Grown = realloc(*Array, (*Count + 1) * sizeof(char *));
    if (Grown == NULL)
        return 0;
    *Array = Grown;
    if ((Grown[*Count] = strdup(Text)) == NULL)
        return 0;
    (*Count)++;
    return 1;
}

void NtpsJsonString(FILE *File, const char *Text)
{
    fputc('"', File);
    for (const unsigned char *P = (const unsigned char *)(Text ? Text : ""); *P; P++) {
        if (*P == '"' || *P == '\\')
            fprintf(File, "\\%c", *P);
        else if (*P == '\n')
            fputs("\\n", File);
        else if (*P == '\t')
            fputs("\\t", File);
        else if (*P < 0x20)
            fprintf(File, "\\u%04x", *P);
        else
            fputc(*P, File);
    }
    fputc('"', File);
}

static const char *ExpKindName(int Status)
{
    switch (Status) {
    case NTPS_EXIT_BUGCHECK: return "bugcheck";
    case NTPS_EXIT_TIMEOUT: return "timeout";
    case NTPS_EXIT_STALL: return "deadlock";
    case NTPS_EXIT_VERIFIER: return "verifier";
    default: return "failure";
    }
}

/* One finding, on one line. */
static void ExpWriteFinding(FILE *File, const NTPS_FINDING *F)
{
    fprintf(File, "{\"kind\": \"%s\", \"status\": %d, ", ExpKindName(F->Status), F->Status);
    if (F->BugChecked)
        fprintf(File, "\"bugcheck\": \"0x%08lX\", ", (unsigned long)F->BugCheckCode);
    fprintf(File, "\"preemptions\": %lu, \"found_after\": %llu, \"schedule\": ", (unsigned long)F->Preemptions,
            F->FoundAfter);
    NtpsJsonString(File, F->Schedule);
    fputs(", \"replay\": ", File);
    NtpsJsonString(File, F->Replay);
    fputs(", \"backtrace\": [", File);
    int First = 1;
    for (const char *Line = F->Output; Line != NULL && *Line;) {
        const char *End = strchr(Line, '\n');
        size_t Length = End ? (size_t)(End - Line) : strlen(Line);
        if (Length > 3 && !strncmp(Line, "  #", 3)) {
            char *Copy = strndup(Line + 2, Length - 2);
            fputs(First ? "" : ", ", File);
            NtpsJsonString(File, Copy);
            free(Copy);
            First = 0;
        }
        Line = End ? End + 1 : NULL;
    }
    fputs("], \"output\": ", File);
    NtpsJsonString(File, F->Output);
    fputs("}", File);
}

static void ExpWriteStrings(FILE *File, const char *Indent, char **Items, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        fprintf(File, "%s", Indent);
        NtpsJsonString(File, Items[i]);
        fputs(i + 1 < Count ? ",\n" : "\n", File);
    }
}

int NtpsWriteExploreReport(const char *Path, const NTPS_EXPLORE_SUMMARY *S)
{
    FILE *File = !strcmp(Path, "-") ? stdout : fopen(Path, "w");
    if (File == NULL)
        return 0;
    fprintf(File, "{\n  \"tool\": \"ntps explore\",\n  \"strategy\": \"%s\",\n  \"shard\": \"%s\",\n", S->Strategy,
            S->Shard);
    fprintf(File, "  \"schedules_run\": %llu,\n  \"seconds\": %.3f,\n  \"schedules_per_second\": %.1f,\n",
            S->SchedulesRun, S->Seconds, S->Seconds > 0 ? (double)S->SchedulesRun / S->Seconds : 0.0);
    fprintf(File, "  \"failed_schedules\": %llu,\n  \"worker_boots\": %llu,\n  \"schedule_forks\": %llu,\n",
            S->FailedSchedules, S->WorkerBoots, S->Forks);
    /* workers' restore: copy every saved page, or only the written ones (wp-async) */
    static const char *const Restores[] = {"none", "copy", "wp-async", "wp-async+copy"};
    fprintf(File, "  \"restore\": \"%s\",\n", Restores[(S->RestoreMask >> 1) & 3]);
    fprintf(File, "  \"exhausted\": %s,\n  \"coverage\": {\n    \"distinct_schedules\": %zu,\n", S->Exhausted ? "true" : "false",
            S->KeyCount);
    fprintf(File, "    \"points\": %llu,\n    \"decisions\": %llu,\n    \"preemptions\": %llu,\n", S->Points,
            S->Decisions, S->Preemptions);
    fprintf(File, "    \"preemption_sites\": [\n");
    ExpWriteStrings(File, "      ", S->Sites, S->SiteCount);
    fprintf(File, "    ]\n  },\n  \"races\": [\n");
    ExpWriteStrings(File, "    ", S->Races, S->RaceCount);
    fprintf(File, "  ],\n  \"findings\": [\n");
    for (size_t i = 0; i < S->FindingCount; i++) {
        fputs("    ", File);
        ExpWriteFinding(File, &S->Findings[i]);
        fputs(i + 1 < S->FindingCount ? ",\n" : "\n", File);
    }
    fprintf(File, "  ],\n  \"schedules\": [\n");
    for (size_t i = 0; i < S->KeyCount; i++)
        fprintf(File, "    \"%016llx\"%s\n", S->Keys[i], i + 1 < S->KeyCount ? "," : "");
    fprintf(File, "  ]\n}\n");
    int Ok = !ferror(File);
    if (File != stdout)
        Ok = fclose(File) == 0 && Ok;
    return Ok;
}

/* ---- --merge ------------------------------------------------------------------------ */

static char *ExpStripLine(char *Line)
{
    size_t Length = strlen(Line);
    while (Length > 0 && (Line[Length - 1] == '\n' || Line[Length - 1] == ',' || Line[Length - 1] == ' '))
        Line[--Length] = 0;
    while (*Line == ' ')
        Line++;
    return Line;
}

static int ExpScalar(const char *Line, const char *Key, unsigned long long *Value)
{
    size_t Length = strlen(Key);
    if (Line[0] != '"' || strncmp(Line + 1, Key, Length) || strncmp(Line + 1 + Length, "\": ", 3))
        return 0;
    *Value += strtoull(Line + Length + 4, NULL, 10);
    return 1;
}

typedef struct _EXP_MERGE {
    NTPS_EXPLORE_SUMMARY S;
    EXP_KEYSET Keys;
    char **FindingLines;
    size_t FindingCount;
    char **RaceLines;               /* as JSON strings, quotes included */
    size_t RaceLineCount;
    int AllExhausted;
} EXP_MERGE;

static void ExpFreeStrings(char **Array, size_t Count)
{
    for (size_t i = 0; i < Count; i++)
        free(Array[i]);
    free(Array);
}

static void ExpMergeFree(EXP_MERGE *M, int Strategy)
{
    ExpFreeStrings(M->S.Sites, M->S.SiteCount);
    ExpFreeStrings(M->RaceLines, M->RaceLineCount);
    ExpFreeStrings(M->FindingLines, M->FindingCount);
    free(M->S.Keys);
    free(M->Keys.Slots);
    if (Strategy)
        free((char *)M->S.Strategy);
}

static int ExpMergeFile(EXP_MERGE *M, const char *Path)
{
    FILE *File = fopen(Path, "r");
    if (File == NULL) {
        fprintf(stderr, "ntps explore --merge: cannot read %s\n", Path);
        return 0;
    }
    char *Buffer = NULL;
    size_t Capacity = 0;
    int Section = 0, Seen = 0;
    unsigned long long Ignored = 0;
    while (getline(&Buffer, &Capacity, File) > 0) {
        char *Line = ExpStripLine(Buffer);
        if (!strcmp(Line, "\"tool\": \"ntps explore\""))
            Seen = 1;
        if (!strncmp(Line, "\"strategy\": \"", 13) && M->S.Strategy == NULL)
            M->S.Strategy = strndup(Line + 13, strlen(Line + 13) - 1);
        else if (!strcmp(Line, "\"exhausted\": false"))
            M->AllExhausted = 0;
        else if (!strcmp(Line, "\"preemption_sites\": ["))
            Section = 1;
        else if (!strcmp(Line, "\"races\": ["))
            Section = 4;
        else if (!strcmp(Line, "\"findings\": ["))
            Section = 2;
        else if (!strcmp(Line, "\"schedules\": ["))
            Section = 3;
        else if (Line[0] == ']')
            Section = 0;
        else if (Section == 1 && Line[0] == '"') {
            char *Site = strndup(Line + 1, strlen(Line) - 2);
            if (Site != NULL)
                NtpsAddString(&M->S.Sites, &M->S.SiteCount, Site);
            free(Site);
        }
        else if (Section == 4 && Line[0] == '"')
            NtpsAddString(&M->RaceLines, &M->RaceLineCount, Line);
        else if (Section == 2 && Line[0] == '{')
            NtpsAddString(&M->FindingLines, &M->FindingCount, Line);
        else if (Section == 3 && Line[0] == '"')
            ExpKeyAdd(&M->Keys, strtoull(Line + 1, NULL, 16));
        else if (ExpScalar(Line, "schedules_run", &M->S.SchedulesRun) || ExpScalar(Line, "points", &M->S.Points) ||
                 ExpScalar(Line, "decisions", &M->S.Decisions) || ExpScalar(Line, "preemptions", &M->S.Preemptions) ||
                 ExpScalar(Line, "failed_schedules", &M->S.FailedSchedules) ||
                 ExpScalar(Line, "worker_boots", &M->S.WorkerBoots) || ExpScalar(Line, "schedule_forks", &M->S.Forks) ||
                 ExpScalar(Line, "distinct_schedules", &Ignored))
            continue;
        else if (!strncmp(Line, "\"seconds\": ", 11) && strtod(Line + 11, NULL) > M->S.Seconds)
            M->S.Seconds = strtod(Line + 11, NULL);     /* shards run side by side */
    }
    free(Buffer);
    fclose(File);
    if (!Seen)
        fprintf(stderr, "ntps explore --merge: %s is not a report of ntps explore\n", Path);
    return Seen;
}

int NtpsExploreMerge(int argc, char **argv)
{
    EXP_MERGE M;
    memset(&M, 0, sizeof(M));
    M.AllExhausted = 1;
    const char *Out = NULL;
    int Files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--merge"))
            continue;
        if (!strcmp(argv[i], "--report") && i + 1 < argc) {
            Out = argv[++i];
        } else if (!strncmp(argv[i], "--report=", 9)) {
            Out = argv[i] + 9;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "ntps explore --merge: unknown option '%s' (only --report FILE)\n", argv[i]);
            return NTPS_EXIT_USAGE;
        } else {
            if (!ExpMergeFile(&M, argv[i])) {
                ExpMergeFree(&M, 1);
                return NTPS_EXIT_USAGE;
            }
            Files++;
        }
    }
    if (Files == 0) {
        fprintf(stderr, "ntps explore --merge: give the reports to merge\n");
        return NTPS_EXIT_USAGE;
    }
    int OwnStrategy = M.S.Strategy != NULL;
    if (M.S.Strategy == NULL)
        M.S.Strategy = "?";
    snprintf(M.S.Shard, sizeof(M.S.Shard), "merged from %d", Files);
    M.S.Exhausted = M.AllExhausted;
    M.S.Keys = malloc((M.Keys.Count + 1) * sizeof(*M.S.Keys));
    for (size_t i = 0; M.S.Keys != NULL && i < M.Keys.Capacity; i++)
        if (M.Keys.Slots[i] != 0)
            M.S.Keys[M.S.KeyCount++] = M.Keys.Slots[i];
    /* the findings stay as their shards wrote them */
    FILE *File = Out == NULL ? stdout : fopen(Out, "w");
    if (File == NULL) {
        fprintf(stderr, "ntps explore --merge: cannot write %s\n", Out);
        ExpMergeFree(&M, OwnStrategy);
        return NTPS_EXIT_USAGE;
    }
    NTPS_EXPLORE_SUMMARY Copy = M.S;
    Copy.FindingCount = 0;
    /* written to a temporary, then copied with the findings' lines spliced in */
    char Temp[] = "/tmp/ntps-merge-XXXXXX";
    int Fd = mkstemp(Temp);
    if (Fd < 0)
        return NTPS_EXIT_INTERNAL;
    close(Fd);
    NtpsWriteExploreReport(Temp, &Copy);
    FILE *In = fopen(Temp, "r");
    char *Buffer = NULL;
    size_t Capacity = 0;
    while (In != NULL && getline(&Buffer, &Capacity, In) > 0) {
        fputs(Buffer, File);
        if (!strcmp(Buffer, "  \"races\": [\n"))
            for (size_t i = 0; i < M.RaceLineCount; i++)
                fprintf(File, "    %s%s\n", M.RaceLines[i], i + 1 < M.RaceLineCount ? "," : "");
        if (!strcmp(Buffer, "  \"findings\": [\n"))
            for (size_t i = 0; i < M.FindingCount; i++)
                fprintf(File, "    %s%s\n", M.FindingLines[i], i + 1 < M.FindingCount ? "," : "");
    }
    free(Buffer);
    if (In != NULL)
        fclose(In);
    unlink(Temp);
    if (File != stdout)
        fclose(File);
    fprintf(stderr, "ntps explore --merge: %d reports, %llu schedules, %zu distinct, %zu finding%s\n", Files,
            M.S.SchedulesRun, M.S.KeyCount, M.FindingCount, M.FindingCount == 1 ? "" : "s");
    int Status = M.FindingCount != 0 ? NTPS_EXIT_BUGCHECK : NTPS_EXIT_OK;
    ExpMergeFree(&M, OwnStrategy);
    return Status;
}
