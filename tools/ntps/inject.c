/*
 * tools/ntps/inject.c - `ntps run --inject=each`: a series of runs of the
 * same drivers, each a child `ntps run` that fails one allocation or
 * creation call site (ex/inject.c) the first time it is reached. The first
 * child fails nothing and records the sites it sees; every child records
 * the sites it reaches (a failure path may reach new ones), and each
 * recorded site gets a run of its own. A site whose failure the drivers do
 * not survive (a bug check, a leak at unload, a timeout, a deadlock) is
 * reported with its backtrace and the end of that run's report.
 */
#include "host/host.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTPS_INJECT_MAX_SITES 1024
#define NTPS_INJECT_DEFAULT_TIMEOUT "30"

extern char **environ;

typedef struct _NTPS_SITE {
    unsigned long long Key;
    char *Line;         /* DDI and frames, tab-separated */
} NTPS_SITE;

typedef struct _NTPS_SERIES {
    char **Argv;        /* the child's command line; the site's slot is filled per run */
    int SiteSlot;
    char RecordPath[64], OutputPath[64];
    NTPS_SITE Sites[NTPS_INJECT_MAX_SITES];
    unsigned Count;
} NTPS_SERIES;

/* Add the sites recorded since the last look. */
static void NtpsReadSites(NTPS_SERIES *S)
{
    FILE *F = fopen(S->RecordPath, "r");
    if (F == NULL)
        return;
    char Line[4096];
    while (fgets(Line, sizeof(Line), F) != NULL) {
        Line[strcspn(Line, "\n")] = 0;
        char *Tab = strchr(Line, '\t');
        if (Tab == NULL)
            continue;
        unsigned long long Key = strtoull(Line, NULL, 16);
        unsigned i = 0;
        while (i < S->Count && S->Sites[i].Key != Key)
            i++;
        if (i == S->Count && S->Count < NTPS_INJECT_MAX_SITES) {
            S->Sites[S->Count].Key = Key;
            S->Sites[S->Count++].Line = strdup(Tab + 1);
        }
    }
    fclose(F);
}

/* One child run; its exit status (128 + signal when killed). */
static int NtpsRunChild(NTPS_SERIES *S, unsigned long long Key)
{
    char Site[32];
    snprintf(Site, sizeof(Site), "%016llx", Key);
    S->Argv[S->SiteSlot] = Site;
    posix_spawn_file_actions_t Actions;
    posix_spawn_file_actions_init(&Actions);
    posix_spawn_file_actions_addopen(&Actions, 1, S->OutputPath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&Actions, 1, 2);
    pid_t Pid;
    fflush(NULL);
    int Error = posix_spawn(&Pid, "/proc/self/exe", &Actions, NULL, S->Argv, environ);
    posix_spawn_file_actions_destroy(&Actions);
    if (Error != 0) {
        fprintf(stderr, "ntps run: --inject: cannot start a run: %s\n", strerror(Error));
        return NTPS_EXIT_INTERNAL;
    }
    int Status;
    while (waitpid(Pid, &Status, 0) < 0)
        ;
    return WIFEXITED(Status) ? WEXITSTATUS(Status) : 128 + WTERMSIG(Status);
}

/* A run the drivers survived: it ended, or a DriverEntry failed cleanly. */
static int NtpsSurvived(int Status)
{
    return Status == NTPS_EXIT_OK || Status == NTPS_EXIT_LOAD;
}

/* The part of the child's output that says how it ended. */
static void NtpsPrintOutcome(NTPS_SERIES *S, int Status)
{
    FILE *F = fopen(S->OutputPath, "r");
    char Line[1024];
    int Printing = 0, Printed = 0;
    printf("  result: exit status %d%s\n", Status,
           Status == NTPS_EXIT_BUGCHECK ? " (bug check)" : Status == NTPS_EXIT_TIMEOUT ? " (timeout: a hang)"
           : Status == NTPS_EXIT_STALL ? " (deadlock)" : "");
    while (F != NULL && fgets(Line, sizeof(Line), F) != NULL && Printed < 12) {
        if (!strncmp(Line, "BUGCHECK", 8) || strstr(Line, "leaked pool:") || strstr(Line, "unloaded with") ||
            !strncmp(Line, "ntps: timeout", 13) || !strncmp(Line, "ntps: deadlock", 14) ||
            strstr(Line, "internal error"))
            Printing = 1;
        if (Printing && !strncmp(Line, "backtrace", 9))
            break;
        if (Printing && Line[0] != '\n') {
            printf("  | %s", Line);
            Printed++;
        }
    }
    if (F != NULL)
        fclose(F);
}

static int NtpsOutputHas(NTPS_SERIES *S, const char *Text)
{
    FILE *F = fopen(S->OutputPath, "r");
    char Line[1024];
    int Found = 0;
    while (F != NULL && !Found && fgets(Line, sizeof(Line), F) != NULL)
        Found = strstr(Line, Text) != NULL;
    if (F != NULL)
        fclose(F);
    return Found;
}

static void NtpsPrintSite(const NTPS_SITE *Site, unsigned Number)
{
    char *Copy = strdup(Site->Line), *Save = NULL;
    char *Ddi = strtok_r(Copy, "\t", &Save);
    printf("ntps: inject: site %u (%016llx): the drivers did not survive %s failing at:\n", Number, Site->Key,
           Ddi != NULL ? Ddi : "?");
    unsigned Frame = 0;
    for (char *F = strtok_r(NULL, "\t", &Save); F != NULL; F = strtok_r(NULL, "\t", &Save))
        printf("  #%-2u %s\n", Frame++, F);
    free(Copy);
}

static void NtpsBuildChildArgv(NTPS_SERIES *S, int argc, char **argv, int HasTimeout)
{
    S->Argv = calloc((size_t)argc + 12, sizeof(char *));
    int n = 0;
    S->Argv[n++] = "ntps";
    S->Argv[n++] = "run";
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--inject", 8)) {
            if (!strcmp(argv[i], "--inject"))
                i++;        /* its value */
            continue;
        }
        S->Argv[n++] = argv[i];
    }
    if (!HasTimeout) {
        S->Argv[n++] = "--timeout";
        S->Argv[n++] = NTPS_INJECT_DEFAULT_TIMEOUT;
    }
    S->Argv[n++] = "--inject-record";
    S->Argv[n++] = S->RecordPath;
    S->Argv[n++] = "--inject-site";
    S->SiteSlot = n++;
    S->Argv[n] = NULL;
}

/* argv: `run` and its arguments, as NtpsRunMain got them. */
int NtpsInjectEach(int argc, char **argv, int HasTimeout)
{
    NTPS_SERIES *S = calloc(1, sizeof(*S));
    strcpy(S->RecordPath, "/tmp/ntps-inject-sites-XXXXXX");
    strcpy(S->OutputPath, "/tmp/ntps-inject-run-XXXXXX");
    int Fd1 = mkstemp(S->RecordPath), Fd2 = mkstemp(S->OutputPath);
    if (Fd1 < 0 || Fd2 < 0) {
        fprintf(stderr, "ntps run: --inject: cannot create temporary files\n");
        return NTPS_EXIT_INTERNAL;
    }
    close(Fd1);
    close(Fd2);
    NtpsBuildChildArgv(S, argc, argv, HasTimeout);

    int Status = NtpsRunChild(S, 0);
    if (!NtpsSurvived(Status)) {
        printf("ntps: inject: the run fails with no failure injected:\n");
        NtpsPrintOutcome(S, Status);
    } else {
        NtpsReadSites(S);
        unsigned Survived = 0, Failed = 0, Unreached = 0;
        for (unsigned i = 0; i < S->Count; i++) {
            char Marker[48];
            snprintf(Marker, sizeof(Marker), "(site %016llx)", S->Sites[i].Key);
            int Result = NtpsRunChild(S, S->Sites[i].Key);
            NtpsReadSites(S);
            if (!NtpsOutputHas(S, Marker)) {
                Unreached++;        /* this run took another path (threads, timing) */
            } else if (NtpsSurvived(Result)) {
                Survived++;
            } else {
                Failed++;
                NtpsPrintSite(&S->Sites[i], i + 1);
                NtpsPrintOutcome(S, Result);
            }
        }
        printf("ntps: inject: %u call site%s failed in turn: %u survived, %u not survived%s", S->Count,
               S->Count == 1 ? "" : "s", Survived, Failed, Unreached ? ", " : "\n");
        if (Unreached)
            printf("%u not reached again\n", Unreached);
        Status = Failed != 0 ? NTPS_EXIT_INJECT : NTPS_EXIT_OK;
    }
    unlink(S->RecordPath);
    unlink(S->OutputPath);
    for (unsigned i = 0; i < S->Count; i++)
        free(S->Sites[i].Line);
    free(S->Argv);
    free(S);
    fflush(stdout);
    return Status;
}
