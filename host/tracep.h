/*
 * host/tracep.h - what host/trace.c records and host/tracewrite.c writes:
 * the per-processor event buffers and the clock that maps their times.
 */
#ifndef NTPS_HOST_TRACEP_H
#define NTPS_HOST_TRACEP_H

#include "host/activity.h"

#define HOST_TRACE_CHUNK_EVENTS 2700     /* 64 KiB chunks: from the heap, kept for the next run */
#define HOST_TRACE_SPARE_CHUNKS 256      /* at most 16 MiB of them kept */
#define HOST_TRACE_DEPTH 16                 /* callbacks nested on one thread, as traced */
#define HOST_TRACE_CPU_PID 0x7FFFFFF0u      /* the pseudo-process of the processor tracks */

enum { TraceIn, TraceOut, TraceEnter, TraceLeave };

/* Record: the thread's run record index + 1 (low 27 bits), the type and
 * the callback kind above it. */
typedef struct _HOST_TRACE_EVENT {
    ULONG64 Time;
    ULONG Sequence;
    ULONG Record;
    PVOID Routine;                      /* TraceEnter */
} HOST_TRACE_EVENT;

#define HOST_TRACE_RECORD_MASK 0x07FFFFFFu
#define HOST_TRACE_TYPE(e) ((e)->Record >> 30)
#define HOST_TRACE_KIND(e) (((e)->Record >> 27) & 7)

typedef struct _HOST_TRACE_CHUNK {
    struct _HOST_TRACE_CHUNK *Next;
    ULONG Count;
    HOST_TRACE_EVENT Events[HOST_TRACE_CHUNK_EVENTS];
} HOST_TRACE_CHUNK;

typedef struct DECLSPEC_CACHEALIGN _HOST_TRACE_CPU {
    HOST_TRACE_CHUNK *First, *Current;
    HOST_TRACE_CHUNK *Spare;            /* a previous run's chunks, reused before new ones */
    ULONG Sequence;                     /* the number of its latest switch: its callbacks' */
    BOOLEAN Failed;                     /* out of memory: events dropped */
} HOST_TRACE_CPU;

extern HOST_TRACE_CPU HostTraceCpus[MAXIMUM_PROCESSORS];

/* An event's time in interrupt time (100 ns), once HostTraceClockEnd has
 * taken the end's reading. */
ULONG64 HostTraceTime(ULONG64 Stamp);
VOID HostTraceClockEnd(VOID);

#endif
