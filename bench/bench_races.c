/*
 * bench/bench_races.c - the cost of the data-race detector: two threads
 * running driver-like code (loops.c's BenchLockedUpdate, built with
 * --points full: updates of a thread's own buffer, a counter under a spin
 * lock every 16 rounds) with and without --races, in simulation and in
 * realtime on 2 processors. The baseline is the same run without --races:
 * the ratio is the detector's slowdown.
 */
#include "bench/bench.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

typedef LONG (*UPDATE)(PKSPIN_LOCK, volatile LONG *, LONG *, ULONG);

#define RACE_ROUNDS 200000

typedef struct _RACERUN {
    UPDATE Update;
    KSPIN_LOCK Lock;
    volatile LONG Shared;
    LONG Own[2][64];
    double Ns;
} RACERUN;

static RACERUN *RaceShared;

static VOID RaceWorker(PVOID Context)
{
    RaceShared->Update(&RaceShared->Lock, &RaceShared->Shared, RaceShared->Own[(ULONG_PTR)Context], RACE_ROUNDS);
}

static VOID RaceBody(PVOID Context)
{
    RACERUN *R = Context;
    RaceShared = R;
    double Start = BenchNow();
    PVOID T[2];
    for (int i = 0; i < 2; i++) {
        HANDLE H;
        PsCreateSystemThread(&H, THREAD_ALL_ACCESS, NULL, NULL, NULL, RaceWorker, (PVOID)(ULONG_PTR)i);
        ObReferenceObjectByHandle(H, SYNCHRONIZE, *PsThreadType, KernelMode, &T[i], NULL);
        ZwClose(H);
    }
    KeWaitForMultipleObjects(2, T, WaitAll, Executive, KernelMode, FALSE, NULL, NULL);
    ObDereferenceObject(T[0]);
    ObDereferenceObject(T[1]);
    R->Ns = BenchNow() - Start;
}

static double BenchRaceRun(UPDATE Update, BOOLEAN Simulation, UCHAR Races)
{
    RACERUN *R = calloc(1, sizeof(*R));
    R->Update = Update;
    NTPS_HOST_CONFIG Config;
    memset(&Config, 0, sizeof(Config));
    Config.Cpus = 2;
    Config.Simulation = Simulation;
    Config.Seed = 1;
    Config.Quiet = TRUE;
    Config.Races = Races;
    Config.Routine = RaceBody;
    Config.RoutineContext = R;
    if (NtpsHostRun(&Config) != 0) {
        fprintf(stderr, "ntps_bench: the kernel run failed\n");
        exit(1);
    }
    double Ns = R->Ns / (2.0 * RACE_ROUNDS);
    free(R);
    return Ns;
}

VOID BenchRaces(VOID)
{
    char Path[512];
    snprintf(Path, sizeof(Path), "%s/loops_full.so", NTPS_BENCH_DIR);
    void *Handle = dlopen(Path, RTLD_NOW | RTLD_LOCAL);
    if (Handle == NULL)
        return;
    UPDATE Update = (UPDATE)dlsym(Handle, "BenchLockedUpdate");
    for (int Sim = 1; Sim >= 0; Sim--) {
        double Off = 1e300, On = 1e300;
        for (int Round = 0; Round < 3; Round++) {     /* best of 3: a shared machine */
            double A = BenchRaceRun(Update, (BOOLEAN)Sim, NTPS_RACES_OFF);
            double B = BenchRaceRun(Update, (BOOLEAN)Sim, NTPS_RACES_ON);
            Off = A < Off ? A : Off;
            On = B < On ? B : On;
        }
        BenchReport(Sim ? "races: --races, simulation, 2 cpus" : "races: --races, realtime, 2 cpus", On, "ns/round",
                    "the same without --races", Off);
    }
    dlclose(Handle);
}
