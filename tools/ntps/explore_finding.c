/*
 * tools/ntps/explore_finding.c - a finding: shrink its decision list
 * (drop decisions, move the rest earlier, as long as the same failure
 * comes back), run it once more to capture its report, and print the
 * `replay: ntps run ...` line that reproduces it; the closing summary.
 */
#include "tools/ntps/explore_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXP_SHRINK_RUNS 400

static const char *ExpStatusName(int Status)
{
    switch (Status) {
    case NTPS_EXIT_LOAD: return "driver did not start";
    case NTPS_EXIT_BUGCHECK: return "bug check";
    case NTPS_EXIT_TIMEOUT: return "timeout";
    case NTPS_EXIT_STALL: return "deadlock";
    case NTPS_EXIT_VERIFIER: return "verifier report";
    case NTPS_EXIT_INJECT: return "injected failure not survived";
    default: return "failed run";
    }
}

/* Shell-quote Text onto Line if it needs it. */
static void ExpAppendArg(char *Line, size_t Size, const char *Text)
{
    size_t Length = strlen(Line);
    int Plain = Text[0] != 0;
    for (const char *P = Text; *P; P++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,+-@%", *P))
            Plain = 0;
    if (Plain) {
        snprintf(Line + Length, Size - Length, " %s", Text);
        return;
    }
    Length += (size_t)snprintf(Line + Length, Size - Length, " '");
    for (const char *P = Text; *P && Length + 8 < Size; P++)
        Length += (size_t)(*P == '\'' ? snprintf(Line + Length, Size - Length, "'\\''")
                                      : snprintf(Line + Length, Size - Length, "%c", *P));
    snprintf(Line + Length, Size - Length, "'");
}

static int ExpHasOption(EXPLORE *Exp, const char *Option)
{
    size_t Length = strlen(Option);
    for (int i = 0; i < Exp->RunArgCount; i++)
        if (!strncmp(Exp->RunArgs[i], Option, Length) && (Exp->RunArgs[i][Length] == 0 || Exp->RunArgs[i][Length] == '='))
            return 1;
    return 0;
}

/* `ntps run` with the same options, the same processors and boot seed, and the schedule. */
const char *ExpReplayLine(EXPLORE *Exp, const char *Schedule)
{
    static char *Line;
    size_t Size = 4096 + strlen(Schedule);
    for (int i = 0; i < Exp->RunArgCount; i++)
        Size += strlen(Exp->RunArgs[i]) * 4 + 4;
    free(Line);
    Line = malloc(Size);
    if (Line == NULL)
        return "ntps run (out of memory)";
    snprintf(Line, Size, "ntps run --sim");
    for (int i = 0; i < Exp->RunArgCount; i++)
        ExpAppendArg(Line, Size, Exp->RunArgs[i]);
    size_t Length = strlen(Line);
    if (!ExpHasOption(Exp, "--cpus"))
        Length += (size_t)snprintf(Line + Length, Size - Length, " --cpus %lu", (unsigned long)Exp->Cpus);
    if (!ExpHasOption(Exp, "--seed"))
        Length += (size_t)snprintf(Line + Length, Size - Length, " --seed %llu", (unsigned long long)Exp->BootSeed);
    if (!ExpHasOption(Exp, "--timeout"))
        Length += (size_t)snprintf(Line + Length, Size - Length, " --timeout %lu", (unsigned long)Exp->TimeoutSeconds);
    snprintf(Line + Length, Size - Length, " --schedule %s", Schedule);
    return Line;
}

/* Run List; 1 if it fails as the finding did (then *Out holds the decisions
 * it took), 0 if not, 2 in the child. */
static int ExpSame(EXPLORE *Exp, const KI_SIM_DECISION *List, ULONG Count, KI_SIM_DECISION **Out, ULONG *OutCount)
{
    int Status;
    int Ran = ExpRunOne(Exp, List, Count, &Status);
    if (Ran != 1)
        return Ran;
    const KI_SIM_RECORD *Record = &Exp->Slots[Exp->OneEntry].Record;
    if (Status != Exp->PendingStatus || Record->BugChecked != Exp->PendingBugChecked ||
        (Record->BugChecked && Record->BugCheckCode != Exp->PendingCode) || Record->Overflow)
        return 0;
    KI_SIM_DECISION *Copy = malloc((Record->ForcedCount + 1) * sizeof(*Copy));
    if (Copy == NULL)
        return 0;
    memcpy(Copy, Record->Forced, Record->ForcedCount * sizeof(*Copy));
    free(*Out);
    *Out = Copy;
    *OutCount = Record->ForcedCount;
    return 1;
}

/* Fewer decisions, then earlier ones, while the failure stays the same. */
static int ExpShrink(EXPLORE *Exp)
{
    int Runs = 0, Changed = 1;
    KI_SIM_DECISION *Trial = malloc((Exp->PendingCount + 1) * sizeof(*Trial));
    if (Trial == NULL)
        return 0;
    while (Changed && Runs < EXP_SHRINK_RUNS) {
        Changed = 0;
        /* drop runs of decisions, halving their length (delta debugging) */
        for (ULONG Chunk = Exp->PendingCount; Chunk >= 1 && Runs < EXP_SHRINK_RUNS;
             Chunk = Chunk == 1 ? 0 : (Chunk + 1) / 2) {
            for (ULONG Start = 0; Start < Exp->PendingCount && Runs < EXP_SHRINK_RUNS;) {
                ULONG n = 0;
                for (ULONG i = 0; i < Exp->PendingCount; i++)
                    if (i < Start || i >= Start + Chunk)
                        Trial[n++] = Exp->PendingList[i];
                Runs++;
                int Same = ExpSame(Exp, Trial, n, &Exp->PendingList, &Exp->PendingCount);
                if (Same == 2)
                    return 2;
                if (Same)
                    Changed = 1;    /* the same start now names the next run */
                else
                    Start += Chunk;
            }
        }
        /* other picks as the first alternative */
        for (ULONG i = 0; i < Exp->PendingCount && Runs < EXP_SHRINK_RUNS; i++) {
            if (Exp->PendingList[i].Value == 1)
                continue;
            memcpy(Trial, Exp->PendingList, Exp->PendingCount * sizeof(*Trial));
            Trial[i].Value = 1;
            Runs++;
            int Same = ExpSame(Exp, Trial, Exp->PendingCount, &Exp->PendingList, &Exp->PendingCount);
            if (Same == 2)
                return 2;
            Changed |= Same;
        }
        for (ULONG i = 0; i < Exp->PendingCount && Runs < EXP_SHRINK_RUNS; i++) {
            /* binary search for the earliest index of decision i that still fails */
            ULONG Low = i ? Exp->PendingList[i - 1].Index + 1 : 0;
            while (i < Exp->PendingCount && Low < Exp->PendingList[i].Index && Runs < EXP_SHRINK_RUNS) {
                ULONG High = Exp->PendingList[i].Index;
                memcpy(Trial, Exp->PendingList, Exp->PendingCount * sizeof(*Trial));
                Trial[i].Index = Low + (High - Low) / 2;
                ULONG Count = Exp->PendingCount;
                Runs++;
                int Same = ExpSame(Exp, Trial, Count, &Exp->PendingList, &Exp->PendingCount);
                if (Same == 2)
                    return 2;
                if (Same && Exp->PendingCount == Count && Exp->PendingList[i].Index < High)
                    Changed = 1;
                else if (!Same)
                    Low = Trial[i].Index + 1;
                else
                    break;
            }
        }
    }
    free(Trial);
    return 0;
}

/* Run the shrunk schedule once more with its output kept. */
static char *ExpCapture(EXPLORE *Exp, int *Status)
{
    FILE *File = tmpfile();
    if (File == NULL)
        return NULL;
    Exp->CaptureFd = fileno(File);
    int Ran = ExpRunOne(Exp, Exp->PendingList, Exp->PendingCount, Status);
    Exp->CaptureFd = -1;
    if (Ran == 2)
        return (char *)-1;
    fseek(File, 0, SEEK_END);
    long Size = ftell(File);
    if (Size > 65536) {
        fseek(File, Size - 65536, SEEK_SET);
        Size = 65536;
    } else {
        rewind(File);
    }
    char *Text = calloc(1, (size_t)Size + 1);
    if (Text != NULL && fread(Text, 1, (size_t)Size, File) != (size_t)Size)
        Text[0] = 0;
    fclose(File);
    return Text;
}

/* Shrink the pending finding, capture its report, print it with its replay line. */
int ExpFinishFinding(EXPLORE *Exp)
{
    ULONG Original = Exp->PendingCount;
    if (ExpShrink(Exp) == 2)
        return 2;
    int Status = Exp->PendingStatus;
    char *Output = ExpCapture(Exp, &Status);
    if (Output == (char *)-1)
        return 2;
    NTPS_FINDING *Findings = realloc(Exp->Summary.Findings, (Exp->Summary.FindingCount + 1) * sizeof(*Findings));
    if (Findings == NULL)
        return 0;
    Exp->Summary.Findings = Findings;
    NTPS_FINDING *F = &Findings[Exp->Summary.FindingCount++];
    memset(F, 0, sizeof(*F));
    F->Status = Exp->PendingStatus;
    F->BugCheckCode = Exp->PendingCode;
    F->BugChecked = Exp->PendingBugChecked;
    F->Schedule = NtpsFormatList(Exp->PendingList, Exp->PendingCount);
    F->Replay = strdup(ExpReplayLine(Exp, F->Schedule ? F->Schedule : "list:"));
    F->Preemptions = Exp->PendingCount;
    F->FoundAfter = Exp->PendingAfter;
    F->Output = Output;
    if (Output != NULL)
        fputs(Output, stdout);
    printf("ntps explore: finding: %s", ExpStatusName(F->Status));
    if (F->BugChecked)
        printf(" 0x%08lX", (unsigned long)F->BugCheckCode);
    printf(" (exit status %d) after %llu schedules, %.3f s; shrunk from %lu to %lu nonzero decisions%s\n",
           F->Status, F->FoundAfter, Exp->PendingSeconds, (unsigned long)Original, (unsigned long)Exp->PendingCount,
           Status == F->Status ? "" : " (the capture run ended differently!)");
    printf("replay: %s\n", F->Replay);
    fflush(stdout);
    free(Exp->PendingList);
    Exp->PendingList = NULL;
    Exp->FindingPending = FALSE;
    return 0;
}

/* The closing lines and the report; the exit status. */
int ExpFinish(EXPLORE *Exp)
{
    NTPS_EXPLORE_SUMMARY *S = &Exp->Summary;
    S->Seconds = ExpNow() - Exp->StartTime;
    S->Keys = malloc((Exp->Distinct.Count + 1) * sizeof(*S->Keys));
    if (S->Keys != NULL)
        for (size_t i = 0; i < Exp->Distinct.Capacity; i++)
            if (Exp->Distinct.Slots[i] != 0)
                S->Keys[S->KeyCount++] = Exp->Distinct.Slots[i];
    if (Exp->ReportPath != NULL && !NtpsWriteExploreReport(Exp->ReportPath, S))
        fprintf(stderr, "ntps explore: cannot write the report to %s\n", Exp->ReportPath);
    printf("ntps explore: %s, shard %s: %llu schedules in %.2f s (%.0f a second), %zu distinct, %llu points, "
           "%zu preemption sites%s\n", S->Strategy, S->Shard, S->SchedulesRun, S->Seconds,
           S->Seconds > 0 ? (double)S->SchedulesRun / S->Seconds : 0.0, S->KeyCount, S->Points, S->SiteCount,
           S->Exhausted ? " (the search is complete)" : "");
    if (S->RaceCount != 0) {
        printf("ntps explore: %zu data race%s seen on the way:\n", S->RaceCount, S->RaceCount == 1 ? "" : "s");
        for (size_t i = 0; i < S->RaceCount; i++)
            printf("%s", S->Races[i]);
    }
    if (Exp->InternalError) {
        printf("ntps explore: a schedule ended in an internal error of ntps (status 70)\n");
        fflush(NULL);
        return NTPS_EXIT_INTERNAL;
    }
    if (S->FindingCount == 0) {
        printf("no finding in %llu schedules\n", S->SchedulesRun);
        fflush(NULL);
        return NTPS_EXIT_OK;
    }
    printf("replay: %s\n", S->Findings[0].Replay);
    fflush(NULL);
    return NTPS_EXIT_BUGCHECK;
}
