/*
 * bench/bench.h - shared helpers of the ntps_bench benchmarks.
 */
#ifndef NTPS_BENCH_H
#define NTPS_BENCH_H

#include "host/host.h"
#include <ntps.h>

double BenchNow(void);   /* host monotonic time, ns */
VOID BenchReport(const char *Name, double Ns, const char *Unit, const char *BaselineName, double BaselineNs);
/* Boot the kernel with Cpus processors, run Routine on a system thread, shut down. */
VOID BenchRunKernel(ULONG Cpus, BOOLEAN Simulation, VOID (*Routine)(PVOID), PVOID Context);
VOID BenchPinHostThread(int Cpu);
/* Under a figure: the goal it is measured against and whether it is met. */
VOID BenchGoal(const char *Goal, BOOLEAN Met);
VOID BenchGoal2(const char *Goal, BOOLEAN AimMet, BOOLEAN MustMet);

VOID BenchPingPong(VOID);
VOID BenchCrossPingPong(VOID);
VOID BenchScaling(VOID);
VOID BenchThreads(VOID);
VOID BenchLookup(VOID);
VOID BenchReportLookup(const char *Name, double Ns);     /* beside both look-up baselines */
VOID BenchProcesses(VOID);
VOID BenchProcessLookup(VOID);
VOID BenchPoints(VOID);
VOID BenchSeh(VOID);
VOID BenchSimulation(VOID);
VOID BenchVerifier(VOID);
VOID BenchPool(VOID);
VOID BenchWorker(VOID);
VOID BenchTrace(VOID);
VOID BenchExploreSpeed(VOID);
VOID BenchRaces(VOID);

#endif
