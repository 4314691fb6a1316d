/*
 * host/trace.c - `ntps run --trace FILE`, recording: the run's context
 * switches and driver callbacks, for host/tracewrite.c to write in the
 * Chrome trace event format at the end.
 *
 * Recording: Ke calls KiTraceSwitchHook at every context switch and vf
 * calls VfTraceCallbackHook when a callback frame begins and ends; each
 * appends a 24-byte event to the buffer of the processor it runs on (no
 * lock, no atomic: a processor's buffer is written by its own host thread
 * only). A global sequence number orders switches across processors (one
 * atomic add per switch, under the dispatcher lock); a callback's events
 * carry the number of their processor's latest switch, and follow it in
 * that processor's buffer, so a thread's events stay in order. Times are
 * one clock reading an event: in realtime the processor's time-stamp
 * counter (a fraction of the host clock's cost), mapped to interrupt time
 * when the trace is written by two readings of both, at start and end; in
 * simulation the virtual clock, as before, so a replay's trace is the same.
 * Threads are named by their run record (host/activity.c).
 *
 */
#include "host/tracep.h"
#include "vf/vf.h"

#include <stdlib.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

volatile BOOLEAN HostTracing;
HOST_TRACE_CPU HostTraceCpus[MAXIMUM_PROCESSORS];
static volatile ULONG HostTraceSequence;

/* Event times: the time-stamp counter where it is invariant (constant
 * rate, running in every power state, synchronized across processors, as
 * Linux's nonstop_tsc says) and the run is realtime; else interrupt time.
 * A counter reading and an interrupt time taken together at start and at
 * the end map one to the other. */
static BOOLEAN HostTraceTsc;
static struct { ULONG64 Tsc, Time; } HostTraceStart, HostTraceEnd;
static ULONG64 HostTraceBoot;           /* host monotonic time at interrupt time 0 */

static BOOLEAN HostInvariantTsc(VOID)
{
#if defined(__x86_64__)
    unsigned int Eax, Ebx, Ecx, Edx;
    return __get_cpuid(0x80000007, &Eax, &Ebx, &Ecx, &Edx) && (Edx & (1u << 8)) != 0;
#else
    return FALSE;
#endif
}

static inline ULONG64 HostTraceStamp(VOID)
{
#if defined(__x86_64__)
    if (HostTraceTsc)
        return __builtin_ia32_rdtsc();
#endif
    return KiQueryInterruptTime();
}

/* A counter reading and host monotonic time together (the trace starts
 * before the kernel's clock does): the counter read on either side of the
 * clock, the pair with the closest readings of five. */
static VOID HostTraceCalibrate(ULONG64 *Tsc, ULONG64 *Time)
{
    ULONG64 Best = ~0ull;
    for (int i = 0; i < 5; i++) {
        ULONG64 Before = HostTraceStamp(), Now = HalQueryMonotonicTime100ns(), After = HostTraceStamp();
        if (After - Before < Best) {
            Best = After - Before;
            *Tsc = Before + (After - Before) / 2;
            *Time = Now;
        }
    }
}

/* An event's time in interrupt time (100 ns). */
static double HostTraceRate;             /* interrupt time per counter tick */

ULONG64 HostTraceTime(ULONG64 Stamp)
{
    if (!HostTraceTsc)
        return Stamp;
    LONG64 Ticks = (LONG64)(Stamp - HostTraceStart.Tsc);     /* another processor's counter may read a bit behind */
    ULONG64 Host = HostTraceStart.Time + (Ticks <= 0 ? 0 : (ULONG64)((double)Ticks * HostTraceRate));
    return Host > HostTraceBoot ? Host - HostTraceBoot : 0;
}

/* The end's reading, for HostTraceTime: when the trace is written. */
VOID HostTraceClockEnd(VOID)
{
    if (!HostTraceTsc)
        return;
    HostTraceCalibrate(&HostTraceEnd.Tsc, &HostTraceEnd.Time);
    HostTraceBoot = HalQueryMonotonicTime100ns() - KiQueryInterruptTime();
    HostTraceRate = HostTraceEnd.Tsc > HostTraceStart.Tsc ? (double)(HostTraceEnd.Time - HostTraceStart.Time) /
                                                             (double)(HostTraceEnd.Tsc - HostTraceStart.Tsc)
                                                       : 0.0;
}

static inline HOST_TRACE_EVENT *HostTraceSlot(ULONG Cpu)
{
    HOST_TRACE_CPU *C = &HostTraceCpus[Cpu];
    HOST_TRACE_CHUNK *Chunk = C->Current;
    if (__builtin_expect(Chunk == NULL || Chunk->Count == HOST_TRACE_CHUNK_EVENTS, 0)) {
        HOST_TRACE_CHUNK *New = C->Spare;
        if (New != NULL)
            C->Spare = New->Next;
        else
            New = malloc(sizeof(*New));
        if (New == NULL) {
            C->Failed = TRUE;
            return NULL;
        }
        New->Next = NULL;
        New->Count = 0;
        if (Chunk != NULL)
            Chunk->Next = New;
        else
            C->First = New;
        C->Current = Chunk = New;
    }
    return &Chunk->Events[Chunk->Count++];
}

/* The thread's run record index + 1, or 0 for a thread not recorded. */
static inline ULONG HostTraceRecord(PKTHREAD Thread)
{
    ULONG Record = __atomic_load_n(&((ETHREAD *)Thread)->ActivityRecord, __ATOMIC_RELAXED);
    return Record <= HOST_TRACE_RECORD_MASK ? Record : 0;
}

/* A switch: the old thread out and the new one in at one time, numbered
 * together (one time reading, one atomic add). */
static VOID HostTraceSwitch(PKPRCB Prcb, PKTHREAD Old, PKTHREAD New)
{
    ULONG OldRecord = Old != Prcb->IdleThread ? HostTraceRecord(Old) : 0;
    ULONG NewRecord = New != Prcb->IdleThread ? HostTraceRecord(New) : 0;
    ULONG Count = (OldRecord != 0) + (NewRecord != 0);
    if (Count == 0)
        return;
    HOST_TRACE_CPU *Cpu = &HostTraceCpus[Prcb->Number];
    ULONG Sequence = __atomic_fetch_add(&HostTraceSequence, Count, __ATOMIC_SEQ_CST);
    Cpu->Sequence = Sequence + Count - 1;
    ULONG64 Time = HostTraceStamp();
    HOST_TRACE_EVENT *Event;
    if (OldRecord != 0 && (Event = HostTraceSlot(Prcb->Number)) != NULL)
        *Event = (HOST_TRACE_EVENT){ Time, Sequence++, OldRecord | (ULONG)TraceOut << 30, NULL };
    if (NewRecord != 0 && (Event = HostTraceSlot(Prcb->Number)) != NULL)
        *Event = (HOST_TRACE_EVENT){ Time, Sequence, NewRecord | (ULONG)TraceIn << 30, NULL };
}

static VOID HostTraceCallback(VF_CALLBACK_FRAME *Frame, BOOLEAN Enter)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    ULONG Record = HostTraceRecord(Prcb->CurrentThread);
    HOST_TRACE_EVENT *Event = Record != 0 ? HostTraceSlot(Prcb->Number) : NULL;
    if (Event == NULL)
        return;
    ULONG Type = Enter ? TraceEnter : TraceLeave;
    *Event = (HOST_TRACE_EVENT){ HostTraceStamp(), HostTraceCpus[Prcb->Number].Sequence,
                                 Record | Type << 30 | ((ULONG)Frame->Kind & 7) << 27, Frame->Routine };
}

VOID HostTraceProcessEvent(ULONG Record, BOOLEAN Created)
{
    (void)Record;   /* lifetimes come from the run record when the trace is written */
    (void)Created;
}

BOOLEAN HostStartTrace(ULONG Cpus)
{
    (void)Cpus;
    HostStopTrace();
    HostTraceSequence = 0;
    HostTraceTsc = !KiConfig.Simulation && HostInvariantTsc();
    if (HostTraceTsc)
        HostTraceCalibrate(&HostTraceStart.Tsc, &HostTraceStart.Time);
    KiTraceSwitchHook = HostTraceSwitch;
    VfTraceCallbackHook = HostTraceCallback;
    HostTracing = TRUE;
    return TRUE;
}

/* A run's chunks are kept, per processor (whose host thread alone takes
 * them), for the next run in this process (benchmarks, embedders running
 * the kernel again): its buffers then cost no page faults. */
VOID HostStopTrace(VOID)
{
    KiTraceSwitchHook = NULL;
    VfTraceCallbackHook = NULL;
    HostTracing = FALSE;
    ULONG Kept = 0;
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++) {
        HOST_TRACE_CPU *C = &HostTraceCpus[i];
        for (HOST_TRACE_CHUNK *Chunk = C->Spare; Chunk != NULL; Chunk = Chunk->Next)
            Kept++;
        HOST_TRACE_CHUNK *Chunk = C->First;
        while (Chunk != NULL) {
            HOST_TRACE_CHUNK *Next = Chunk->Next;
            if (Kept < HOST_TRACE_SPARE_CHUNKS) {
                Chunk->Next = C->Spare;
                C->Spare = Chunk;
                Kept++;
            } else {
                free(Chunk);
            }
            Chunk = Next;
        }
        C->First = C->Current = NULL;
        C->Sequence = 0;
        C->Failed = FALSE;
    }
}
