/* Runtime test of the ntps_points plugin (C).

   Compiled WITH the plugin; NTPS_MODE tells which mode it was compiled in
   (3 dual, 2 full, 1 edges, 0 none).  The "runtime" half (__ntps_poll, a counting
   __ntps_preempt, main) is marked no_instrument_function; the "driver"
   half is instrumented.  With NTPS_PART=1 only the driver half is compiled
   (into a -fPIC -shared object), with NTPS_PART=2 only the runtime half,
   which then links against that object: the ntps layout (the executable
   exports __ntps_poll / __ntps_preempt, drivers import them).  */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NTPS_MODE
#error "compile with -DNTPS_MODE=0|1|2|3"
#endif
#ifndef NTPS_PART
#define NTPS_PART 0
#endif

#define NOINST __attribute__((no_instrument_function))
/* noipa: keep each driver function a real, separately compiled function
   (not inlined into the uninstrumented main, not constant-propagated).  */
#define DRIVER __attribute__((noipa))

#define N_LOOP 1000u
#define N_SUM 1024

/* ---- shared declarations ---------------------------------------------- */
extern volatile unsigned long __ntps_poll;
void __ntps_preempt(void);

extern int g_counter;
extern volatile int g_flag;
extern int g_buf[N_SUM];

int empty_fn(int x);
unsigned loop_fn(unsigned n);
void spin_fn(void);
void incr_fn(void);
int sum_fn(const int *a);
void noinst_fn(void);
int recurse_fn(int n);
long switch_loop_fn(int n);
struct leaf_state { long acc; long calls; };
long leaf_fn(struct leaf_state *s, long a, long b, long c, long d, long e,
             double f);
void chain_fn(int *a, unsigned n);

/* ---- driver half (instrumented) --------------------------------------- */
#if NTPS_PART != 2
int g_counter;
volatile int g_flag;
int g_buf[N_SUM];

DRIVER int empty_fn(int x) { return x + 1; }

/* No memory accesses at all: only the entry point and the back edge.  */
DRIVER unsigned loop_fn(unsigned n)
{
  unsigned x = 1;
  for (unsigned i = 0; i < n; i++)
    x = x * 2654435761u + i;
  return x;
}

/* Spins on a flag that only "another thread" (the preempt hook) sets.  */
DRIVER void spin_fn(void)
{
  while (!g_flag) {
  }
}

/* Read-modify-write of shared memory: in full mode a point lies between
   the load and the store.  */
DRIVER void incr_fn(void)
{
  int x = g_counter;
  g_counter = x + 1;
}

/* Vectorized at -O3 (and by GCC 12 at -O2: the trip count is constant).  */
DRIVER int sum_fn(const int *a)
{
  int s = 0;
  for (int i = 0; i < N_SUM; i++)
    s += a[i];
  return s;
}

__attribute__((no_instrument_function, noipa)) void noinst_fn(void)
{
  for (int i = 0; i < 100; i++)
    g_counter++;
  while (!g_flag) {
  }
}

/* A leaf (no call, no loop) with shared accesses and arguments in both
   kinds of registers: in mode dual its slow path runs a copy of the
   realtime body (the frame stays out of the fast path), which must see
   the arguments as they came.  */
DRIVER long leaf_fn(struct leaf_state *s, long a, long b, long c, long d,
                    long e, double f)
{
  s->calls++;
  return a * 3 + b - c + (d ^ e) + (long)(f * 2.0) + (s->acc & 7);
}

/* Not a tail call: GCC cannot turn this into a closed-form loop.  */
DRIVER int recurse_fn(int n) { return n < 2 ? n : recurse_fn(n - 1) + recurse_fn(n - 2); }

/* An irregular loop: a switch inside, several paths back to the head.  */
/* A small loop with shared accesses (so mode dual gives it two bodies):
   each element depends on the one before, through memory.  */
DRIVER void chain_fn(int *a, unsigned n)
{
  for (unsigned i = 1; i < n; i++)
    a[i] = (int)((unsigned)a[i - 1] * 3u + i);
}

DRIVER long switch_loop_fn(int n)
{
  long acc = 0;
  int i = 0;
again:
  switch (i % 4) {
  case 0: acc += 3; break;
  case 1: acc ^= i; i++; if (i < n) goto again; break;
  case 2: acc -= 7; break;
  default: acc *= 3; break;
  }
  if (++i < n)
    goto again;
  return acc;
}
#endif

/* ---- runtime half (not instrumented) ---------------------------------- */
#if NTPS_PART != 1
volatile unsigned long __ntps_poll;

static unsigned long n_calls;    /* __ntps_preempt calls since arm() */
static unsigned long hook_at;    /* call number that runs hook (0: none) */
static void (*hook)(void);
static int failures;

NOINST void __ntps_preempt(void)
{
  n_calls++;
  if (hook && n_calls == hook_at)
    hook();
}

/* The poll word's value while armed: 1 for realtime; in mode dual the
   sign bit too for simulation (functions then run their full body).  */
static unsigned long arm_value = 1;
NOINST static void arm(void) { n_calls = 0; __ntps_poll = arm_value; }
NOINST static unsigned long disarm(void) { __ntps_poll = 0; return n_calls; }

NOINST static void set_flag(void) { g_flag = 1; }
NOINST static void other_thread_increments(void) { g_counter += 100; }

#define CHECK(cond, ...)                                                     \
  do {                                                                       \
    if (!(cond)) {                                                           \
      failures++;                                                            \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);        \
      fprintf(stderr, __VA_ARGS__);                                          \
      fputc('\n', stderr);                                                   \
    }                                                                        \
  } while (0)

NOINST static void on_alarm(int sig)
{
  (void)sig;
  static const char msg[] =
      "FAIL: timeout: a loop ran without reaching a preemption point\n";
  (void)!write(2, msg, sizeof msg - 1);
  _exit(1);
}

/* FULL: memory points expected (mode full, or mode dual armed as the
   simulation arms it).  */
NOINST static void run_checks(int full)
{
  const int instrumented = NTPS_MODE != 0;
  unsigned long n;

  /* 1. A call hits the entry point.  */
  arm();
  CHECK(empty_fn(1) == 2, "empty_fn");
  n = disarm();
  if (instrumented)
    CHECK(n >= 1, "entry point: %lu calls", n);
  else
    CHECK(n == 0, "mode none: %lu calls", n);

  /* 2. A loop of N iterations without memory accesses: >= N points.  */
  arm();
  unsigned r = loop_fn(N_LOOP);
  n = disarm();
  if (instrumented)
    CHECK(n >= N_LOOP, "loop of %u iterations: %lu calls", N_LOOP, n);
  else
    CHECK(n == 0, "mode none: %lu calls", n);
  CHECK(r == loop_fn(N_LOOP), "loop_fn result");

  /* 3. The key behaviour: spinning on a flag that another thread sets
     terminates because the spin loop reaches a preemption point.  */
  if (instrumented) {
    g_flag = 0;
    hook = set_flag;
    hook_at = 1000;
    arm();
    spin_fn();
    n = disarm();
    hook = NULL;
    CHECK(n >= 1000, "spin: %lu calls", n);
  }

  /* 4. x = g; g = x + 1: a point between the load and the store makes an
     increment of another thread get lost (full mode only).  */
  {
    arm();
    incr_fn();
    unsigned long total = disarm();
    int lost = 0, kept_before_load = 0;
    for (unsigned long k = 1; k <= total; k++) {
      g_counter = 0;
      hook = other_thread_increments;
      hook_at = k;
      arm();
      incr_fn();
      disarm();
      hook = NULL;
      if (g_counter == 1)
        lost++;                        /* switch between load and store */
      else
        CHECK(g_counter == 101, "incr at point %lu: g_counter=%d", k, g_counter);
      if (k == 1 && g_counter == 101)
        kept_before_load = 1;
    }
    if (instrumented)
      CHECK(kept_before_load, "the first point precedes the load");
    if (full)
      CHECK(lost >= 1, "full mode: no point between load and store (%lu points)",
            total);
    else
      CHECK(lost == 0, "edges/none mode: a point between load and store");
  }

  /* 5. Vectorized loop: one point per vector iteration (at most one per
     element), at least one per loop.  */
  {
    for (int i = 0; i < N_SUM; i++)
      g_buf[i] = i;
    arm();
    int s = sum_fn(g_buf);
    n = disarm();
    CHECK(s == N_SUM * (N_SUM - 1) / 2, "sum_fn result %d", s);
    if (instrumented)
      CHECK(n >= 2, "sum_fn: %lu calls", n);
#ifdef NTPS_EXPECT_VECTORIZED
    /* SSE2: 4 ints per vector; full mode adds a point per vector load.  */
    CHECK(n <= (full ? 2 : 1) * (N_SUM / 4) + 8,
          "vectorized sum: %lu calls for %d elements", n, N_SUM);
#endif
    printf("sum of %d ints: %lu points\n", N_SUM, n);
  }

  /* 6. No points at all while __ntps_poll == 0.  */
  {
    n_calls = 0;
    __ntps_poll = 0;
    g_flag = 1;
    (void)empty_fn(1);
    (void)loop_fn(N_LOOP);
    spin_fn();
    incr_fn();
    (void)sum_fn(g_buf);
    (void)recurse_fn(10);
    (void)switch_loop_fn(100);
    CHECK(n_calls == 0, "__ntps_poll == 0: %lu calls", n_calls);
  }

  /* 7. no_instrument_function: no points.  */
  {
    g_flag = 1;               /* its spin loop must not hang */
    arm();
    noinst_fn();
    n = disarm();
    CHECK(n == 0, "no_instrument_function: %lu calls", n);
  }

  /* 8. Recursion and an irregular loop.  */
  arm();
  CHECK(recurse_fn(20) == 6765, "recurse_fn");
  n = disarm();
  if (instrumented)     /* 21891 activations; some may become loop iterations */
    CHECK(n >= 6765, "recursion: %lu calls", n);
  arm();
  long a1 = switch_loop_fn(1000);
  n = disarm();
  if (instrumented)
    CHECK(n >= 500, "switch loop: %lu calls", n);
  CHECK(a1 == switch_loop_fn(1000), "switch_loop_fn result");

  /* 9. A leaf function while the poll word stays set: its entry point,
     then its body with the arguments intact (mode dual's slow path runs
     on in a copy of the realtime body: no restart, no second check, so
     no recursion at -O0 and no spin while the word stays set); in full
     mode (dual armed for simulation) its memory points as well.  */
  {
    struct leaf_state st = { 13, 0 };
    long expect = 10 * 3 + 4 - 3 + (2 ^ 1) + 3 + (13 & 7);
    arm();
    long got = leaf_fn(&st, 10, 4, 3, 2, 1, 1.5);
    n = disarm();
    CHECK(got == expect, "leaf_fn result %ld, expected %ld", got, expect);
    CHECK(st.calls == 1, "leaf_fn calls %ld", st.calls);
    if (instrumented && !full)
      CHECK(n == 1, "leaf function: %lu points, expected its entry only", n);
    else if (full)
      CHECK(n >= 2, "leaf function, full: %lu points", n);
    else
      CHECK(n == 0, "mode none: %lu calls", n);
    got = leaf_fn(&st, 10, 4, 3, 2, 1, 1.5);
    CHECK(got == expect && st.calls == 2, "leaf_fn unarmed: %ld", got);
  }

  /* 10. A small innermost loop: mode dual's realtime body unrolls it up
     to 8 times (ntps_points' every=8, the default; 4 or 8 here, by its
     size) and checks once for the copies; the simulation body (full)
     keeps a point an iteration.  */
  {
    arm();
    chain_fn(g_buf, N_SUM);
    n = disarm();
    int ok = 1;
    for (int i = 1; i < N_SUM; i++)
      ok &= g_buf[i] == (int)((unsigned)g_buf[i - 1] * 3u + (unsigned)i);
    CHECK(ok, "chain_fn result");
    if (full || NTPS_MODE == 1 || NTPS_MODE == 2)
      CHECK(n >= N_SUM - 1, "chain_fn, every iteration: %lu points", n);
    else if (NTPS_MODE == 3) {
      CHECK(n >= (N_SUM - 1) / 8, "chain_fn, dual realtime: %lu points", n);
      /* (the sanitizers' checks call their handlers: not a small loop) */
#if defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__) && !defined(__SANITIZE_ADDRESS__)
      CHECK(n <= (N_SUM - 1) / 4 + 4, "chain_fn, dual realtime: %lu points "
            "(not unrolled?)", n);
#endif
    } else
      CHECK(n == 0, "mode none: %lu calls", n);
  }

}

NOINST int main(void)
{
  signal(SIGALRM, on_alarm);
  alarm(20);
  if (NTPS_MODE == 3) {
    /* dual: the realtime body behaves as mode edges, the simulation body
       (sign bit of the poll word set) as mode full */
    arm_value = 1;
    run_checks(0);
    arm_value = 1 | (1UL << (8 * sizeof(unsigned long) - 1));
    run_checks(1);
  } else {
    run_checks(NTPS_MODE == 2);
  }
  printf("c mode %d: %s\n", NTPS_MODE, failures ? "FAILED" : "all checks passed");
  return failures ? 1 : 0;
}
#endif
