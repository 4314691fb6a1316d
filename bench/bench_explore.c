/*
 * bench/bench_explore.c - `ntps explore`'s speed, by running the ntps
 * command as a user does:
 *   - schedules a second on a correct 3-thread driver (random schedules,
 *     --jobs 1 and 2): explore's workers (one process a job, its memory
 *     put back in place between schedules: tools/ntps/explore_reset.c)
 *     against a fork of the snapshot per schedule (NTPS_EXPLORE_FORK=1),
 *     booting the kernel for each schedule (`ntps run --sim` per
 *     schedule) and the floor of any fork-per-schedule design on this
 *     machine (fork, _exit, wait of a tiny process);
 *   - the time to find the torn-pair bug (tests/drivers/explore_torn.c)
 *     with the default strategy, against --strategy random.
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_SCHEDULES 20000
#define BENCH_FORK_SCHEDULES 400

static double BenchFoundSeconds;    /* the last run's "finding: ... after N schedules, S s" */

/* Run a command; its output's "N schedules in S s" line, and its exit status. */
static int BenchExploreEnv(const char *Environment, const char *Arguments, double *Schedules, double *Seconds)
{
    char Command[1200];
    snprintf(Command, sizeof(Command), "%s %s explore --scenario none %s 2>&1", Environment, NTPS_BENCH_NTPS,
             Arguments);
    FILE *Pipe = popen(Command, "r");
    if (Pipe == NULL)
        return -1;
    char Line[4096];
    *Schedules = *Seconds = 0;
    BenchFoundSeconds = 0;
    while (fgets(Line, sizeof(Line), Pipe) != NULL) {
        const char *Found = strstr(Line, " schedules, ");
        if (!strncmp(Line, "ntps explore: finding: ", 23) && Found != NULL && BenchFoundSeconds == 0)
            sscanf(Found + 12, "%lf s;", &BenchFoundSeconds);
        const char *P = strstr(Line, ": ");
        if (!strncmp(Line, "ntps explore: ", 14) && P != NULL && strstr(Line, " schedules in ") != NULL)
            sscanf(strchr(Line + 14, ':') + 2, "%lf schedules in %lf s", Schedules, Seconds);
    }
    int Status = pclose(Pipe);
    return WIFEXITED(Status) ? WEXITSTATUS(Status) : -1;
}

static int BenchExplore(const char *Arguments, double *Schedules, double *Seconds)
{
    return BenchExploreEnv("", Arguments, Schedules, Seconds);
}

/* Microseconds a schedule of the 3-thread driver, Jobs at once; 0 on failure. */
static double BenchExploreRate(const char *Environment, long Jobs, int Count)
{
    char Arguments[1024];
    double Schedules, Seconds;
    snprintf(Arguments, sizeof(Arguments), "--driver %s/explore3.so --strategy random --jobs %ld --schedules %d",
             NTPS_BENCH_DIR, Jobs, Count);
    if (BenchExploreEnv(Environment, Arguments, &Schedules, &Seconds) != 0 || Schedules == 0)
        return 0;
    return Seconds * 1e6 / Schedules;
}

static double BenchForkFloor(int Jobs, int Count)
{
    double Start = BenchNow();
    int Running = 0;
    for (int i = 0; i < Count; i++) {
        if (Running == Jobs) {
            wait(NULL);
            Running--;
        }
        pid_t Pid = fork();
        if (Pid == 0)
            _exit(0);
        Running += Pid > 0;
    }
    while (Running-- > 0)
        wait(NULL);
    return (BenchNow() - Start) / Count;
}

static double BenchBootPerSchedule(int Count)
{
    char Command[1024];
    snprintf(Command, sizeof(Command), "%s run --sim --scenario none --cpus 2 --quiet --driver %s/explore3.so --seed %%d "
             ">/dev/null 2>&1", NTPS_BENCH_NTPS, NTPS_BENCH_DIR);
    double Start = BenchNow();
    for (int i = 0; i < Count; i++) {
        char Run[1100];
        snprintf(Run, sizeof(Run), Command, i + 1);
        if (system(Run) != 0)
            return 0;
    }
    return (BenchNow() - Start) / Count;
}

VOID BenchExploreSpeed(VOID)
{
    long Cores = sysconf(_SC_NPROCESSORS_ONLN);
    char Arguments[1024];
    for (long Jobs = 1; Jobs <= 2; Jobs++) {
        double Worker = BenchExploreRate("", Jobs, BENCH_SCHEDULES);
        double Fork = BenchExploreRate("NTPS_EXPLORE_FORK=1", Jobs, BENCH_FORK_SCHEDULES);
        if (Worker == 0 || Fork == 0) {
            printf("explore: the 3-thread driver's search failed\n");
            return;
        }
        printf("explore: %.0f schedules a second on a 3-thread driver (--jobs %ld; goal 100000 at --jobs %ld)\n",
               1e6 / Worker, Jobs, Cores);
        char Name[80];
        snprintf(Name, sizeof(Name), "explore: one schedule, --jobs %ld (workers)", Jobs);
        BenchReport(Name, Worker, "us/sched", "a fork of the snapshot each", Fork);
    }
    double Worker = BenchExploreRate("", 1, BENCH_SCHEDULES);
    BenchReport("explore: one schedule (workers)", Worker, "us/sched", "ntps run --sim per schedule",
                BenchBootPerSchedule(20) / 1000);
    BenchReport("explore: one schedule (workers)", Worker, "us/sched", "fork+_exit+wait floor",
                BenchForkFloor(1, 400) / 1000);

    /* time to find the torn pair: the default mix against random */
    double MixSchedules, MixSeconds, RandomSchedules, RandomSeconds;
    snprintf(Arguments, sizeof(Arguments), "--driver %s/torn.so --jobs %ld --schedules 5000 --time 60",
             NTPS_BENCH_DIR, Cores);
    int Mix = BenchExplore(Arguments, &MixSchedules, &MixSeconds);
    double MixFound = BenchFoundSeconds;
    snprintf(Arguments, sizeof(Arguments), "--driver %s/torn.so --jobs %ld --strategy random --schedules 5000 "
             "--time 60", NTPS_BENCH_DIR, Cores);
    int Random = BenchExplore(Arguments, &RandomSchedules, &RandomSeconds);
    double RandomFound = BenchFoundSeconds;
    printf("explore: torn pair: mix %s after %.0f schedules, %.3f s (%.2f s with shrinking); random %s after %.0f "
           "schedules, %.3f s (%.2f s)\n", Mix == 3 ? "found it" : "did not find it", MixSchedules, MixFound,
           MixSeconds, Random == 3 ? "found it" : "did not find it", RandomSchedules, RandomFound, RandomSeconds);
    if (Mix == 3 && Random == 3)
        BenchReport("explore: time to find the torn pair (mix)", MixFound * 1000, "ms", "--strategy random",
                    RandomFound * 1000);
    else if (Mix == 3)
        BenchReport("explore: time to find the torn pair (mix)", MixSeconds * 1000, "ms",
                    "random (not found: its budget)", RandomSeconds * 1000);
}
