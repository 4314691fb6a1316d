/*
 * examples/counter (a device: IOCTLs, read, write, a symbolic link), built
 * with the test drivers' warnings for the scenario tests that open its
 * device (tests/scenarios/device*.yaml, tests/scripts/test_scenario_default.sh).
 */
// NTPS-TEST: modes none
// NTPS-TEST: cc --integritycheck
#include "../../examples/counter/counter.c"
