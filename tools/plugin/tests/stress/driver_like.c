// STRESS_FLAGS: -fshort-wchar -fno-strict-aliasing -std=gnu11
/* Stress source for the ntps_points plugin: kernel-driver-like code.
   Lists, spinlocks, atomics, bit fields, struct copies, wide strings,
   vector extensions, complex numbers, unions, flexible arrays.  */
#include <complex.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

typedef struct _LIST_ENTRY { struct _LIST_ENTRY *Flink, *Blink; } LIST_ENTRY;
typedef struct _IRP {
  LIST_ENTRY ListEntry;
  unsigned Flags : 5, Pending : 1, Cancel : 1, Priority : 9;
  int Status;
  uint64_t Information;
  wchar_t Name[32];
  char Data[];
} IRP;

typedef struct { volatile long Lock; LIST_ENTRY Head; int Count; } QUEUE;
typedef union { uint64_t Quad; struct { uint32_t Low, High; } u; double d; } LARGE;
typedef int v4si __attribute__((vector_size(16)));
typedef float v8sf __attribute__((vector_size(32)));

QUEUE g_queue;
LARGE g_time;
IRP g_template;
static int g_stats[64];

static inline void InitializeListHead(LIST_ENTRY *h) { h->Flink = h->Blink = h; }
static inline void InsertTailList(LIST_ENTRY *h, LIST_ENTRY *e)
{
  LIST_ENTRY *b = h->Blink;
  e->Flink = h; e->Blink = b; b->Flink = e; h->Blink = e;
}
static inline LIST_ENTRY *RemoveHeadList(LIST_ENTRY *h)
{
  LIST_ENTRY *e = h->Flink, *f = e->Flink;
  h->Flink = f; f->Blink = h;
  return e;
}

void AcquireSpinLock(volatile long *l)
{
  while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
    while (__atomic_load_n(l, __ATOMIC_RELAXED))
      __builtin_ia32_pause();
}
void ReleaseSpinLock(volatile long *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

long InterlockedIncrement(long volatile *p) { return __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST); }
long InterlockedCompareExchange(long volatile *p, long x, long c)
{
  __atomic_compare_exchange_n(p, &c, x, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return c;
}
int TestAndSetBit(volatile long *p, int bit)
{
  return (__atomic_fetch_or(p, 1L << bit, __ATOMIC_SEQ_CST) >> bit) & 1;
}
long SyncOps(long *p) { return __sync_fetch_and_add(p, 2) + __sync_val_compare_and_swap(p, 4, 5); }

void QueueIrp(QUEUE *q, IRP *irp)
{
  AcquireSpinLock(&q->Lock);
  InsertTailList(&q->Head, &irp->ListEntry);
  irp->Pending = 1;
  irp->Priority = q->Count++ & 511;
  ReleaseSpinLock(&q->Lock);
}

IRP *DequeueIrp(QUEUE *q)
{
  IRP *irp = NULL;
  AcquireSpinLock(&q->Lock);
  if (q->Head.Flink != &q->Head) {
    irp = (IRP *)((char *)RemoveHeadList(&q->Head) - offsetof(IRP, ListEntry));
    irp->Pending = 0;
    q->Count--;
  }
  ReleaseSpinLock(&q->Lock);
  return irp;
}

void InitIrp(IRP *irp, const wchar_t *name)
{
  *irp = g_template;                     /* aggregate copy */
  wcsncpy(irp->Name, name, 31);
  irp->Name[31] = 0;
  memset(&irp->Information, 0, sizeof irp->Information);
}

IRP ReturnByValue(int s) { IRP r = g_template; r.Status = s; return r; }
void PassByValue(IRP irp) { g_stats[irp.Status & 63]++; }
void UseByValue(void) { PassByValue(g_template); g_template = ReturnByValue(3); }

size_t WideLen(const wchar_t *s) { size_t n = 0; while (s[n]) n++; return n; }

uint32_t Crc32(const uint8_t *p, size_t n)
{
  uint32_t c = 0xffffffffu;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++)
      c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

v4si VecOps(v4si *a, int n)
{
  v4si s = { 0, 0, 0, 0 };
  for (int i = 0; i < n; i++)
    s += a[i] * a[i];
  return s;
}

void VecScale(v8sf *a, float f, int n)
{
  for (int i = 0; i < n; i++)
    a[i] *= f;
}

double complex ComplexPoly(double complex z, int n)
{
  double complex r = 1;
  for (int i = 0; i < n; i++)
    r = r * z + (double)i;
  return r;
}

uint64_t TimeDiff(void)
{
  LARGE t = g_time;
  t.u.High += 1;
  g_time.Quad = t.Quad;
  return t.Quad + (uint64_t)g_time.d;
}

void Saxpy(float *restrict y, const float *restrict x, float a, int n)
{
  for (int i = 0; i < n; i++)
    y[i] += a * x[i];
}

void CopyBlocks(char *dst, const char *src, size_t n)
{
  for (size_t i = 0; i < n; i += 64)
    memcpy(dst + i, src + i, 64);
}

int StrOps(char *buf, const char *a, const char *b)
{
  strcpy(buf, a);
  strcat(buf, b);
  return (int)strlen(buf) + strcmp(a, b) + (strchr(buf, 'x') != 0);
}

int BitFields(IRP *irp, int n)
{
  int s = 0;
  for (int i = 0; i < n; i++) {
    irp->Flags = i;
    irp->Cancel = !irp->Cancel;
    s += irp->Flags + irp->Priority;
  }
  return s;
}

int Matrix(int (*m)[16], int n)
{
  int s = 0;
  for (int i = 0; i < n && i < 16; i++)
    for (int j = 0; j < 16; j++)
      s += m[i][j] * m[j][i];
  return s;
}

static const int Table[] = { 1, 2, 3, 5, 8, 13, 21, 34 };
int ConstTable(int i) { return Table[i & 7] + "abcdefgh"[i & 7]; }
