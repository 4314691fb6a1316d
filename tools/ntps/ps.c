/*
 * tools/ntps/ps.c - `ntps ps FILE`: the processes (and with --threads
 * their threads) of a finished run, from the run record `ntps run
 * --record FILE` wrote (docs/run-record.md), as tasklist and WinDbg's
 * `!process 0 0` list them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char NtpsPsUsage[] =
    "usage: ntps ps [--threads] FILE\n"
    "\n"
    "List the processes of a finished run from its run record, which\n"
    "`ntps run --record FILE` writes: every process created during the run,\n"
    "ended ones included, in creation order, with its PID, parent PID,\n"
    "subsystem (win32 or wsl), threads created, exit status (NTSTATUS; '-' if it\n"
    "was still running at the end) and create and exit times (ms since boot,\n"
    "virtual time in a simulation), image name and path.\n"
    "\n"
    "  --threads   also list each process's threads: TID, kind (system or user),\n"
    "              exit status, create and exit times\n"
    "  --help      this text\n";

#define NTPS_PS_FIELDS 10

typedef struct _NTPS_PS_LINE {
    char *Fields[NTPS_PS_FIELDS];
    int Count;
} NTPS_PS_LINE;

/* Split Line (modified) at tabs. */
static void NtpsPsSplit(char *Line, NTPS_PS_LINE *Out)
{
    Out->Count = 0;
    char *p = Line;
    while (Out->Count < NTPS_PS_FIELDS) {
        Out->Fields[Out->Count++] = p;
        char *Tab = strchr(p, '\t');
        if (Tab == NULL)
            break;
        *Tab = 0;
        p = Tab + 1;
    }
    char *End = Out->Fields[Out->Count - 1];
    End[strcspn(End, "\r\n")] = 0;
}

typedef struct _NTPS_PS_THREAD {
    char *Text;             /* the line, split */
    NTPS_PS_LINE Line;
    unsigned long Process;  /* the process's index */
} NTPS_PS_THREAD;

static int NtpsPsFail(const char *Path, unsigned long LineNumber, const char *What)
{
    fprintf(stderr, "ntps ps: %s:%lu: %s; is this a file `ntps run --record FILE` wrote?\n", Path, LineNumber, What);
    return 1;
}

static void NtpsPsPrintThreads(NTPS_PS_THREAD *Threads, unsigned long Count, unsigned long Process)
{
    for (unsigned long i = 0; i < Count; i++) {
        NTPS_PS_LINE *T = &Threads[i].Line;
        if (Threads[i].Process == Process)
            printf("        TID %-7s %-7s %-11s %12s %12s\n", T->Fields[1], T->Fields[3], T->Fields[4], T->Fields[5],
                   T->Fields[6]);
    }
}

int NtpsPsMain(int argc, char **argv)
{
    int WithThreads = 0;
    const char *Path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(NtpsPsUsage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--threads")) {
            WithThreads = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != 0) {
            fprintf(stderr, "ntps ps: unknown option '%s' (see `ntps ps --help`)\n", argv[i]);
            return 1;
        } else if (Path != NULL) {
            fprintf(stderr, "ntps ps: one run record at a time ('%s' and '%s')\n", Path, argv[i]);
            return 1;
        } else {
            Path = argv[i];
        }
    }
    if (Path == NULL) {
        fprintf(stderr, "ntps ps: which run record? `ntps run --record FILE ...` writes one; then `ntps ps FILE`\n");
        return 1;
    }
    FILE *In = fopen(Path, "r");
    if (In == NULL) {
        fprintf(stderr, "ntps ps: cannot open %s: %s\n", Path, strerror(errno));
        return 1;
    }
    char *Text = NULL;
    size_t Size = 0;
    unsigned long LineNumber = 0, Processes = 0, ThreadCount = 0, ThreadCapacity = 0;
    NTPS_PS_THREAD *Threads = NULL;
    NTPS_PS_THREAD *ProcessLines = NULL;   /* the same shape: text and its fields */
    int Status = 0;
    /* Threads follow processes in the file: read everything first. */
    while (getline(&Text, &Size, In) >= 0) {
        LineNumber++;
        NTPS_PS_LINE Line;
        char *Copy = strdup(Text);
        if (Copy == NULL) {
            Status = NtpsPsFail(Path, LineNumber, "out of memory");
            break;
        }
        NtpsPsSplit(Copy, &Line);
        if (LineNumber == 1) {
            int Record = Line.Count == 2 && !strcmp(Line.Fields[0], "ntps-run-record");
            int Version = Record && !strcmp(Line.Fields[1], "1");
            free(Copy);
            if (!Record) {
                Status = NtpsPsFail(Path, LineNumber, "not a run record (it starts with 'ntps-run-record')");
                break;
            }
            if (!Version) {
                Status = NtpsPsFail(Path, LineNumber, "a run record of a version this ntps does not read");
                break;
            }
        } else if (!strcmp(Line.Fields[0], "run") && Line.Count == 6) {
            printf("run: %s, %s processor%s%s%s, exit status %s, %s ms\n", Line.Fields[1], Line.Fields[2],
                   strcmp(Line.Fields[2], "1") ? "s" : "", !strcmp(Line.Fields[1], "simulation") ? ", seed " : "",
                   !strcmp(Line.Fields[1], "simulation") ? Line.Fields[3] : "", Line.Fields[4], Line.Fields[5]);
            free(Copy);
        } else if (!strcmp(Line.Fields[0], "process") && Line.Count == 10) {
            NTPS_PS_THREAD *Grown = realloc(ProcessLines, (Processes + 1) * sizeof(NTPS_PS_THREAD));
            if (Grown == NULL) {
                free(Copy);
                Status = NtpsPsFail(Path, LineNumber, "out of memory");
                break;
            }
            ProcessLines = Grown;
            ProcessLines[Processes] = (NTPS_PS_THREAD){ Copy, Line, Processes };
            Processes++;
        } else if (!strcmp(Line.Fields[0], "thread") && Line.Count == 8) {
            char *End;
            unsigned long Process = strtoul(Line.Fields[7], &End, 10);
            if (*End != 0 || Process >= Processes) {
                free(Copy);
                Status = NtpsPsFail(Path, LineNumber, "a thread of no process listed before it");
                break;
            }
            if (ThreadCount == ThreadCapacity) {
                ThreadCapacity = ThreadCapacity ? 2 * ThreadCapacity : 256;
                NTPS_PS_THREAD *Grown = realloc(Threads, ThreadCapacity * sizeof(NTPS_PS_THREAD));
                if (Grown == NULL) {
                    free(Copy);
                    Status = NtpsPsFail(Path, LineNumber, "out of memory");
                    break;
                }
                Threads = Grown;
            }
            Threads[ThreadCount++] = (NTPS_PS_THREAD){ Copy, Line, Process };
        } else {
            free(Copy);
            Status = NtpsPsFail(Path, LineNumber, "a line that is not run, process or thread");
            break;
        }
    }
    if (Status == 0 && LineNumber == 0)
        Status = NtpsPsFail(Path, 1, "empty file");
    fclose(In);
    free(Text);
    if (Status == 0) {
        printf("%-7s %-7s %-6s %-7s %-11s %12s %12s  %-15s %s\n", "PID", "PPID", "SUBSYS", "THREADS", "EXIT",
               "CREATED(ms)", "EXITED(ms)", "IMAGE", "PATH");
        for (unsigned long i = 0; i < Processes; i++) {
            NTPS_PS_LINE P = ProcessLines[i].Line;
            printf("%-7s %-7s %-6s %-7s %-11s %12s %12s  %-15s %s\n", P.Fields[1], P.Fields[2], P.Fields[3],
                   P.Fields[4], P.Fields[5], P.Fields[6], P.Fields[7], P.Fields[8], P.Fields[9]);
            if (WithThreads)
                NtpsPsPrintThreads(Threads, ThreadCount, i);
        }
        printf("%lu process%s, %lu thread%s\n", Processes, Processes == 1 ? "" : "es", ThreadCount,
               ThreadCount == 1 ? "" : "s");
    }
    for (unsigned long i = 0; i < Processes; i++)
        free(ProcessLines[i].Text);
    for (unsigned long i = 0; i < ThreadCount; i++)
        free(Threads[i].Text);
    free(ProcessLines);
    free(Threads);
    return Status;
}
