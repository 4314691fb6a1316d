/* bench_points.c: what ntps preemption points cost in compute-bound
   driver-like loops.  Run through bench_points.sh, which compiles this file
   twice:

     -DBENCH_LOOPS  the loops ("driver code"), compiled four ways: without
                    points, with the plugin in edges mode, in full mode, and
                    with -fsanitize-coverage=trace-pc;
     -DBENCH_MAIN   the runtime (__ntps_poll, __ntps_preempt,
                    __sanitizer_cov_trace_pc) and the timing loop, compiled
                    once, without instrumentation.

   __ntps_poll stays 0: this measures the fast path only, the price every
   driver pays all the time.  Each loop is timed BENCH_REPS times and the
   fastest run is printed as "name ns-per-iteration".  */

#include <stddef.h>
#include <stdint.h>

#define FNV_BYTES (64 * 1024)
#define SUM_INTS 4096

unsigned tight_loop(unsigned n);
uint32_t fnv1a(const uint8_t *p, size_t n);
int vec_sum(const int *a);
unsigned call_loop(unsigned n);
struct item { unsigned key, count, flags; };
void copy_xor(unsigned *dst, const unsigned *src, size_t n, unsigned key);
void update_items(struct item *it, size_t n);

#define COPY_INTS 4096
#define N_ITEMS 4096

#ifdef BENCH_LOOPS
/* A tight integer loop: a rotate-xor chain, no memory access.  */
unsigned tight_loop(unsigned n)
{
  unsigned x = 1;
  for (unsigned i = 0; i < n; i++)
    x = ((x << 5) | (x >> 27)) ^ i;
  return x;
}

/* FNV-1a over a buffer: one byte load per iteration.  */
uint32_t fnv1a(const uint8_t *p, size_t n)
{
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 16777619u;
  }
  return h;
}

/* A summing loop GCC vectorizes at -O2 (constant trip count).  */
int vec_sum(const int *a)
{
  int s = 0;
  for (int i = 0; i < SUM_INTS; i++)
    s += a[i];
  return s;
}

/* A loop calling a small function that is not inlined.  */
__attribute__((noinline)) unsigned small_fn(unsigned x)
{
  return x * 3u + 1u;
}

unsigned call_loop(unsigned n)
{
  unsigned x = 7;
  for (unsigned i = 0; i < n; i++)
    x = small_fn(x ^ i);
  return x;
}
/* The loops below are not in the brief's list; they show what full mode
   costs when every iteration does several shared loads and stores.  */

/* A copy loop (GCC does not vectorize it at -O2: dst may alias src):
   one load and one store per iteration.  */
void copy_xor(unsigned *dst, const unsigned *src, size_t n, unsigned key)
{
  for (size_t i = 0; i < n; i++)
    dst[i] = src[i] ^ key;
}

/* Updating an array of structures: 3 loads and 2 stores per iteration.  */
void update_items(struct item *it, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    it[i].count += it[i].key & 1;
    it[i].flags |= it[i].count >> 4;
  }
}
#endif /* BENCH_LOOPS */

#ifdef BENCH_MAIN
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef BENCH_REPS
#define BENCH_REPS 5
#endif

volatile unsigned long __ntps_poll;
unsigned long ntps_preempt_calls;

void __ntps_preempt(void) { ntps_preempt_calls++; }

/* The -fsanitize-coverage=trace-pc alternative: the same check, in a
   function called at the start of every basic block.  */
void __sanitizer_cov_trace_pc(void)
{
  if (__ntps_poll)
    __ntps_preempt();
}

static double now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile unsigned long sink;
static volatile unsigned runtime_n = 1;   /* defeats constant propagation */

#define TIME_LOOP(name, iters, stmt)                                         \
  do {                                                                       \
    double best = 1e300;                                                     \
    for (int rep = 0; rep < BENCH_REPS; rep++) {                             \
      double t0 = now_ns();                                                  \
      stmt;                                                                  \
      double t = now_ns() - t0;                                              \
      if (t < best)                                                          \
        best = t;                                                            \
    }                                                                        \
    printf("%s %.3f\n", name, best / (double)(iters));                      \
  } while (0)

int main(void)
{
  static uint8_t bytes[FNV_BYTES];
  static int ints[SUM_INTS];
  static unsigned src[COPY_INTS], dst[COPY_INTS];
  static struct item items[N_ITEMS];
  for (size_t i = 0; i < FNV_BYTES; i++)
    bytes[i] = (uint8_t)(i * 131u + 7u);
  for (int i = 0; i < SUM_INTS; i++)
    ints[i] = (int)(i * 7u);

  const unsigned tight_n = 200u * 1000 * 1000 * runtime_n;
  const unsigned fnv_reps = 2000 * runtime_n;
  const unsigned sum_reps = 50000 * runtime_n;
  const unsigned call_n = 100u * 1000 * 1000 * runtime_n;
  const unsigned copy_reps = 50000 * runtime_n;
  const unsigned item_reps = 50000 * runtime_n;

  TIME_LOOP("tight", (double)tight_n, sink += tight_loop(tight_n));
  TIME_LOOP("fnv1a", (double)fnv_reps * FNV_BYTES,
            for (unsigned r = 0; r < fnv_reps; r++) sink += fnv1a(bytes, FNV_BYTES));
  TIME_LOOP("vecsum", (double)sum_reps * SUM_INTS,
            for (unsigned r = 0; r < sum_reps; r++) sink += vec_sum(ints));
  TIME_LOOP("call", (double)call_n, sink += call_loop(call_n));
  TIME_LOOP("copy", (double)copy_reps * COPY_INTS,
            for (unsigned r = 0; r < copy_reps; r++) copy_xor(dst, src, COPY_INTS, r));
  sink += dst[COPY_INTS - 1];
  TIME_LOOP("structs", (double)item_reps * N_ITEMS,
            for (unsigned r = 0; r < item_reps; r++) update_items(items, N_ITEMS));
  sink += items[N_ITEMS - 1].flags;

  if (ntps_preempt_calls != 0) {
    fprintf(stderr, "bench: __ntps_preempt called %lu times with __ntps_poll == 0\n",
            ntps_preempt_calls);
    return 1;
  }
  return 0;
}
#endif /* BENCH_MAIN */
