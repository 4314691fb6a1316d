// Runtime test of the ntps_points plugin (C++): templates, lambdas, class
// methods, inline functions and exceptions.  Compiled WITH the plugin;
// NTPS_MODE is the mode (3 dual, 2 full, 1 edges, 0 none).  The runtime part is
// marked no_instrument_function.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#ifndef NTPS_MODE
#error "compile with -DNTPS_MODE=0|1|2|3"
#endif

#define NOINST __attribute__((no_instrument_function))
#define DRIVER __attribute__((noipa))

extern "C" {
volatile unsigned long __ntps_poll;
void __ntps_preempt(void);
}

namespace {
unsigned long n_calls;
unsigned long hook_at;
void (*hook)();
int failures;
}  // namespace

extern "C" NOINST void __ntps_preempt(void)
{
  n_calls++;
  if (hook && n_calls == hook_at)
    hook();
}

// Armed: 1 for realtime; mode dual also runs as the simulation arms it
// (the sign bit too: functions run their full body).
static unsigned long arm_value = 1;
NOINST static void arm() { n_calls = 0; __ntps_poll = arm_value; }
NOINST static unsigned long disarm() { __ntps_poll = 0; return n_calls; }

#define CHECK(cond, ...)                                                     \
  do {                                                                       \
    if (!(cond)) {                                                           \
      failures++;                                                            \
      std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);   \
      std::fprintf(stderr, __VA_ARGS__);                                     \
      std::fputc('\n', stderr);                                              \
    }                                                                        \
  } while (0)

// ---- driver code (instrumented) -----------------------------------------

volatile int g_flag;

template <typename T>
DRIVER T loop_t(T n)
{
  T x = 1;
  for (T i = 0; i < n; i++)
    x = x * T(2654435761u) + i;
  return x;
}

// A class method: read-modify-write through `this`.
struct Counter {
  long value = 0;
  DRIVER void incr()
  {
    long x = value;
    value = x + 1;
  }
  // An inline method used by a template below.
  long get() const { return value; }
};

template <typename F>
DRIVER void call_it(F f) { f(); }

DRIVER void spin_with_lambda()
{
  auto spin = []() {
    while (!g_flag) {
    }
  };
  call_it(spin);
}

// A std::function holding a capturing lambda; called through a pointer.
DRIVER long sum_with_function(const std::vector<int> &v)
{
  long s = 0;
  std::function<void(int)> add = [&s](int x) { s += x; };
  for (int x : v)
    add(x);
  return s;
}

DRIVER int thrower(int n)
{
  unsigned x = 1;
  for (int i = 0;; i++) {
    x = x * 2654435761u + i;
    if (i == n)
      throw std::to_string(x);
  }
}

DRIVER size_t map_work(int n)
{
  std::map<int, std::string> m;
  for (int i = 0; i < n; i++)
    m[i % 17] += char('a' + i % 26);
  size_t len = 0;
  for (auto &kv : m)
    len += kv.second.size();
  return len;
}

__attribute__((no_instrument_function, noipa)) long noinst_method(Counter &c)
{
  for (int i = 0; i < 100; i++)
    c.value++;
  return c.value;
}

// ---- runtime (not instrumented) -----------------------------------------

static Counter *g_victim;
NOINST static void set_flag() { g_flag = 1; }
NOINST static void other_thread_increments() { g_victim->value += 100; }

NOINST static void on_alarm(int)
{
  static const char msg[] =
      "FAIL: timeout: a loop ran without reaching a preemption point\n";
  (void)!write(2, msg, sizeof msg - 1);
  _exit(1);
}

NOINST static void run_checks(bool full)
{
  const bool instrumented = NTPS_MODE != 0;
  unsigned long n;
  /* Mode dual's realtime body unrolls a small innermost loop up to 8
     times (ntps_points' every=8, the default): a point for 8 iterations
     at least.  */
  const unsigned long every = NTPS_MODE == 3 && !full ? 8 : 1;

  // Template instantiations: entry + back edges.
  arm();
  unsigned r1 = loop_t<unsigned>(1000);
  n = disarm();
  CHECK(instrumented ? n >= 1000 / every : n == 0, "loop_t<unsigned>: %lu calls", n);
  arm();
  unsigned long long r2 = loop_t<unsigned long long>(500);
  n = disarm();
  CHECK(instrumented ? n >= 500 / every : n == 0, "loop_t<ull>: %lu calls", n);
  CHECK(r1 == loop_t<unsigned>(1000) && r2 == loop_t<unsigned long long>(500),
        "results");

  // A lambda spinning on a flag set by "another thread".
  if (instrumented) {
    g_flag = 0;
    hook = set_flag;
    hook_at = 500;
    arm();
    spin_with_lambda();
    n = disarm();
    hook = nullptr;
    CHECK(n >= 500, "lambda spin: %lu calls", n);
  }

  // Class method: lost update in full mode.
  {
    Counter c;
    g_victim = &c;
    arm();
    c.incr();
    unsigned long total = disarm();
    int lost = 0;
    for (unsigned long k = 1; k <= total; k++) {
      c.value = 0;
      hook = other_thread_increments;
      hook_at = k;
      arm();
      c.incr();
      disarm();
      hook = nullptr;
      if (c.get() == 1)
        lost++;
      else
        CHECK(c.get() == 101, "incr at point %lu: %ld", k, c.get());
    }
    if (full)
      CHECK(lost >= 1, "full mode: no point between load and store (%lu)", total);
    else
      CHECK(lost == 0, "edges/none: a point between load and store");
  }

  // std::function + capturing lambda, exceptions through instrumented frames.
  {
    std::vector<int> v(1000);
    for (int i = 0; i < 1000; i++)
      v[i] = i;
    arm();
    long s = sum_with_function(v);
    n = disarm();
    CHECK(s == 499500, "sum_with_function %ld", s);
    CHECK(instrumented ? n >= 1000 : n == 0, "std::function loop: %lu calls", n);

    arm();
    bool caught = false;
    try {
      thrower(300);
    } catch (const std::string &e) {
      caught = !e.empty();
    }
    n = disarm();
    CHECK(caught, "exception through instrumented code");
    CHECK(instrumented ? n >= 300 / every : n == 0, "thrower: %lu calls", n);

    arm();
    size_t len = map_work(2000);
    n = disarm();
    CHECK(len == 2000, "map_work %zu", len);
    CHECK(instrumented ? n >= 2000 : n == 0, "map_work: %lu calls", n);
  }

  // __ntps_poll == 0: no calls.
  {
    n_calls = 0;
    g_flag = 1;
    Counter c;
    (void)loop_t<unsigned>(100);
    spin_with_lambda();
    c.incr();
    (void)map_work(100);
    CHECK(n_calls == 0, "__ntps_poll == 0: %lu calls", n_calls);
  }

  // no_instrument_function: no points.
  {
    Counter c;
    arm();
    long v = noinst_method(c);
    n = disarm();
    CHECK(v == 100 && n == 0, "no_instrument_function: %lu calls", n);
  }

}

NOINST int main()
{
  std::signal(SIGALRM, on_alarm);
  alarm(20);
  if (NTPS_MODE == 3) {     // dual: realtime as edges, simulation as full
    run_checks(false);
    arm_value = 1 | (1UL << (8 * sizeof(unsigned long) - 1));
    run_checks(true);
  } else {
    run_checks(NTPS_MODE == 2);
  }
  std::printf("c++ mode %d: %s\n", NTPS_MODE, failures ? "FAILED" : "all checks passed");
  return failures ? 1 : 0;
}
