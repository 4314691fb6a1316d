/*
 * host/trace.c - `ntps run --trace FILE`: the run's context switches and
 * driver callbacks in the Chrome trace event format (JSON), which
 * Perfetto's UI (https://ui.perfetto.dev) and chrome://tracing open.
 *
 * Recording: Ke calls KiTraceSwitchHook at every context switch and vf
 * calls VfTraceCallbackHook when a callback frame begins and ends; each
 * appends a small event to the buffer of the processor it runs on (no
 * lock: a processor's buffer is written by its own host thread only). A
 * global sequence number orders events across processors: a switch is
 * numbered under the dispatcher lock, a callback's events on the thread
 * between its switch in and out, so a thread's events are in order.
 * Writing (at the end): events sorted by sequence, turned into complete
 * ("X") spans: per processor, the threads it ran; per thread, where it
 * ran ("running", on CPU n) and inside those its callbacks, nested (a
 * callback a thread is switched out of is cut there and continued at the
 * switch back, so callbacks stay inside running spans); per process, its
 * lifetime (from the run record).
 */
#include "host/activity.h"
#include "vf/vf.h"

#include <stdlib.h>
#include <string.h>

#define HOST_TRACE_CHUNK_EVENTS 8192
#define HOST_TRACE_DEPTH 16             /* callbacks nested on one thread, as traced */
#define HOST_TRACE_CPU_PID 0x7FFFFFF0u  /* the pseudo-process of the processor tracks */

enum { TraceIn, TraceOut, TraceEnter, TraceLeave };

typedef struct _HOST_TRACE_EVENT {
    ULONG64 Sequence;
    ULONG64 Time;
    PKTHREAD Thread;
    PVOID Routine;
    ULONG Tid, Pid;
    UCHAR Type, Cpu, Kind;
} HOST_TRACE_EVENT;

typedef struct _HOST_TRACE_CHUNK {
    struct _HOST_TRACE_CHUNK *Next;
    ULONG Count;
    HOST_TRACE_EVENT Events[HOST_TRACE_CHUNK_EVENTS];
} HOST_TRACE_CHUNK;

typedef struct DECLSPEC_CACHEALIGN _HOST_TRACE_CPU {
    HOST_TRACE_CHUNK *First, *Current;
    BOOLEAN Failed;                     /* out of memory: events dropped */
} HOST_TRACE_CPU;

volatile BOOLEAN HostTracing;
static HOST_TRACE_CPU HostTraceCpus[MAXIMUM_PROCESSORS];
static volatile ULONG64 HostTraceSequence;

static HOST_TRACE_EVENT *HostTraceSlot(ULONG Cpu)
{
    HOST_TRACE_CPU *C = &HostTraceCpus[Cpu];
    HOST_TRACE_CHUNK *Chunk = C->Current;
    if (Chunk == NULL || Chunk->Count == HOST_TRACE_CHUNK_EVENTS) {
        HOST_TRACE_CHUNK *New = malloc(sizeof(*New));
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
    HOST_TRACE_EVENT *Event = &Chunk->Events[Chunk->Count++];
    Event->Sequence = __atomic_fetch_add(&HostTraceSequence, 1, __ATOMIC_SEQ_CST);
    Event->Time = KiQueryInterruptTime();
    Event->Cpu = (UCHAR)Cpu;
    return Event;
}

static VOID HostTraceThread(ULONG Cpu, UCHAR Type, PKTHREAD Thread, PVOID Routine, UCHAR Kind)
{
    HOST_TRACE_EVENT *Event = HostTraceSlot(Cpu);
    if (Event == NULL)
        return;
    ETHREAD *T = (ETHREAD *)Thread;
    Event->Type = Type;
    Event->Thread = Thread;
    Event->Routine = Routine;
    Event->Kind = Kind;
    Event->Tid = (ULONG)(ULONG_PTR)T->Cid.UniqueThread;
    Event->Pid = (ULONG)(ULONG_PTR)T->Cid.UniqueProcess;
}

static VOID HostTraceSwitch(PKPRCB Prcb, PKTHREAD Old, PKTHREAD New)
{
    if (Old != Prcb->IdleThread)
        HostTraceThread(Prcb->Number, TraceOut, Old, NULL, 0);
    if (New != Prcb->IdleThread)
        HostTraceThread(Prcb->Number, TraceIn, New, NULL, 0);
}

static VOID HostTraceCallback(VF_CALLBACK_FRAME *Frame, BOOLEAN Enter)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    HostTraceThread(Prcb->Number, Enter ? TraceEnter : TraceLeave, Prcb->CurrentThread, Frame->Routine,
                    (UCHAR)Frame->Kind);
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
    KiTraceSwitchHook = HostTraceSwitch;
    VfTraceCallbackHook = HostTraceCallback;
    HostTracing = TRUE;
    return TRUE;
}

VOID HostStopTrace(VOID)
{
    KiTraceSwitchHook = NULL;
    VfTraceCallbackHook = NULL;
    HostTracing = FALSE;
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++) {
        HOST_TRACE_CHUNK *Chunk = HostTraceCpus[i].First;
        while (Chunk != NULL) {
            HOST_TRACE_CHUNK *Next = Chunk->Next;
            free(Chunk);
            Chunk = Next;
        }
        memset(&HostTraceCpus[i], 0, sizeof(HostTraceCpus[i]));
    }
}

/* ---- writing ----------------------------------------------------------------------------- */

enum { SpanCpu, SpanRunning, SpanCallback, SpanProcess };

typedef struct _HOST_SPAN {
    ULONG64 Start, Duration;
    ULONG Pid, Tid;
    PVOID Routine;                      /* callback; process: record index */
    UCHAR Type, Cpu, Kind, Depth;
    BOOLEAN Continued;                  /* a callback's part after a switch back */
} HOST_SPAN;

typedef struct _HOST_TRACED_THREAD {
    PKTHREAD Thread;                    /* hash key */
    BOOLEAN Running;
    UCHAR Cpu, Depth;
    ULONG Tid, Pid;
    ULONG64 Since;                      /* running since */
    struct { PVOID Routine; UCHAR Kind; BOOLEAN Continued; ULONG64 Since; } Stack[HOST_TRACE_DEPTH];
} HOST_TRACED_THREAD;

typedef struct _HOST_TRACE_WRITER {
    HOST_SPAN *Spans;
    ULONG SpanCount, SpanCapacity;
    HOST_TRACED_THREAD *Threads;        /* open addressing by KTHREAD address */
    ULONG ThreadSlots;
    BOOLEAN Failed;
} HOST_TRACE_WRITER;

static HOST_SPAN *HostAddSpan(HOST_TRACE_WRITER *W, UCHAR Type, ULONG64 Start, ULONG64 End)
{
    if (W->SpanCount == W->SpanCapacity) {
        ULONG New = W->SpanCapacity ? W->SpanCapacity * 2 : 4096;
        HOST_SPAN *Grown = realloc(W->Spans, (size_t)New * sizeof(HOST_SPAN));
        if (Grown == NULL) {
            W->Failed = TRUE;
            return NULL;
        }
        W->Spans = Grown;
        W->SpanCapacity = New;
    }
    HOST_SPAN *S = &W->Spans[W->SpanCount++];
    memset(S, 0, sizeof(*S));
    S->Type = Type;
    S->Start = Start;
    S->Duration = End > Start ? End - Start : 0;
    return S;
}

static HOST_TRACED_THREAD *HostFindThread(HOST_TRACE_WRITER *W, PKTHREAD Thread)
{
    ULONG i = (ULONG)(((ULONG_PTR)Thread >> 6) * 2654435761u) & (W->ThreadSlots - 1);
    while (W->Threads[i].Thread != NULL && W->Threads[i].Thread != Thread)
        i = (i + 1) & (W->ThreadSlots - 1);
    W->Threads[i].Thread = Thread;
    return &W->Threads[i];
}

/* Close the thread's callbacks (innermost first) and its running span at Time. */
static VOID HostSwitchOut(HOST_TRACE_WRITER *W, HOST_TRACED_THREAD *T, ULONG64 Time)
{
    for (ULONG d = T->Depth; d-- > 0;) {
        HOST_SPAN *S = HostAddSpan(W, SpanCallback, T->Stack[d].Since, Time);
        if (S == NULL)
            return;
        S->Pid = T->Pid, S->Tid = T->Tid, S->Routine = T->Stack[d].Routine, S->Kind = T->Stack[d].Kind;
        S->Depth = (UCHAR)(d + 1), S->Continued = T->Stack[d].Continued, S->Cpu = T->Cpu;
        T->Stack[d].Continued = TRUE;
    }
    for (UCHAR Type = SpanCpu; Type <= SpanRunning; Type++) {
        HOST_SPAN *S = HostAddSpan(W, Type, T->Since, Time);
        if (S == NULL)
            return;
        S->Pid = T->Pid, S->Tid = T->Tid, S->Cpu = T->Cpu;
    }
    T->Running = FALSE;
}

static VOID HostReplay(HOST_TRACE_WRITER *W, const HOST_TRACE_EVENT *E)
{
    HOST_TRACED_THREAD *T = HostFindThread(W, E->Thread);
    switch (E->Type) {
    case TraceIn:
        if (T->Running)
            HostSwitchOut(W, T, E->Time);
        if (T->Tid != E->Tid || T->Pid != E->Pid)
            T->Depth = 0;       /* the thread object was reused by a new thread */
        T->Running = TRUE, T->Cpu = E->Cpu, T->Since = E->Time, T->Tid = E->Tid, T->Pid = E->Pid;
        for (ULONG d = 0; d < T->Depth; d++)
            T->Stack[d].Since = E->Time;
        break;
    case TraceOut:
        if (T->Running)
            HostSwitchOut(W, T, E->Time);
        break;
    case TraceEnter:
        if (T->Depth < HOST_TRACE_DEPTH) {
            T->Stack[T->Depth].Routine = E->Routine, T->Stack[T->Depth].Kind = E->Kind;
            T->Stack[T->Depth].Since = E->Time, T->Stack[T->Depth].Continued = FALSE;
        }
        T->Depth++;
        break;
    case TraceLeave:
        if (T->Depth == 0)
            break;
        T->Depth--;
        if (T->Depth < HOST_TRACE_DEPTH && T->Running) {
            HOST_SPAN *S = HostAddSpan(W, SpanCallback, T->Stack[T->Depth].Since, E->Time);
            if (S != NULL) {
                S->Pid = T->Pid, S->Tid = T->Tid, S->Routine = E->Routine, S->Kind = E->Kind, S->Cpu = T->Cpu;
                S->Depth = (UCHAR)(T->Depth + 1), S->Continued = T->Stack[T->Depth].Continued;
            }
        }
        break;
    }
}

static int HostCompareEvents(const void *A, const void *B)
{
    ULONG64 a = ((const HOST_TRACE_EVENT *)A)->Sequence, b = ((const HOST_TRACE_EVENT *)B)->Sequence;
    return a < b ? -1 : a > b;
}

/* Outer spans first at equal start times, so that viewers nest them. */
static int HostCompareSpans(const void *A, const void *B)
{
    const HOST_SPAN *a = A, *b = B;
    if (a->Start != b->Start)
        return a->Start < b->Start ? -1 : 1;
    if (a->Duration != b->Duration)
        return a->Duration > b->Duration ? -1 : 1;
    return (int)a->Type * 64 + a->Depth - ((int)b->Type * 64 + b->Depth);
}

static HOST_TRACE_EVENT *HostGatherEvents(ULONG64 *CountOut)
{
    ULONG64 Count = 0;
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++)
        for (HOST_TRACE_CHUNK *c = HostTraceCpus[i].First; c != NULL; c = c->Next)
            Count += c->Count;
    HOST_TRACE_EVENT *Events = malloc((Count ? Count : 1) * sizeof(HOST_TRACE_EVENT));
    if (Events == NULL)
        return NULL;
    ULONG64 n = 0;
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++)
        for (HOST_TRACE_CHUNK *c = HostTraceCpus[i].First; c != NULL; c = c->Next) {
            memcpy(&Events[n], c->Events, c->Count * sizeof(HOST_TRACE_EVENT));
            n += c->Count;
        }
    qsort(Events, Count, sizeof(HOST_TRACE_EVENT), HostCompareEvents);
    *CountOut = Count;
    return Events;
}

static PCSTR HostSpanName(PVOID Routine, char *Buffer, SIZE_T Size)
{
    static struct { PVOID Routine; char Name[96]; } Cache[64];
    ULONG Slot = (ULONG)(((ULONG_PTR)Routine >> 4) % RTL_NUMBER_OF(Cache));
    if (Cache[Slot].Routine != Routine) {
        KiDescribeAddress(Routine, Cache[Slot].Name, sizeof(Cache[Slot].Name));
        Cache[Slot].Routine = Routine;
    }
    snprintf(Buffer, Size, "%s", Cache[Slot].Name);
    return Buffer;
}

static VOID HostWriteTime(FILE *Out, PCSTR Name, ULONG64 Time)
{
    fprintf(Out, ",\"%s\":%llu.%01llu", Name, Time / 10, Time % 10);   /* microseconds */
}

static VOID HostWriteSpan(FILE *Out, const HOST_SPAN *S)
{
    char Name[128];
    const HOST_PROCESS_RECORD *P;
    switch (S->Type) {
    case SpanCpu:
        fprintf(Out, "{\"ph\":\"X\",\"cat\":\"cpu\",\"pid\":%u,\"tid\":%u,\"name\":\"TID %lu (PID %lu)\"",
                HOST_TRACE_CPU_PID, S->Cpu, (unsigned long)S->Tid, (unsigned long)S->Pid);
        break;
    case SpanRunning:
        fprintf(Out, "{\"ph\":\"X\",\"cat\":\"thread\",\"pid\":%lu,\"tid\":%lu,\"name\":\"running\"",
                (unsigned long)S->Pid, (unsigned long)S->Tid);
        break;
    case SpanCallback:
        fprintf(Out, "{\"ph\":\"X\",\"cat\":\"callback\",\"pid\":%lu,\"tid\":%lu,\"name\":", (unsigned long)S->Pid,
                (unsigned long)S->Tid);
        HostJsonString(Out, HostSpanName(S->Routine, Name, sizeof(Name)));
        break;
    default:
        P = &HostActivity.Processes[(ULONG_PTR)S->Routine];
        fprintf(Out, "{\"ph\":\"X\",\"cat\":\"process\",\"pid\":%lu,\"tid\":%lu,\"name\":", (unsigned long)S->Pid,
                (unsigned long)S->Pid);
        HostJsonString(Out, P->Image);
        break;
    }
    HostWriteTime(Out, "ts", S->Start);
    HostWriteTime(Out, "dur", S->Duration);
    if (S->Type == SpanCallback)
        fprintf(Out, ",\"args\":{\"kind\":\"%s\",\"cpu\":%u,\"depth\":%u,\"continued\":%s}}",
                VfCallbackKindName((VF_CALLBACK_KIND)S->Kind), S->Cpu, S->Depth, S->Continued ? "true" : "false");
    else if (S->Type == SpanProcess)
        fprintf(Out, ",\"args\":{\"exit_status\":\"0x%08X\"}}", (unsigned)HostActivity.Processes[(ULONG_PTR)S->Routine].ExitStatus);
    else
        fprintf(Out, ",\"args\":{\"cpu\":%u,\"pid\":%lu,\"tid\":%lu}}", S->Cpu, (unsigned long)S->Pid,
                (unsigned long)S->Tid);
}

static VOID HostWriteMetadata(FILE *Out, ULONG Cpus)
{
    fprintf(Out, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"args\":{\"name\":\"virtual processors\"}},\n"
            "{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%u,\"args\":{\"sort_index\":-1}}",
            HOST_TRACE_CPU_PID, HOST_TRACE_CPU_PID);
    for (ULONG i = 0; i < Cpus; i++)
        fprintf(Out, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%lu,\"args\":{\"name\":\"CPU %lu\"}}",
                HOST_TRACE_CPU_PID, (unsigned long)i, (unsigned long)i);
    HOST_ACTIVITY *A = &HostActivity;
    for (ULONG i = 0; i < A->ProcessCount; i++) {
        const HOST_PROCESS_RECORD *P = &A->Processes[i];
        fprintf(Out, ",\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%lu,\"args\":{\"name\":", (unsigned long)P->Pid);
        HostJsonString(Out, P->Image);
        fprintf(Out, "}},\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%lu,\"tid\":%lu,\"args\":{\"name\":"
                "\"lifetime\"}}", (unsigned long)P->Pid, (unsigned long)P->Pid);
    }
    for (ULONG i = 0; i < A->ThreadCount; i++) {
        const HOST_THREAD_RECORD *T = &A->Threads[i];
        fprintf(Out, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%lu,\"tid\":%lu,\"args\":{\"name\":"
                "\"%s thread %lu\"}}", (unsigned long)A->Processes[T->Process].Pid, (unsigned long)T->Tid,
                T->System ? "system" : "user", (unsigned long)T->Tid);
    }
}

BOOLEAN HostWriteTrace(const char *Path, ULONGLONG EndTime)
{
    HOST_TRACE_WRITER W;
    memset(&W, 0, sizeof(W));
    ULONG64 Count = 0;
    HOST_TRACE_EVENT *Events = HostGatherEvents(&Count);
    FILE *Out = Events != NULL ? fopen(Path, "w") : NULL;
    if (Out == NULL) {
        free(Events);
        return FALSE;
    }
    W.ThreadSlots = 1024;
    while (W.ThreadSlots < 2 * HostActivity.ThreadCount + 256)
        W.ThreadSlots *= 2;
    W.Threads = calloc(W.ThreadSlots, sizeof(HOST_TRACED_THREAD));
    ULONG Cpus = 0;
    for (ULONG64 i = 0; i < Count && W.Threads != NULL; i++) {
        HostReplay(&W, &Events[i]);
        if (Events[i].Cpu + 1u > Cpus)
            Cpus = Events[i].Cpu + 1u;
    }
    for (ULONG i = 0; i < W.ThreadSlots && W.Threads != NULL; i++)
        if (W.Threads[i].Thread != NULL && W.Threads[i].Running)
            HostSwitchOut(&W, &W.Threads[i], EndTime);
    for (ULONG i = 0; i < HostActivity.ProcessCount; i++) {
        const HOST_PROCESS_RECORD *P = &HostActivity.Processes[i];
        HOST_SPAN *S = P->System ? NULL : HostAddSpan(&W, SpanProcess, P->CreateTime, P->Ended ? P->ExitTime : EndTime);
        if (S != NULL)
            S->Pid = P->Pid, S->Tid = P->Pid, S->Routine = (PVOID)(ULONG_PTR)i;
    }
    if (W.SpanCount != 0)
        qsort(W.Spans, W.SpanCount, sizeof(HOST_SPAN), HostCompareSpans);
    fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"ntps\"},\"traceEvents\":[\n", Out);
    HostWriteMetadata(Out, Cpus);
    for (ULONG i = 0; i < W.SpanCount; i++) {
        fputs(",\n", Out);
        HostWriteSpan(Out, &W.Spans[i]);
    }
    fputs("\n]}\n", Out);
    BOOLEAN Ok = !ferror(Out) && !W.Failed && W.Threads != NULL;
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++)
        Ok = Ok && !HostTraceCpus[i].Failed;
    Ok = (fclose(Out) == 0) && Ok;
    free(W.Spans);
    free(W.Threads);
    free(Events);
    return Ok;
}
