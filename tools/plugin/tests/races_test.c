/* Runtime test of the races argument: memory points call
   __ntps_race_access (address, size << 8 | write | atomic | no-point, site)
   for each access of the statement, the last one without the no-point bit;
   other points still call __ntps_preempt.  Built and run by
   ctest at -O0 and -O2 (tools/plugin/CMakeLists.txt).  The checking code
   itself is not instrumented.  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile unsigned long __ntps_poll = 1;
static volatile unsigned long preempts;   /* volatile: IPA knows the hooks are not called */

#define MAX 64
static volatile struct { void *addr; unsigned long info; const char *site; } log_[MAX];
static volatile int nlog;

void __ntps_preempt (void) { preempts++; }
void __ntps_race_access (void *addr, unsigned long info, const char *site)
{
  if (nlog < MAX)
    {
      log_[nlog].addr = addr;
      log_[nlog].info = info;
      log_[nlog].site = site;
    }
  nlog++;
  if (!(info & 4))
    __ntps_preempt ();
}

int g_int;
long g_pair[2];
volatile int g_flag;
struct bits { unsigned a : 3, b : 5; int c; } g_bits;
struct big { char bytes[40]; } g_big1, g_big2;
char g_buf[100];

static int failures;
#define CHECK(c) do { if (!(c)) { failures++; fprintf (stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

__attribute__((no_instrument_function)) static int find (void *addr, unsigned long size, unsigned flags)
{
  for (int i = 0; i < nlog && i < MAX; i++)
    if (log_[i].addr == addr && (log_[i].info >> 8) == size && (log_[i].info & 3) == flags)
      return i;
  return -1;
}

__attribute__((noinline)) void store_int (int v) { g_int = v; }
__attribute__((noinline)) int load_int (void) { return g_int; }
__attribute__((noinline)) void store_via (long *p, int i) { p[i] = 7; }
__attribute__((noinline)) void copy_big (void) { g_big1 = g_big2; }
__attribute__((noinline)) void set_bits (void) { g_bits.b = 9; }
__attribute__((noinline)) int read_flag (void) { return g_flag; }
__attribute__((noinline)) void bump_atomic (void) { __atomic_add_fetch (&g_int, 1, __ATOMIC_SEQ_CST); }
__attribute__((noinline)) int load_atomic (void) { return __atomic_load_n (&g_int, __ATOMIC_ACQUIRE); }
__attribute__((noinline)) void fill (unsigned long n) { memset (g_buf, 1, n); }

__attribute__((no_instrument_function)) int main (void)
{
  nlog = 0; store_int (3);
  CHECK (find (&g_int, 4, 1) >= 0);
  CHECK (nlog >= 1 && strstr (log_[0].site, "store_int\t") == log_[0].site);
  CHECK (nlog >= 1 && strstr (log_[0].site, "races_test.c:") != NULL);

  nlog = 0; CHECK (load_int () == 3);
  CHECK (find (&g_int, 4, 0) >= 0);

  nlog = 0; store_via (g_pair, 1);
  CHECK (find (&g_pair[1], 8, 1) >= 0);

  nlog = 0; unsigned long before = preempts; copy_big ();
  int r = find (&g_big2, 40, 0), w = find (&g_big1, 40, 1);
  CHECK (r >= 0 && w >= 0);
  CHECK (r >= 0 && (log_[r].info & 4) != 0);       /* the read: no point of its own */
  CHECK (w >= 0 && (log_[w].info & 4) == 0);
  CHECK (preempts - before >= 1);

  nlog = 0; set_bits ();
  CHECK (nlog >= 1 && (char *) log_[nlog - 1].addr >= (char *) &g_bits
	 && (char *) log_[nlog - 1].addr < (char *) &g_bits + 4 && (log_[nlog - 1].info & 1));

  nlog = 0; CHECK (read_flag () == 0);
  CHECK (find ((void *) &g_flag, 4, 2) >= 0);       /* volatile: atomic */

  nlog = 0; bump_atomic ();
  CHECK (find (&g_int, 4, 3) >= 0);                 /* read-modify-write: atomic write */
  nlog = 0; CHECK (load_atomic () == 4);
  CHECK (find (&g_int, 4, 2) >= 0);

  nlog = 0; volatile unsigned long n = 77; fill (n);
  CHECK (find (g_buf, 77, 1) >= 0);

  if (failures)
    return 1;
  puts ("races_test: PASS");
  return 0;
}
