/*
 * bench/main.c - ntps_bench: each benchmark times ntps doing real work and
 * a host baseline doing the same job (futexes, pthreads, setjmp/longjmp,
 * uninstrumented code), in one run, and prints the ratio.
 *
 * The ntps side runs on NT threads: each benchmark boots the kernel with
 * the configuration it needs (NtpsHostRun with a routine) and measures
 * inside the routine with the host's monotonic clock.
 */
#include "host/host.h"
#include "bench/bench.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double BenchNow(void)
{
    struct timespec Ts;
    clock_gettime(CLOCK_MONOTONIC, &Ts);
    return Ts.tv_sec * 1e9 + Ts.tv_nsec;
}

VOID BenchReport(const char *Name, double Ns, const char *Unit, const char *BaselineName, double BaselineNs)
{
    /* Two decimals below 10, so that a sub-nanosecond figure shows. */
    int P = Ns < 10 ? 2 : 1, Pb = BaselineNs < 10 ? 2 : 1;
    if (BaselineNs > 0)
        printf("%-44s %10.*f %-8s %-30s %10.*f %-8s  %6.2fx\n", Name, P, Ns, Unit, BaselineName, Pb, BaselineNs, Unit,
               BaselineNs / Ns);
    else
        printf("%-44s %10.*f %s\n", Name, P, Ns, Unit);
    fflush(stdout);
}

/* The goal the figure above is measured against, and this run's verdict:
 * "met" or "NOT MET"; BenchGoal2 for a goal with an aim and a must. The
 * value measured is in the goal's text, in brackets (bench/issue16.py). */
VOID BenchGoal(const char *Goal, BOOLEAN Met)
{
    printf("%-44s %10s goal: %s: %s\n", "", "", Goal, Met ? "met" : "NOT MET");
    fflush(stdout);
}

VOID BenchGoal2(const char *Goal, BOOLEAN AimMet, BOOLEAN MustMet)
{
    printf("%-44s %10s goal: %s: %s\n", "", "", Goal,
           AimMet ? "met" : MustMet ? "must met, aim NOT MET" : "NOT MET");
    fflush(stdout);
}

VOID BenchRunKernel(ULONG Cpus, BOOLEAN Simulation, VOID (*Routine)(PVOID), PVOID Context)
{
    NTPS_HOST_CONFIG Config;
    memset(&Config, 0, sizeof(Config));
    Config.Cpus = Cpus;
    Config.Simulation = Simulation;
    Config.Seed = 1;
    Config.Quiet = TRUE;
    Config.Routine = Routine;
    Config.RoutineContext = Context;
    if (NtpsHostRun(&Config) != 0) {
        fprintf(stderr, "ntps_bench: the kernel run failed\n");
        exit(1);
    }
}

VOID BenchPinHostThread(int Cpu)
{
    cpu_set_t Set;
    CPU_ZERO(&Set);
    CPU_SET(Cpu % (int)HalQueryHostProcessorCount(), &Set);
    pthread_setaffinity_np(pthread_self(), sizeof(Set), &Set);
}

int main(int argc, char **argv)
{
    const char *Only = argc > 1 ? argv[1] : NULL;
    if (Only != NULL && strcmp(Only, "issue16") == 0) {
        /* The figures issue 16 sets goals for (bench/issue16.sh runs this
         * several times and prints the median and spread of each). */
        printf("%-44s %10s %-8s %-30s %10s %-8s  %7s\n", "benchmark (ntps)", "ntps", "", "baseline", "", "",
               "ratio");
        BenchPoints();
        BenchPingPong();
        BenchThreads();
        BenchLookup();
        BenchProcessLookup();
        BenchCrossPingPong();
        BenchScaling();
        return 0;
    }
    printf("%-44s %10s %-8s %-30s %10s %-8s  %7s\n", "benchmark (ntps)", "ntps", "", "baseline", "", "",
           "ratio");
    printf("%-44s %10s %-8s %-30s %10s %-8s  %7s\n", "", "", "", "", "", "", "(b/n)");
    if (Only == NULL || strstr("pingpong", Only)) BenchPingPong();
    if (Only == NULL || strstr("cross", Only)) BenchCrossPingPong();
    if (Only == NULL || strstr("scaling", Only)) BenchScaling();
    if (Only == NULL || strstr("threads", Only)) BenchThreads();
    if (Only == NULL || strstr("lookup", Only)) BenchLookup();
    if (Only == NULL || strstr("processes", Only)) BenchProcesses();
    if (Only == NULL || strstr("lookup", Only)) BenchProcessLookup();
    if (Only == NULL || strstr("points", Only)) BenchPoints();
    if (Only == NULL || strstr("seh", Only)) BenchSeh();
    if (Only == NULL || strstr("sim", Only)) BenchSimulation();
    if (Only == NULL || strstr("verifier", Only)) BenchVerifier();
    if (Only == NULL || strstr("pool", Only)) BenchPool();
    if (Only == NULL || strstr("worker", Only)) BenchWorker();
    if (Only == NULL || strstr("trace", Only)) BenchTrace();
    if (Only == NULL || strstr("explore", Only)) BenchExploreSpeed();
    if (Only == NULL || strstr("races", Only)) BenchRaces();
    printf("\nratio > 1: ntps is faster than the baseline; < 1: slower. One run, one machine.\n");
    return 0;
}
