/*
 * The scenario engine from C (host/scenario.h): loading text, running it
 * with NtpsHostRun in realtime and in simulation, and the counts a status
 * line reads (NtpsScenarioCounts) before, after and while it runs; a
 * failed expectation's exit status; the default scenario loads.
 */
#include "host/host.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "unittest.h"

static const char Text[] =
    "name: counts\n"
    "objects:\n"
    "  - event: Go\n"
    "processes:\n"
    "  - name: parent\n"
    "    image: C:\\parent.exe\n"
    "    threads:\n"
    "      - count: 3\n"
    "        actions: [wait: Go]\n"
    "      - actions:\n"
    "          - spawn: {process: child, count: 4, wait: true}\n"
    "          - signal: Go\n"
    "  - name: child\n"
    "    image: C:\\child.exe\n"
    "    actions: [yield, exit: 2]\n"
    "expect:\n"
    "  - {process: child, exit_status: 2}\n";

static volatile int Watching = 1;
static volatile uint64_t MaxSeenCreated;

/* A status line's view: read while the run goes, from a host thread. */
static void *Watch(void *Argument)
{
    (void)Argument;
    while (__atomic_load_n(&Watching, __ATOMIC_ACQUIRE)) {
        NTPS_SCENARIO_COUNTS Counts;
        NtpsScenarioCounts(&Counts);
        if (Counts.ProcessesCreated > __atomic_load_n(&MaxSeenCreated, __ATOMIC_RELAXED))
            __atomic_store_n(&MaxSeenCreated, Counts.ProcessesCreated, __ATOMIC_RELAXED);
        struct timespec Pause = { 0, 100000 };
        nanosleep(&Pause, NULL);
    }
    return NULL;
}

static int Run(const NTPS_SCENARIO *Scenario, int Simulation)
{
    NTPS_HOST_CONFIG Config;
    memset(&Config, 0, sizeof(Config));
    Config.Cpus = 2;
    Config.Simulation = (BOOLEAN)Simulation;
    Config.Seed = 3;
    Config.Quiet = TRUE;
    Config.Scenario = Scenario;
    return NtpsHostRun(&Config);
}

int main(void)
{
    char Error[512];
    NTPS_SCENARIO *Scenario = NtpsScenarioLoadText("counts.yaml", Text, sizeof(Text) - 1, Error, sizeof(Error));
    CHECK(Scenario != NULL);
    if (Scenario == NULL) {
        printf("%s\n", Error);
        return UT_DONE();
    }
    CHECK(strcmp(NtpsScenarioName(Scenario), "counts") == 0);
    for (int Simulation = 0; Simulation < 2; Simulation++) {
        pthread_t Watcher;
        __atomic_store_n(&Watching, 1, __ATOMIC_RELEASE);
        pthread_create(&Watcher, NULL, Watch, NULL);
        CHECK_EQ(Run(Scenario, Simulation), NTPS_EXIT_OK);
        __atomic_store_n(&Watching, 0, __ATOMIC_RELEASE);
        pthread_join(Watcher, NULL);
        NTPS_SCENARIO_COUNTS Counts;
        NtpsScenarioCounts(&Counts);
        CHECK_EQ(Counts.Running, 2);
        CHECK_EQ(Counts.ProcessesCreated, 5);
        CHECK_EQ(Counts.ProcessesEnded, 5);
        CHECK_EQ(Counts.CreationsFailed, 0);
        CHECK_EQ(Counts.ThreadsCreated, 4 + 4);
        CHECK_EQ(Counts.ActionsDone, 3 + 2 + 4 * 2);
        CHECK_EQ(Counts.ExpectationsFailed, 0);
        CHECK(__atomic_load_n(&MaxSeenCreated, __ATOMIC_RELAXED) <= 5);
    }
    NtpsScenarioFree(Scenario);

    /* an expectation that fails: exit status 8 */
    static const char Failing[] = "processes:\n  - image: C:\\a.exe\n    actions: [exit: 1]\n"
                                  "expect:\n  - {process: a.exe, exit_status: 0}\n";
    Scenario = NtpsScenarioLoadText("failing.yaml", Failing, sizeof(Failing) - 1, Error, sizeof(Error));
    CHECK(Scenario != NULL);
    if (Scenario != NULL) {
        CHECK_EQ(Run(Scenario, 1), NTPS_EXIT_SCENARIO);
        NtpsScenarioFree(Scenario);
    }

    /* the loader's error, and the default scenario */
    CHECK(NtpsScenarioLoadText("bad.yaml", "processes: 3\n", 13, Error, sizeof(Error)) == NULL);
    CHECK(strcmp(Error, "bad.yaml:1:12: processes must be a list, not a value") == 0);
    Scenario = NtpsScenarioLoadDefault(Error, sizeof(Error));
    CHECK(Scenario != NULL);
    NtpsScenarioFree(Scenario);
    return UT_DONE();
}
