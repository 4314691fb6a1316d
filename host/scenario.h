/*
 * host/scenario.h - scenarios: the workload a run drives (processes,
 * threads and what they do), loaded from a YAML file (docs/scenarios.md)
 * or the default one built into ntps.
 *
 * Loading (NtpsScenarioLoad*) needs no kernel. A loaded scenario goes into
 * NTPS_HOST_CONFIG.Scenario; the run starts it after the drivers'
 * DriverEntry, waits for it to end, checks its expectations, and only then
 * goes on to the unload.
 *
 * NtpsScenarioCounts is the read-only view for a status line: callable
 * from any host thread at any time (figures read without a lock).
 */
#ifndef NTPS_HOST_SCENARIO_H
#define NTPS_HOST_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct _NTPS_SCENARIO NTPS_SCENARIO;

/* Load a scenario file (Path), or text (File names it in messages). NULL
 * with a message "FILE:LINE:COLUMN: what is wrong" in Error. */
NTPS_SCENARIO *NtpsScenarioLoadFile(const char *Path, char *Error, size_t ErrorSize);
NTPS_SCENARIO *NtpsScenarioLoadText(const char *File, const char *Text, size_t Length, char *Error,
                                    size_t ErrorSize);
/* The default scenario, built into the executable (host/scenarios/default.yaml). */
NTPS_SCENARIO *NtpsScenarioLoadDefault(char *Error, size_t ErrorSize);
const char *NtpsScenarioDefaultText(size_t *Length);
void NtpsScenarioFree(NTPS_SCENARIO *Scenario);
const char *NtpsScenarioName(const NTPS_SCENARIO *Scenario);

typedef struct _NTPS_SCENARIO_COUNTS {
    int Running;                    /* 1 while the scenario runs, 2 once it has ended, 0 before */
    uint64_t ProcessesCreated;      /* creations that succeeded */
    uint64_t ProcessesEnded;        /* of those, ended (as far as the scenario knows) */
    uint64_t CreationsFailed;       /* vetoed or failed */
    uint64_t ThreadsCreated;        /* initial threads included */
    uint64_t ActionsDone;
    uint64_t ExpectationsFailed;    /* actions and end-of-run expectations so far */
} NTPS_SCENARIO_COUNTS;

void NtpsScenarioCounts(NTPS_SCENARIO_COUNTS *Counts);

#endif /* NTPS_HOST_SCENARIO_H */
