// STRESS_FLAGS: -fopenmp -std=gnu11
/* Stress source for the ntps_points plugin: unusual control flow.
   Compile-only; exercises setjmp/longjmp, computed goto, nested functions,
   nonlocal goto, irreducible loops, switch tables, noreturn, asm goto,
   OpenMP outlining, VLAs and alloca.  */
#include <alloca.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int g_state, g_arr[256];
static jmp_buf g_jb;
volatile int g_vol;

__attribute__((noreturn)) void bail(int code) { longjmp(g_jb, code); }

int with_setjmp(int n)
{
  int r = setjmp(g_jb);
  if (r)
    return r + g_state;
  for (int i = 0; i < n; i++) {
    g_arr[i & 255] += i;
    if (g_arr[i & 255] > 1000)
      bail(i);
  }
  return 0;
}

int setjmp_in_loop(int n)
{
  jmp_buf jb;
  volatile int i = 0;
  while (setjmp(jb) < n) {
    g_state++;
    if (++i < n)
      longjmp(jb, i);
    break;
  }
  return i;
}

int interp(const unsigned char *code, int n)
{
  static void *tab[] = { &&op_add, &&op_sub, &&op_mul, &&op_halt };
  int acc = 0, pc = 0;
#define NEXT goto *tab[code[pc++] & 3]
  NEXT;
op_add:
  acc += g_arr[pc & 255];
  if (pc < n) NEXT;
  return acc;
op_sub:
  acc -= code[pc];
  if (pc < n) NEXT;
  return acc;
op_mul:
  acc *= 3;
  if (pc < n) NEXT;
  return acc;
op_halt:
  return acc;
#undef NEXT
}

int nested_fn(int n)
{
  __label__ out;
  int total = 0;
  void add(int x)
  {
    total += x;
    g_state += x;
    if (total > 10000)
      goto out;
  }
  for (int i = 0; i < n; i++)
    add(i);
out:
  return total;
}

int irreducible(int a, int n)
{
  int i = 0, s = 0;
  if (a)
    goto l2;
l1:
  s += g_arr[i & 255];
  i++;
l2:
  s ^= i;
  i += 2;
  if (i < n)
    goto l1;
  if (s & 1 && i < 2 * n)
    goto l2;
  return s;
}

int big_switch(int op, int *p)
{
  int r = 0;
  for (int k = 0; k < 4; k++) {
    switch ((op + k) & 15) {
    case 0: r += p[0]; break;
    case 1: r -= p[1]; break;
    case 2: r ^= p[2]; p[2] = r; break;
    case 3: r |= g_state; break;
    case 4: g_state = r; break;
    case 5: r += g_arr[r & 255]; break;
    case 6: return r;
    case 7: r <<= 1; /* fallthrough */
    case 8: r++; break;
    case 9: case 10: case 11: r--; break;
    default: r = g_vol;
    }
  }
  return r;
}

int vla_alloca(int n)
{
  int v[n];
  int *a = alloca(n * sizeof(int));
  for (int i = 0; i < n; i++) {
    v[i] = i * g_state;
    a[i] = v[n - 1 - i];
  }
  int s = 0;
  for (int i = 0; i < n; i++)
    s += a[i] + v[i];
  return s;
}

int asm_goto(int x)
{
  for (int i = 0; i < x; i++) {
    __asm__ goto("testl %0, %0; jz %l1" : : "r"(i) : "cc" : zero);
    g_state++;
    continue;
  zero:
    g_state--;
  }
  return g_state;
}

int asm_mem(void)
{
  int r;
  for (int i = 0; i < 10; i++)
    __asm__ volatile("movl %1, %0; addl $1, %1" : "=r"(r), "+m"(g_arr[i]));
  return r;
}

double omp_sum(const double *a, int n)
{
  double s = 0;
#pragma omp parallel for reduction(+ : s)
  for (int i = 0; i < n; i++)
    s += a[i] * a[i];
  return s;
}

int varargs(int n, ...)
{
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++)
    s += va_arg(ap, int);
  va_end(ap);
  return s;
}

__attribute__((noreturn)) void forever(void)
{
  for (;;)
    g_state++;
}

void forever_empty(void)
{
  for (;;) {
  }
}

int early_exit_loops(int *p, int n)
{
  for (int i = 0; i < n; i++) {
    if (p[i] == 42)
      return i;
    for (int j = i; j < n; j++)
      if (p[j] < 0)
        goto found;
  }
  return -1;
found:
  return -2;
}

__attribute__((naked)) void naked_fn(void) { __asm__("ret"); }

int tail_rec(int n, int acc) { return n ? tail_rec(n - 1, acc + g_arr[n & 255]) : acc; }

int ptr_chase(int **pp, int n)
{
  int s = 0;
  while (n-- > 0 && *pp) {
    s += **pp;
    pp++;
  }
  return s;
}

_Thread_local int tls_counter;
int tls_loop(int n)
{
  for (int i = 0; i < n; i++)
    tls_counter += i;
  return tls_counter;
}
