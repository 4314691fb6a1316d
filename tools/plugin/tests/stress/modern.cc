// STRESS_FLAGS: -std=gnu++20
// Stress source for the ntps_points plugin: C++ templates, STL, exceptions,
// virtual dispatch, lambdas, coroutines, thread_local, atomics.
#include <algorithm>
#include <atomic>
#include <coroutine>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

struct Device {
  virtual ~Device() = default;
  virtual int Dispatch(int code) = 0;
  std::string name;
};

struct Disk : Device {
  std::vector<int> sectors;
  int Dispatch(int code) override
  {
    if (code < 0)
      throw std::runtime_error("bad code " + std::to_string(code));
    sectors.push_back(code);
    return static_cast<int>(sectors.size());
  }
};

template <typename T, int N>
struct Ring {
  T items[N];
  std::atomic<unsigned> head{0}, tail{0};
  bool push(const T &v)
  {
    unsigned t = tail.load(std::memory_order_relaxed);
    if (t - head.load(std::memory_order_acquire) == N)
      return false;
    items[t % N] = v;
    tail.store(t + 1, std::memory_order_release);
    return true;
  }
  std::optional<T> pop()
  {
    unsigned h = head.load(std::memory_order_relaxed);
    if (h == tail.load(std::memory_order_acquire))
      return std::nullopt;
    T v = items[h % N];
    head.store(h + 1, std::memory_order_release);
    return v;
  }
};

template struct Ring<int, 64>;
template struct Ring<std::string, 8>;

int DriveDevices(std::vector<std::unique_ptr<Device>> &devs, int n)
{
  int total = 0;
  for (int i = 0; i < n; i++)
    for (auto &d : devs) {
      try {
        total += d->Dispatch(i - 3);
      } catch (const std::exception &e) {
        total -= static_cast<int>(std::string(e.what()).size());
      }
    }
  return total;
}

std::map<std::string, int> WordCount(const std::vector<std::string> &words)
{
  std::map<std::string, int> m;
  for (const auto &w : words)
    ++m[w];
  return m;
}

std::unordered_map<int, std::vector<double>> Buckets(const std::vector<double> &v)
{
  std::unordered_map<int, std::vector<double>> b;
  for (double x : v)
    b[static_cast<int>(x) % 10].push_back(x);
  for (auto &kv : b)
    std::sort(kv.second.begin(), kv.second.end());
  return b;
}

template <typename... Ts>
auto SumAll(Ts... ts) { return (ts + ... + 0); }
int UseSumAll() { return SumAll(1, 2, 3, 4L, 5u); }

using Value = std::variant<int, double, std::string>;
std::string Describe(const std::vector<Value> &vs)
{
  std::string out;
  for (const auto &v : vs)
    std::visit([&](auto &&x) {
      using X = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<X, std::string>)
        out += x;
      else
        out += std::to_string(x);
    }, v);
  return out;
}

struct Generator {
  struct promise_type {
    int current = 0;
    Generator get_return_object() { return Generator{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(int v) { current = v; return {}; }
    void return_void() {}
    void unhandled_exception() { throw; }
  };
  std::coroutine_handle<promise_type> h;
  ~Generator() { if (h) h.destroy(); }
  bool next() { h.resume(); return !h.done(); }
  int value() const { return h.promise().current; }
};

Generator Counter(int n)
{
  for (int i = 0; i < n; i++)
    co_yield i * i;
}

long ConsumeCoroutine(int n)
{
  long s = 0;
  auto g = Counter(n);
  while (g.next())
    s += g.value();
  return s;
}

thread_local std::vector<int> tls_log;
std::mutex g_mu;
int g_shared;

void Logged(int x)
{
  std::lock_guard<std::mutex> lk(g_mu);
  tls_log.push_back(x);
  g_shared += x;
}

std::function<int(int)> MakeAdder(int k)
{
  auto shared = std::make_shared<int>(k);
  return [shared](int x) mutable { return x + (*shared)++; };
}

int Lambdas(std::vector<int> &v)
{
  int bias = 3;
  std::transform(v.begin(), v.end(), v.begin(), [bias](int x) { return x * 2 + bias; });
  auto it = std::remove_if(v.begin(), v.end(), [](int x) { return x % 3 == 0; });
  v.erase(it, v.end());
  auto adder = MakeAdder(7);
  return std::accumulate(v.begin(), v.end(), 0, [&](int a, int b) { return a + adder(b); });
}

struct Base { virtual int f() { return 1; } virtual ~Base() {} };
struct Mid1 : virtual Base { int f() override { return 2; } };
struct Mid2 : virtual Base { int g() { return 3; } };
struct Diamond : Mid1, Mid2 { int f() override { return Mid1::f() + g(); } };
int Virtuals(Base *b, int n) { int s = 0; for (int i = 0; i < n; i++) s += b->f(); return s; }
Diamond *MakeDiamond() { return new Diamond; }

int NoexceptWalk(const std::vector<int> &v) noexcept
{
  int s = 0;
  for (size_t i = 0; i < v.size(); i++)
    s += v.at(i);      // may throw inside noexcept: terminate path
  return s;
}
