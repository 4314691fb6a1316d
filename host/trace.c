/*
 * host/trace.c - `ntps run --trace FILE`: the run's context switches and
 * driver callbacks in the Chrome trace event format (JSON), which
 * Perfetto's UI (https://ui.perfetto.dev) and chrome://tracing open.
 *
 * Recording: Ke calls KiTraceSwitchHook at every context switch and vf
 * calls VfTraceCallbackHook when a callback frame begins and ends; each
 * appends a 24-byte event to the buffer of the processor it runs on (no
 * lock: a processor's buffer is written by its own host thread only). A
 * global sequence number orders events across processors: a switch is
 * numbered under the dispatcher lock, a callback's events on the thread
 * between its switch in and out, so a thread's events are in order.
 * Threads are named by their run record (host/activity.c).
 *
 * Writing (at the end), streamed in sequence order (a merge of the
 * processors' buffers, nothing copied): per processor, the threads it ran
 * ("X" spans); per thread, B/E spans for where it ran ("running", on CPU
 * n) and inside those its callbacks, nested (a callback its thread is
 * switched out of is ended there and begun again, marked continued, at
 * the switch back, so callbacks stay inside running spans); per process,
 * its lifetime ("X", from the run record).
 */
#include "host/activity.h"
#include "vf/vf.h"

#include <stdlib.h>
#include <string.h>

#define HOST_TRACE_CHUNK_EVENTS 2700     /* 64 KiB chunks: from the heap, reused after the run */
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
    BOOLEAN Failed;                     /* out of memory: events dropped */
} HOST_TRACE_CPU;

volatile BOOLEAN HostTracing;
static HOST_TRACE_CPU HostTraceCpus[MAXIMUM_PROCESSORS];
static volatile ULONG HostTraceSequence;

static VOID HostTraceAppend(ULONG Cpu, ULONG Type, PKTHREAD Thread, PVOID Routine, ULONG Kind)
{
    ULONG Record = __atomic_load_n(&((ETHREAD *)Thread)->ActivityRecord, __ATOMIC_RELAXED);
    if (Record == 0 || Record > HOST_TRACE_RECORD_MASK)
        return;     /* not a recorded thread */
    HOST_TRACE_CPU *C = &HostTraceCpus[Cpu];
    HOST_TRACE_CHUNK *Chunk = C->Current;
    if (__builtin_expect(Chunk == NULL || Chunk->Count == HOST_TRACE_CHUNK_EVENTS, 0)) {
        HOST_TRACE_CHUNK *New = malloc(sizeof(*New));
        if (New == NULL) {
            C->Failed = TRUE;
            return;
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
    Event->Record = Record | Type << 30 | (Kind & 7) << 27;
    Event->Routine = Routine;
}

static VOID HostTraceSwitch(PKPRCB Prcb, PKTHREAD Old, PKTHREAD New)
{
    if (Old != Prcb->IdleThread)
        HostTraceAppend(Prcb->Number, TraceOut, Old, NULL, 0);
    if (New != Prcb->IdleThread)
        HostTraceAppend(Prcb->Number, TraceIn, New, NULL, 0);
}

static VOID HostTraceCallback(VF_CALLBACK_FRAME *Frame, BOOLEAN Enter)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    HostTraceAppend(Prcb->Number, Enter ? TraceEnter : TraceLeave, Prcb->CurrentThread, Frame->Routine,
                    (ULONG)Frame->Kind);
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

typedef struct _HOST_TRACED_THREAD {
    BOOLEAN Running;
    UCHAR Cpu, Depth;
    ULONG64 Last;                       /* its latest time: a thread's events never go back */
    struct { PVOID Routine; ULONG Kind; } *Stack;   /* HOST_TRACE_DEPTH entries, made at its first callback */
} HOST_TRACED_THREAD;

typedef struct _HOST_TRACE_CURSOR {
    HOST_TRACE_CHUNK *Chunk;
    ULONG Index;
    ULONG Record;                       /* the thread it runs (record index + 1), 0: idle */
    ULONG64 Since;
} HOST_TRACE_CURSOR;

/* Describing an address reads the image's symbols: once per routine. */
static struct { PVOID Routine; char Name[96]; } HostNameCache[512];

static PCSTR HostSpanName(PVOID Routine)
{
    ULONG Slot = (ULONG)(((ULONG_PTR)Routine * 0x9E3779B97F4A7C15ull) >> 55);     /* 9 bits */
    for (ULONG Probe = 0; Probe < RTL_NUMBER_OF(HostNameCache); Probe++) {
        if (HostNameCache[Slot].Routine == Routine)
            return HostNameCache[Slot].Name;
        if (HostNameCache[Slot].Routine == NULL) {
            char *Name = HostNameCache[Slot].Name;
            KiDescribeAddress(Routine, Name, sizeof(HostNameCache[Slot].Name));
            size_t Length = strlen(Name);
            if (Length > 4 && !strcmp(Name + Length - 4, "+0x0"))
                Name[Length - 4] = 0;     /* the routine itself: driver.so!Routine */
            HostNameCache[Slot].Routine = Routine;
            return HostNameCache[Slot].Name;
        }
        Slot = (Slot + 1) % RTL_NUMBER_OF(HostNameCache);
    }
    return "callback";
}

static VOID HostWriteTime(FILE *Out, PCSTR Name, ULONG64 Time)
{
    fprintf(Out, ",\"%s\":%llu.%01llu", Name, Time / 10, Time % 10);   /* microseconds */
}

/* One event's text, built without printf (the writer's main cost). */
typedef struct _HOST_LINE {
    char Text[512];
    SIZE_T Used;
} HOST_LINE;

static VOID HostPut(HOST_LINE *L, PCSTR Text)
{
    SIZE_T Length = strlen(Text);
    if (Length > sizeof(L->Text) - L->Used)
        Length = sizeof(L->Text) - L->Used;
    memcpy(L->Text + L->Used, Text, Length);
    L->Used += Length;
}

static VOID HostPutNumber(HOST_LINE *L, ULONG64 Value)
{
    char Digits[24];
    int n = 0;
    do
        Digits[n++] = (char)('0' + Value % 10);
    while ((Value /= 10) != 0);
    while (n > 0 && L->Used < sizeof(L->Text))
        L->Text[L->Used++] = Digits[--n];
}

/* ,"Name":microseconds.tenths */
static VOID HostPutTime(HOST_LINE *L, PCSTR Name, ULONG64 Time)
{
    HostPut(L, ",\"");
    HostPut(L, Name);
    HostPut(L, "\":");
    HostPutNumber(L, Time / 10);
    HostPut(L, ".");
    HostPutNumber(L, Time % 10);
}

static VOID HostPutIds(HOST_LINE *L, ULONG Pid, ULONG Tid)
{
    HostPut(L, ",\"pid\":");
    HostPutNumber(L, Pid);
    HostPut(L, ",\"tid\":");
    HostPutNumber(L, Tid);
}

/* The name of an image or routine: ours, plain ASCII without quotes. */
static VOID HostPutName(HOST_LINE *L, PCSTR Name)
{
    HostPut(L, "\"");
    for (; *Name && L->Used < sizeof(L->Text); Name++)
        L->Text[L->Used++] = *Name == '"' || *Name == '\\' || (UCHAR)*Name < 0x20 || (UCHAR)*Name > 0x7E ? '?'
                                                                                                     : *Name;
    HostPut(L, "\"");
}

/* The B or E event of a thread-track span. */
static VOID HostWriteEdge(FILE *Out, const HOST_THREAD_RECORD *T, BOOLEAN Begin, ULONG64 Time, PVOID Routine,
                          ULONG Kind, ULONG Cpu, BOOLEAN Continued)
{
    static const char *const Kinds[] = { "process", "thread", "image", "ob-pre", "ob-post", "work-item" };
    HOST_LINE L;
    L.Used = 0;
    HostPut(&L, Begin ? ",\n{\"ph\":\"B\"" : ",\n{\"ph\":\"E\"");
    HostPutIds(&L, HostActivity.Processes[T->Process].Pid, T->Tid);
    HostPutTime(&L, "ts", Time);
    if (!Begin) {
        HostPut(&L, "}");
    } else if (Routine == NULL) {
        HostPut(&L, ",\"cat\":\"thread\",\"name\":\"running\",\"args\":{\"cpu\":");
        HostPutNumber(&L, Cpu);
        HostPut(&L, "}}");
    } else {
        HostPut(&L, ",\"cat\":\"callback\",\"name\":");
        HostPutName(&L, HostSpanName(Routine));
        HostPut(&L, ",\"args\":{\"kind\":\"");
        HostPut(&L, Kind < RTL_NUMBER_OF(Kinds) ? Kinds[Kind] : "?");
        HostPut(&L, Continued ? "\",\"continued\":true}}" : "\"}}");
    }
    fwrite_unlocked(L.Text, 1, L.Used, Out);
}

static VOID HostWriteCpuSpan(FILE *Out, ULONG Cpu, const HOST_TRACE_CURSOR *C, ULONG64 End)
{
    const HOST_THREAD_RECORD *T = &HostActivity.Threads[C->Record - 1];
    const HOST_PROCESS_RECORD *P = &HostActivity.Processes[T->Process];
    HOST_LINE L;
    L.Used = 0;
    HostPut(&L, ",\n{\"ph\":\"X\",\"cat\":\"cpu\"");
    HostPutIds(&L, HOST_TRACE_CPU_PID, Cpu);
    HostPut(&L, ",\"name\":");
    HostPutName(&L, P->Image);
    HostPutTime(&L, "ts", C->Since);
    HostPutTime(&L, "dur", End > C->Since ? End - C->Since : 0);
    HostPut(&L, ",\"args\":{\"pid\":");
    HostPutNumber(&L, P->Pid);
    HostPut(&L, ",\"tid\":");
    HostPutNumber(&L, T->Tid);
    HostPut(&L, "}}");
    fwrite_unlocked(L.Text, 1, L.Used, Out);
}

/* The thread leaves its processor: its callbacks end (innermost first), then its running span. */
static VOID HostTraceOut(FILE *Out, HOST_TRACED_THREAD *S, const HOST_THREAD_RECORD *T, HOST_TRACE_CURSOR *C,
                         ULONG Cpu, ULONG64 Time)
{
    ULONG Open = S->Depth < HOST_TRACE_DEPTH ? S->Depth : HOST_TRACE_DEPTH;
    for (ULONG d = 0; d < Open; d++)
        HostWriteEdge(Out, T, FALSE, Time, NULL, 0, 0, FALSE);
    HostWriteEdge(Out, T, FALSE, Time, NULL, 0, 0, FALSE);
    S->Running = FALSE;
    if (C->Record != 0) {
        HostWriteCpuSpan(Out, Cpu, C, Time);
        C->Record = 0;
    }
}

static BOOLEAN HostReplay(FILE *Out, HOST_TRACED_THREAD *States, HOST_TRACE_CURSOR *Cursors, ULONG Cpu,
                          const HOST_TRACE_EVENT *E)
{
    ULONG Record = E->Record & HOST_TRACE_RECORD_MASK;
    if (Record > HostActivity.ThreadCount)
        return TRUE;
    const HOST_THREAD_RECORD *T = &HostActivity.Threads[Record - 1];
    HOST_TRACED_THREAD *S = &States[Record - 1];
    ULONG64 Time = E->Time > S->Last ? E->Time : S->Last;
    S->Last = Time;
    switch (HOST_TRACE_TYPE(E)) {
    case TraceIn:
        if (S->Running)     /* not seen leaving (events dropped): leave now */
            HostTraceOut(Out, S, T, &Cursors[S->Cpu], S->Cpu, Time);
        if (Cursors[Cpu].Record != 0)
            HostWriteCpuSpan(Out, Cpu, &Cursors[Cpu], Time);
        Cursors[Cpu].Record = Record;
        Cursors[Cpu].Since = Time;
        S->Running = TRUE;
        S->Cpu = (UCHAR)Cpu;
        HostWriteEdge(Out, T, TRUE, Time, NULL, 0, Cpu, FALSE);
        for (ULONG d = 0; d < S->Depth && d < HOST_TRACE_DEPTH; d++)
            HostWriteEdge(Out, T, TRUE, Time, S->Stack[d].Routine, S->Stack[d].Kind, Cpu, TRUE);
        break;
    case TraceOut:
        if (S->Running)
            HostTraceOut(Out, S, T, Cursors[S->Cpu].Record == Record ? &Cursors[S->Cpu] : &(HOST_TRACE_CURSOR){ 0 },
                         S->Cpu, Time);
        break;
    case TraceEnter:
        if (S->Stack == NULL && (S->Stack = malloc(HOST_TRACE_DEPTH * sizeof(*S->Stack))) == NULL)
            return FALSE;
        if (S->Depth < HOST_TRACE_DEPTH) {
            S->Stack[S->Depth].Routine = E->Routine;
            S->Stack[S->Depth].Kind = HOST_TRACE_KIND(E);
            if (S->Running)
                HostWriteEdge(Out, T, TRUE, Time, E->Routine, HOST_TRACE_KIND(E), S->Cpu, FALSE);
        }
        if (S->Depth < 255)
            S->Depth++;
        break;
    case TraceLeave:
        if (S->Depth == 0)
            break;
        S->Depth--;
        if (S->Depth < HOST_TRACE_DEPTH && S->Running)
            HostWriteEdge(Out, T, FALSE, Time, NULL, 0, 0, FALSE);
        break;
    }
    return TRUE;
}

/* The processor whose next event comes first, or MAXIMUM_PROCESSORS at the end. */
static ULONG HostNextCpu(HOST_TRACE_CURSOR *Cursors)
{
    ULONG Best = MAXIMUM_PROCESSORS;
    ULONG BestSequence = 0;
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++) {
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
        if (P->System)
            continue;
        fprintf(Out, ",\n{\"ph\":\"X\",\"cat\":\"process\",\"pid\":%lu,\"tid\":%lu,\"name\":", (unsigned long)P->Pid,
                (unsigned long)P->Pid);
        HostJsonString(Out, P->Image);
        HostWriteTime(Out, "ts", P->CreateTime);
        HostWriteTime(Out, "dur", P->Ended && P->ExitTime > P->CreateTime ? P->ExitTime - P->CreateTime : 0);
        if (P->Ended)
            fprintf(Out, ",\"args\":{\"exit_status\":\"0x%08X\"}}", (unsigned)P->ExitStatus);
        else
            fputs(",\"args\":{\"exit_status\":null}}", Out);
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
    FILE *Out = fopen(Path, "w");
    if (Out == NULL)
        return FALSE;
    static char Buffer[64 * 1024];
    setvbuf(Out, Buffer, _IOFBF, sizeof(Buffer));
    HOST_TRACED_THREAD *States = calloc(HostActivity.ThreadCount + 1, sizeof(HOST_TRACED_THREAD));
    static HOST_TRACE_CURSOR Cursors[MAXIMUM_PROCESSORS];
    ULONG Cpus = 0;
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++) {
        Cursors[i] = (HOST_TRACE_CURSOR){ HostTraceCpus[i].First, 0, 0, 0 };
        if (HostTraceCpus[i].First != NULL)
            Cpus = i + 1;
    }
    BOOLEAN Ok = States != NULL;
    memset(HostNameCache, 0, sizeof(HostNameCache));     /* images differ from run to run */
    fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"ntps\"},\"traceEvents\":[\n", Out);
    HostWriteMetadata(Out, Cpus > KiConfig.ProcessorCount ? Cpus : KiConfig.ProcessorCount);
    for (ULONG Cpu; Ok && (Cpu = HostNextCpu(Cursors)) != MAXIMUM_PROCESSORS;) {
        HOST_TRACE_CURSOR *C = &Cursors[Cpu];
        Ok = HostReplay(Out, States, Cursors, Cpu, &C->Chunk->Events[C->Index++]);
    }
    for (ULONG i = 0; Ok && i < HostActivity.ThreadCount; i++)
        if (States[i].Running)
            HostTraceOut(Out, &States[i], &HostActivity.Threads[i], &Cursors[States[i].Cpu], States[i].Cpu,
                         EndTime > States[i].Last ? EndTime : States[i].Last);
    fputs("\n]}\n", Out);
    Ok = Ok && !ferror(Out);
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++)
        Ok = Ok && !HostTraceCpus[i].Failed;
    Ok = (fclose(Out) == 0) && Ok;
    for (ULONG i = 0; States != NULL && i < HostActivity.ThreadCount; i++)
        free(States[i].Stack);
    free(States);
    return Ok;
}
