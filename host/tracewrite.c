/*
 * host/tracewrite.c - `ntps run --trace FILE`, writing: the events
 * host/trace.c recorded, in the Chrome trace event format (JSON), which
 * Perfetto's UI (https://ui.perfetto.dev) and chrome://tracing open.
 *
 * Writing (at the end), streamed in sequence order (a merge of the
 * processors' buffers, nothing copied): per processor, the threads it ran
 * ("X" spans); per thread, B/E spans for where it ran ("running", on CPU
 * n) and inside those its callbacks, nested (a callback its thread is
 * switched out of is ended there and begun again, marked continued, at
 * the switch back, so callbacks stay inside running spans); per process,
 * its lifetime ("X", from the run record).
 */
#include "host/tracep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct _HOST_TRACE_STACK {
    union {
        struct _HOST_TRACE_STACK *Next;     /* in the free list */
        struct { PVOID Routine; ULONG Kind; } Frames[HOST_TRACE_DEPTH];
    };
} HOST_TRACE_STACK;

typedef struct _HOST_TRACED_THREAD {
    BOOLEAN Running;
    UCHAR Cpu, Depth;
    ULONG64 Last;                       /* its latest time: a thread's events never go back */
    HOST_TRACE_STACK *Stack;            /* its open callbacks: while Depth > 0 */
} HOST_TRACED_THREAD;

/* Callback stacks are lent to a thread while it is inside a callback and
 * taken back when it leaves the last one: few threads are inside one at a
 * time, and a malloc per thread was a fifth of the writer's time. */
static HOST_TRACE_STACK *HostFreeStacks;

static HOST_TRACE_STACK *HostLendStack(VOID)
{
    HOST_TRACE_STACK *Stack = HostFreeStacks;
    if (Stack != NULL) {
        HostFreeStacks = Stack->Next;
        return Stack;
    }
    return malloc(sizeof(HOST_TRACE_STACK));
}

static VOID HostReturnStack(HOST_TRACED_THREAD *S)
{
    S->Stack->Next = HostFreeStacks;
    HostFreeStacks = S->Stack;
    S->Stack = NULL;
}

static VOID HostFreeStackList(VOID)
{
    while (HostFreeStacks != NULL) {
        HOST_TRACE_STACK *Next = HostFreeStacks->Next;
        free(HostFreeStacks);
        HostFreeStacks = Next;
    }
}

/* A callback span of the stretch a processor's thread is running. */
typedef struct _HOST_TRACE_SPAN {
    ULONG64 Begin, End;
    PVOID Routine;
    UCHAR Kind;
    BOOLEAN Continued;                  /* begun again after a switch */
} HOST_TRACE_SPAN;

/* Per processor, as its events are read: the thread it runs and, of the
 * stretch that thread runs, the callback spans in the order they began
 * (written when the stretch ends, the outer before the inner). */
typedef struct _HOST_TRACE_CURSOR {
    HOST_TRACE_CHUNK *Chunk;
    ULONG Index;
    ULONG Record;                       /* the thread it runs (record index + 1), 0: idle */
    ULONG64 Since;
    ULONG64 Last;                       /* its latest time: a processor's events never go back either */
    HOST_TRACE_SPAN *Spans;
    ULONG SpanCount, SpanCapacity;
    ULONG Open[HOST_TRACE_DEPTH];       /* the span of each open callback depth */
} HOST_TRACE_CURSOR;

static BOOLEAN HostBeginSpan(HOST_TRACE_CURSOR *C, ULONG Depth, PVOID Routine, ULONG Kind, ULONG64 Time,
                             BOOLEAN Continued)
{
    if (C->SpanCount == C->SpanCapacity) {
        ULONG Capacity = C->SpanCapacity ? 2 * C->SpanCapacity : 64;
        HOST_TRACE_SPAN *Spans = realloc(C->Spans, Capacity * sizeof(*Spans));
        if (Spans == NULL)
            return FALSE;
        C->Spans = Spans;
        C->SpanCapacity = Capacity;
    }
    C->Open[Depth] = C->SpanCount;
    C->Spans[C->SpanCount++] = (HOST_TRACE_SPAN){ Time, Time, Routine, (UCHAR)Kind, Continued };
    return TRUE;
}

/* A JSON string, quoted and escaped, ready to copy. */
#define HOST_NAME_SIZE 104
typedef struct _HOST_NAME {
    UCHAR Length;
    char Text[HOST_NAME_SIZE];
} HOST_NAME;

/* Text as a JSON string: printable ASCII as is, '"' and '\' escaped,
 * other bytes as \u00XX (as HostJsonString); cut to fit. */
static VOID HostQuote(HOST_NAME *Name, PCSTR Text, SIZE_T Limit)
{
    SIZE_T n = 0;
    Name->Text[n++] = '"';
    for (SIZE_T i = 0; i < Limit && Text[i] && n < HOST_NAME_SIZE - 8; i++) {
        UCHAR c = (UCHAR)Text[i];
        if (c == '"' || c == '\\') {
            Name->Text[n++] = '\\';
            Name->Text[n++] = (char)c;
        } else if (c < 0x20 || c > 0x7E) {
            static const char Hex[] = "0123456789abcdef";
            memcpy(Name->Text + n, "\\u00", 4);
            Name->Text[n + 4] = Hex[c >> 4];
            Name->Text[n + 5] = Hex[c & 15];
            n += 6;
        } else {
            Name->Text[n++] = (char)c;
        }
    }
    Name->Text[n++] = '"';
    Name->Length = (UCHAR)n;
}

/* Value in decimal at Pos; returns its end. */
static inline char *HostFormatNumber(char *Pos, ULONG64 Value)
{
    static const char Pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    ULONG Digits = 1;
    for (ULONG64 Limit = 10; Digits < 20 && Value >= Limit; Limit *= 10)
        Digits++;
    char *End = Pos + Digits, *p = End;     /* written in place, from the last digit */
    while (Value >= 100) {
        ULONG Pair = (ULONG)(Value % 100);
        Value /= 100;
        p -= 2;
        p[0] = Pairs[2 * Pair];
        p[1] = Pairs[2 * Pair + 1];
    }
    if (Value >= 10) {
        p[-2] = Pairs[2 * Value];
        p[-1] = Pairs[2 * Value + 1];
    } else {
        p[-1] = (char)('0' + Value);
    }
    return End;
}

/* A track's ids, `,"pid":P,"tid":T`, formatted once per thread. */
typedef struct _HOST_IDS {
    UCHAR Length;
    char Text[39];
} HOST_IDS;

/* Per process record, for the writer: its pid in the trace: its PID, unless an earlier process had that PID (PIDs
 * are reused): then an id of its own above any PID, so that two
 * processes never share a track (its name then says its PID); and its
 * image, quoted. Per thread record and per processor: its track's ids. */
#define HOST_TRACE_REUSED_PID 0x40000000u
static ULONG *HostTracePids;
typedef struct _HOST_IMAGE_NAME {     /* a quoted image name that fits (nearly all), or Length 0 */
    UCHAR Length;
    char Text[31];
} HOST_IMAGE_NAME;
static HOST_IMAGE_NAME *HostTraceImages;
static HOST_IDS *HostThreadIds;
static HOST_IDS HostCpuIds[MAXIMUM_PROCESSORS];

static VOID HostFormatIds(HOST_IDS *Ids, ULONG Pid, ULONG Tid)
{
    char *p = Ids->Text;
    memcpy(p, ",\"pid\":", 7);
    p = HostFormatNumber(p + 7, Pid);
    memcpy(p, ",\"tid\":", 7);
    p = HostFormatNumber(p + 7, Tid);
    Ids->Length = (UCHAR)(p - Ids->Text);
}

/* The writer's tables are kept from run to run and grown as needed: a
 * benchmark or an embedder running the kernel again does not fault them
 * in again. */
static SIZE_T HostTracePidsSize, HostTraceImagesSize, HostThreadIdsSize;

static BOOLEAN HostReserve(void **Table, SIZE_T *Size, SIZE_T Bytes)
{
    if (Bytes <= *Size)
        return TRUE;
    free(*Table);                       /* nothing in it to keep */
    *Table = malloc(Bytes);
    *Size = *Table != NULL ? Bytes : 0;
    return *Table != NULL;
}

static BOOLEAN HostMapProcesses(VOID)
{
    const HOST_ACTIVITY *A = &HostActivity;
    ULONG Max = 0;
    for (ULONG i = 0; i < A->ProcessCount; i++)
        Max = A->Processes[i].Pid > Max ? A->Processes[i].Pid : Max;
    UCHAR *Seen = calloc(Max / 4 + 1, 1);
    BOOLEAN Ok = Seen != NULL &&
                 HostReserve((void **)&HostTracePids, &HostTracePidsSize, (A->ProcessCount + 1) * sizeof(ULONG)) &&
                 HostReserve((void **)&HostTraceImages, &HostTraceImagesSize,
                             (A->ProcessCount + 1) * sizeof(HOST_IMAGE_NAME)) &&
                 HostReserve((void **)&HostThreadIds, &HostThreadIdsSize, (A->ThreadCount + 1) * sizeof(HOST_IDS));
    for (ULONG i = 0; Ok && i < A->ProcessCount; i++) {
        const HOST_PROCESS_RECORD *P = &A->Processes[i];
        HostTracePids[i] = Seen[P->Pid / 4] ? HOST_TRACE_REUSED_PID + i : P->Pid;
        Seen[P->Pid / 4] = 1;
        HOST_NAME Name;
        HostQuote(&Name, P->Image, sizeof(P->Image));
        HostTraceImages[i].Length = Name.Length <= sizeof(HostTraceImages[i].Text) ? Name.Length : 0;
        memcpy(HostTraceImages[i].Text, Name.Text, sizeof(HostTraceImages[i].Text));
    }
    for (ULONG i = 0; Ok && i < A->ThreadCount; i++)
        HostFormatIds(&HostThreadIds[i], HostTracePids[A->Threads[i].Process], A->Threads[i].Tid);
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++)
        HostFormatIds(&HostCpuIds[i], HOST_TRACE_CPU_PID, i);
    free(Seen);
    return Ok;
}

/* Describing an address reads the image's symbols: once per routine. */
static struct { PVOID Routine; HOST_NAME Name; } HostNameCache[512];

static const HOST_NAME *HostSpanName(PVOID Routine)
{
    static const HOST_NAME Unknown = { 10, "\"callback\"" };
    ULONG Slot = (ULONG)(((ULONG_PTR)Routine * 0x9E3779B97F4A7C15ull) >> 55);     /* 9 bits */
    for (ULONG Probe = 0; Probe < RTL_NUMBER_OF(HostNameCache); Probe++) {
        if (HostNameCache[Slot].Routine == Routine)
            return &HostNameCache[Slot].Name;
        if (HostNameCache[Slot].Routine == NULL) {
            char Name[96];
            KiDescribeAddress(Routine, Name, sizeof(Name));
            size_t Length = strlen(Name);
            if (Length > 4 && !strcmp(Name + Length - 4, "+0x0"))
                Name[Length - 4] = 0;     /* the routine itself: driver.so!Routine */
            HostQuote(&HostNameCache[Slot].Name, Name, sizeof(Name));
            HostNameCache[Slot].Routine = Routine;
            return &HostNameCache[Slot].Name;
        }
        Slot = (Slot + 1) % RTL_NUMBER_OF(HostNameCache);
    }
    return &Unknown;
}

/* The output: events are built in place in a buffer of ours, written out
 * in large pieces, with no printf (the writer's main cost). Before each
 * event the sink makes room for any one event (names are bounded). */
#define HOST_SINK_SIZE (256 * 1024)
#define HOST_SINK_EVENT 1024

typedef struct _HOST_SINK {
    FILE *Out;
    char *Base, *Pos, *End;
    BOOLEAN Failed;
} HOST_SINK;

static VOID HostFlush(HOST_SINK *S)
{
    SIZE_T Length = (SIZE_T)(S->Pos - S->Base);
    if (Length != 0 && fwrite_unlocked(S->Base, 1, Length, S->Out) != Length)
        S->Failed = TRUE;
    S->Pos = S->Base;
}

static inline VOID HostRoom(HOST_SINK *S)
{
    if (__builtin_expect((SIZE_T)(S->End - S->Pos) < HOST_SINK_EVENT, 0))
        HostFlush(S);
}

#define HostPut(S, Literal) (memcpy((S)->Pos, "" Literal, sizeof(Literal) - 1), (S)->Pos += sizeof(Literal) - 1)

static inline VOID HostPutName(HOST_SINK *S, const HOST_NAME *Name)
{
    memcpy(S->Pos, Name->Text, sizeof(Name->Text));     /* a fixed size: no call (the sink has room) */
    S->Pos += Name->Length;
}

/* A process record's image name, quoted. */
static inline VOID HostPutImage(HOST_SINK *S, ULONG Process)
{
    const HOST_IMAGE_NAME *Image = &HostTraceImages[Process];
    if (__builtin_expect(Image->Length != 0, 1)) {
        memcpy(S->Pos, Image->Text, sizeof(Image->Text));
        S->Pos += Image->Length;
    } else {
        HOST_NAME Name;
        HostQuote(&Name, HostActivity.Processes[Process].Image, sizeof(HostActivity.Processes[Process].Image));
        HostPutName(S, &Name);
    }
}


static inline VOID HostPutNumber(HOST_SINK *S, ULONG64 Value)
{
    S->Pos = HostFormatNumber(S->Pos, Value);
}

/* Microseconds with a tenth: the format's unit, our 100 ns resolution. */
static inline VOID HostPutTime(HOST_SINK *S, ULONG64 Time)
{
    HostPutNumber(S, Time / 10);
    S->Pos[0] = '.';
    S->Pos[1] = (char)('0' + Time % 10);
    S->Pos += 2;
}

static inline VOID HostPutTrack(HOST_SINK *S, const HOST_IDS *Ids)
{
    memcpy(S->Pos, Ids->Text, sizeof(Ids->Text));       /* a fixed size: no call (the sink has room) */
    S->Pos += Ids->Length;
}

/* A thread-track span (an X event): a callback's (Routine) or the
 * thread's running span (Routine NULL), written when the stretch it is in
 * ends. Complete events, not B/E pairs: Chromium's DevTools pairs a B with
 * the latest E of the whole trace, whatever its thread, so B/E spans on
 * two processors at once mismatch there. */
static VOID HostWriteSpan(HOST_SINK *S, const HOST_IDS *Ids, ULONG64 Begin, ULONG64 End, PVOID Routine, ULONG Kind,
                          ULONG Cpu, BOOLEAN Continued)
{
    static const HOST_NAME Kinds[] = { { 9, "\"process\"" }, { 8, "\"thread\"" }, { 7, "\"image\"" },
                                       { 8, "\"ob-pre\"" }, { 9, "\"ob-post\"" }, { 11, "\"work-item\"" },
                                       { 3, "\"?\"" } };
    HostRoom(S);
    HostPut(S, ",\n{\"ph\":\"X\"");
    HostPutTrack(S, Ids);
    HostPut(S, ",\"ts\":");
    HostPutTime(S, Begin);
    HostPut(S, ",\"dur\":");
    HostPutTime(S, End > Begin ? End - Begin : 0);
    if (Routine == NULL) {
        HostPut(S, ",\"cat\":\"thread\",\"name\":\"running\",\"args\":{\"cpu\":");
        HostPutNumber(S, Cpu);
        HostPut(S, "}}");
        return;
    }
    HostPut(S, ",\"cat\":\"callback\",\"name\":");
    HostPutName(S, HostSpanName(Routine));
    HostPut(S, ",\"args\":{\"kind\":");
    HostPutName(S, &Kinds[Kind < RTL_NUMBER_OF(Kinds) - 1 ? Kind : RTL_NUMBER_OF(Kinds) - 1]);
    if (Continued)
        HostPut(S, ",\"continued\":true}}");
    else
        HostPut(S, "}}");
}

static VOID HostWriteCpuSpan(HOST_SINK *S, ULONG Cpu, const HOST_TRACE_CURSOR *C, ULONG64 End)
{
    const HOST_THREAD_RECORD *T = &HostActivity.Threads[C->Record - 1];
    HostRoom(S);
    const HOST_IDS *Ids = &HostThreadIds[C->Record - 1];
    HostPut(S, ",\n{\"ph\":\"X\",\"cat\":\"cpu\"");
    HostPutTrack(S, &HostCpuIds[Cpu]);
    HostPut(S, ",\"name\":");
    HostPutImage(S, T->Process);
    HostPut(S, ",\"ts\":");
    HostPutTime(S, C->Since);
    HostPut(S, ",\"dur\":");
    HostPutTime(S, End > C->Since ? End - C->Since : 0);
    HostPut(S, ",\"args\":{");
    memcpy(S->Pos, Ids->Text + 1, sizeof(Ids->Text) - 1);     /* the thread's ids, without the comma */
    S->Pos += Ids->Length - 1;
    HostPut(S, "}}");
}

/* The thread leaves its processor (C): its open callbacks end, and the
 * stretch it ran is written: its running span, its callbacks, the
 * processor's span. */
static VOID HostTraceOut(HOST_SINK *S, HOST_TRACED_THREAD *St, ULONG Record, HOST_TRACE_CURSOR *C, ULONG Cpu,
                         ULONG64 Time)
{
    const HOST_IDS *Ids = &HostThreadIds[Record - 1];
    ULONG Open = St->Depth < HOST_TRACE_DEPTH ? St->Depth : HOST_TRACE_DEPTH;
    for (ULONG d = 0; d < Open; d++)
        C->Spans[C->Open[d]].End = Time;
    HostWriteSpan(S, Ids, C->Since, Time, NULL, 0, Cpu, FALSE);
    for (ULONG i = 0; i < C->SpanCount; i++) {
        const HOST_TRACE_SPAN *Span = &C->Spans[i];
        HostWriteSpan(S, Ids, Span->Begin, Span->End, Span->Routine, Span->Kind, Cpu, Span->Continued);
    }
    HostWriteCpuSpan(S, Cpu, C, Time);
    C->Record = 0;
    C->SpanCount = 0;
    St->Running = FALSE;
}


static BOOLEAN HostReplay(HOST_SINK *Out, HOST_TRACED_THREAD *States, HOST_TRACE_CURSOR *Cursors, ULONG Cpu,
                          const HOST_TRACE_EVENT *E)
{
    ULONG Record = E->Record & HOST_TRACE_RECORD_MASK;
    if (Record > HostActivity.ThreadCount)
        return TRUE;
    HOST_TRACED_THREAD *S = &States[Record - 1];
    /* Counters of two processors may differ by a few ns: times are kept
     * in order per thread and per processor, so that no thread shows on
     * two processors, nor two threads on one, at once. */
    ULONG64 Time = HostTraceTime(E->Time);
    Time = Time > S->Last ? Time : S->Last;
    Time = Time > Cursors[Cpu].Last ? Time : Cursors[Cpu].Last;
    S->Last = Cursors[Cpu].Last = Time;
    HOST_TRACE_CURSOR *Mine = S->Running ? &Cursors[S->Cpu] : NULL;     /* the stretch it runs */
    switch (HOST_TRACE_TYPE(E)) {
    case TraceIn:
        if (Mine != NULL)       /* not seen leaving (events dropped): leave now */
            HostTraceOut(Out, S, Record, Mine, S->Cpu, Time);
        if (Cursors[Cpu].Record != 0)      /* the processor's thread not seen leaving: it left */
            HostTraceOut(Out, &States[Cursors[Cpu].Record - 1], Cursors[Cpu].Record, &Cursors[Cpu], Cpu, Time);
        Mine = &Cursors[Cpu];
        Mine->Record = Record;
        Mine->Since = Time;
        S->Running = TRUE;
        S->Cpu = (UCHAR)Cpu;
        for (ULONG d = 0; d < S->Depth && d < HOST_TRACE_DEPTH; d++)
            if (!HostBeginSpan(Mine, d, S->Stack->Frames[d].Routine, S->Stack->Frames[d].Kind, Time, TRUE))
                return FALSE;
        break;
    case TraceOut:
        if (Mine != NULL)
            HostTraceOut(Out, S, Record, Mine, S->Cpu, Time);
        break;
    case TraceEnter:
        if (S->Stack == NULL && (S->Stack = HostLendStack()) == NULL)
            return FALSE;
        if (S->Depth < HOST_TRACE_DEPTH) {
            S->Stack->Frames[S->Depth].Routine = E->Routine;
            S->Stack->Frames[S->Depth].Kind = HOST_TRACE_KIND(E);
            if (Mine != NULL && !HostBeginSpan(Mine, S->Depth, E->Routine, HOST_TRACE_KIND(E), Time, FALSE))
                return FALSE;
        }
        if (S->Depth < 255)
            S->Depth++;
        break;
    case TraceLeave:
        if (S->Depth == 0)
            break;
        S->Depth--;
        if (S->Depth < HOST_TRACE_DEPTH && Mine != NULL)
            Mine->Spans[Mine->Open[S->Depth]].End = Time;
        if (S->Depth == 0 && S->Stack != NULL)
            HostReturnStack(S);
        break;
    }
    return TRUE;
}

/* The processor whose next event comes first, or MAXIMUM_PROCESSORS at
 * the end; the first Cpus processors have events. */
static ULONG HostNextCpu(HOST_TRACE_CURSOR *Cursors, ULONG Cpus)
{
    ULONG Best = MAXIMUM_PROCESSORS;
    ULONG BestSequence = 0;
    for (ULONG i = 0; i < Cpus; i++) {
        HOST_TRACE_CURSOR *C = &Cursors[i];
        while (C->Chunk != NULL && C->Index == C->Chunk->Count) {
            C->Chunk = C->Chunk->Next;
            C->Index = 0;
        }
        if (C->Chunk == NULL)
            continue;
        ULONG Sequence = C->Chunk->Events[C->Index].Sequence;
        if (Best == MAXIMUM_PROCESSORS || (LONG)(Sequence - BestSequence) < 0)
            Best = i, BestSequence = Sequence;
    }
    return Best;
}

static VOID HostWriteThreadName(HOST_SINK *S, const HOST_IDS *Ids, const HOST_NAME *Name, PCSTR Kind, ULONG Number)
{
    HostRoom(S);
    HostPut(S, ",\n{\"ph\":\"M\",\"name\":\"thread_name\"");
    HostPutTrack(S, Ids);
    HostPut(S, ",\"args\":{\"name\":");
    if (Name != NULL) {
        HostPutName(S, Name);
    } else {
        HostPut(S, "\"");
        SIZE_T Length = strlen(Kind);
        memcpy(S->Pos, Kind, Length);
        S->Pos += Length;
        HostPut(S, " thread ");
        HostPutNumber(S, Number);
        HostPut(S, "\"");
    }
    HostPut(S, "}}");
}

static VOID HostWriteMetadata(HOST_SINK *S, ULONG Cpus)
{
    HostPut(S, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":");
    HostPutNumber(S, HOST_TRACE_CPU_PID);
    HostPut(S, ",\"args\":{\"name\":\"virtual processors\"}},\n{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":");
    HostPutNumber(S, HOST_TRACE_CPU_PID);
    HostPut(S, ",\"args\":{\"sort_index\":-1}}");
    for (ULONG i = 0; i < Cpus; i++) {
        HOST_NAME Name;
        char Text[16];
        snprintf(Text, sizeof(Text), "CPU %lu", (unsigned long)i);
        HostQuote(&Name, Text, sizeof(Text));
        HostWriteThreadName(S, &HostCpuIds[i], &Name, NULL, 0);
    }
    static const HOST_NAME Lifetime = { 10, "\"lifetime\"" };
    HOST_ACTIVITY *A = &HostActivity;
    for (ULONG i = 0; i < A->ProcessCount; i++) {
        const HOST_PROCESS_RECORD *P = &A->Processes[i];
        ULONG Pid = HostTracePids[i];
        HostRoom(S);
        HostPut(S, ",\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":");
        HostPutNumber(S, Pid);
        HostPut(S, ",\"args\":{\"name\":");
        HostPutImage(S, i);
        if (Pid != P->Pid) {        /* "image (PID n)" */
            S->Pos--;
            HostPut(S, " (PID ");
            HostPutNumber(S, P->Pid);
            HostPut(S, ")\"");
        }
        HostPut(S, "}}");
        HOST_IDS Ids;
        HostFormatIds(&Ids, Pid, Pid);
        HostWriteThreadName(S, &Ids, &Lifetime, NULL, 0);
        if (P->System)
            continue;
        HostRoom(S);
        HostPut(S, ",\n{\"ph\":\"X\",\"cat\":\"process\"");
        HostPutTrack(S, &Ids);
        HostPut(S, ",\"name\":");
        HostPutImage(S, i);
        HostPut(S, ",\"ts\":");
        HostPutTime(S, P->CreateTime);
        HostPut(S, ",\"dur\":");
        HostPutTime(S, P->Ended && P->ExitTime > P->CreateTime ? P->ExitTime - P->CreateTime : 0);
        HostPut(S, ",\"args\":{\"pid\":");
        HostPutNumber(S, P->Pid);
        if (P->Ended) {
            static const char Hex[] = "0123456789ABCDEF";
            HostPut(S, ",\"exit_status\":\"0x");
            for (int Shift = 28; Shift >= 0; Shift -= 4)
                *S->Pos++ = Hex[((ULONG)P->ExitStatus >> Shift) & 15];
            HostPut(S, "\"}}");
        } else {
            HostPut(S, ",\"exit_status\":null}}");
        }
    }
    for (ULONG i = 0; i < A->ThreadCount; i++) {
        const HOST_THREAD_RECORD *T = &A->Threads[i];
        HostWriteThreadName(S, &HostThreadIds[i], NULL, T->System ? "system" : "user", T->Tid);
    }
}

BOOLEAN HostWriteTrace(const char *Path, ULONGLONG EndTime)
{
    static char Buffer[HOST_SINK_SIZE];
    HOST_SINK S = { fopen(Path, "w"), Buffer, Buffer, Buffer + sizeof(Buffer), FALSE };
    if (S.Out == NULL)
        return FALSE;
    static HOST_TRACED_THREAD *States;
    static SIZE_T StatesSize;
    SIZE_T Bytes = (HostActivity.ThreadCount + 1) * sizeof(HOST_TRACED_THREAD);
    if (HostReserve((void **)&States, &StatesSize, Bytes))
        memset(States, 0, Bytes);
    static HOST_TRACE_CURSOR Cursors[MAXIMUM_PROCESSORS];
    ULONG Cpus = 0;
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++) {
        memset(&Cursors[i], 0, sizeof(Cursors[i]));
        Cursors[i].Chunk = HostTraceCpus[i].First;
        if (HostTraceCpus[i].First != NULL)
            Cpus = i + 1;
    }
    HostTraceClockEnd();
    BOOLEAN Ok = States != NULL && HostMapProcesses();
    memset(HostNameCache, 0, sizeof(HostNameCache));     /* images differ from run to run */
    HostPut(&S, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"ntps\"},\"traceEvents\":[\n");
    if (Ok)
        HostWriteMetadata(&S, Cpus > KiConfig.ProcessorCount ? Cpus : KiConfig.ProcessorCount);
    for (ULONG Cpu; Ok && (Cpu = HostNextCpu(Cursors, Cpus)) != MAXIMUM_PROCESSORS;) {
        HOST_TRACE_CURSOR *C = &Cursors[Cpu];
        Ok = HostReplay(&S, States, Cursors, Cpu, &C->Chunk->Events[C->Index++]);
    }
    for (ULONG i = 0; Ok && i < HostActivity.ThreadCount; i++)
        if (States[i].Running)
            HostTraceOut(&S, &States[i], i + 1, &Cursors[States[i].Cpu], States[i].Cpu,
                         EndTime > States[i].Last ? EndTime : States[i].Last);
    HostRoom(&S);
    HostPut(&S, "\n]}\n");
    HostFlush(&S);
    Ok = Ok && !S.Failed && !ferror(S.Out);
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++)
        Ok = Ok && !HostTraceCpus[i].Failed;
    Ok = (fclose(S.Out) == 0) && Ok;
    for (ULONG i = 0; States != NULL && i < HostActivity.ThreadCount; i++)
        free(States[i].Stack);
    HostFreeStackList();
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++)
        free(Cursors[i].Spans);
    return Ok;
}
