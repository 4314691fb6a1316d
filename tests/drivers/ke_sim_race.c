/*
 * A deliberately racy driver for the simulation determinism test
 * (tests/scripts/test_sim_determinism.sh): two threads each do
 * `Counter++` ROUNDS times with no synchronization, after spinning on a
 * start flag. It prints the final count (below 2 * ROUNDS when the
 * interleaving lost updates) and how long each thread spun. Its PASS does
 * not depend on the race: it only checks 1 <= count <= 2 * ROUNDS. It runs
 * only in simulation: in realtime the race is a real data race, which a
 * ThreadSanitizer build reports.
 */
// NTPS-TEST: modes sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define ROUNDS 20000
static volatile LONG Counter;
static volatile LONG Go, Started;
static LONGLONG Spins[2];

static VOID Racer(PVOID Context)
{
    LONG Id = (LONG)(ULONG_PTR)Context;
    InterlockedIncrement(&Started);
    while (!Go)
        Spins[Id]++;
    for (int i = 0; i < ROUNDS; i++)
        Counter++;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PETHREAD A = KtStartThread(Racer, (PVOID)0);
    PETHREAD B = KtStartThread(Racer, (PVOID)1);
    while (Started < 2)
        KtSleep(1);
    Go = 1;
    KtJoin(A);
    KtJoin(B);
    DbgPrint("counter %d of %d (%d lost); spins %lld %lld\n", (int)Counter, 2 * ROUNDS,
             2 * ROUNDS - (int)Counter, Spins[0], Spins[1]);
    KT_CHECK(Counter >= 1 && Counter <= 2 * ROUNDS);
    KT_DONE();
    return STATUS_SUCCESS;
}
