/* explore_lost_wakeup.c with the bug fixed: `ntps explore` finds nothing
 * (tests/scripts/test_explore.sh), and plain runs pass. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#define EXPLORE_FIXED 1
#include "explore_lost_wakeup.c"
