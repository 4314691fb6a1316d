/*
 * host/scnrun.c - running a scenario: its named objects, the creation of
 * its processes (by the controller, a system thread, for those without a
 * parent; by their parent or a spawn action for the others), the wait for
 * every one to end, a scenario that is stuck, and the expectations.
 *
 * The interpreter of the scenario's threads (user-mode code) is
 * scnthread.c. Bookkeeping shared with it is lock-free: instances are
 * pushed on lists once and never removed until the scenario ends.
 */
#include "host/scnp.h"
#include "host/host.h"
#include "ps/ps.h"
#include "vf/vf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(VfCallbackProcessNotify == 0 && VfCallbackThreadNotify == 1 && VfCallbackImageNotify == 2 &&
               VfCallbackObjectPreOperation == 3 && VfCallbackObjectPostOperation == 4, "scnload.h's kinds");
_Static_assert(PROCESS_ALL_ACCESS == 0x1FFFFF && THREAD_ALL_ACCESS == 0x1FFFFF && EVENT_ALL_ACCESS == 0x1F0003 &&
               SYNCHRONIZE == 0x100000 && PROCESS_QUERY_LIMITED_INFORMATION == 0x1000, "scnnames.c's access values");

extern const char NtpsDefaultScenario[];
extern const unsigned int NtpsDefaultScenarioSize;

typedef struct _SCN_FAILURE {
    const SCN_ACTION *volatile Action;
    volatile LONG64 Count;
    const SCN_INSTANCE *Instance;
    ULONG Thread;
    NTSTATUS Status;
    ULONG64 Value;
    BOOLEAN IsValue;
} SCN_FAILURE;

#define SCN_MAX_FAILURES 64

static struct {
    const NTPS_SCENARIO *Scenario;
    volatile LONG Running;
    SCN_INSTANCE *volatile All;             /* every instance, newest first (NextAll) */
    SCN_INSTANCE *volatile *Lists;          /* per definition, newest first (Next) */
    volatile LONG *NextIndex;               /* per definition */
    HANDLE *Objects;                        /* kernel handles keeping the named objects */
    KEVENT Stuck;
    volatile LONG StuckArmed;
    volatile LONG64 Created, Ended, Failed, Threads, Actions, Expectations;
    SCN_FAILURE Failures[SCN_MAX_FAILURES];
    volatile LONG64 MoreFailures;
} Scn;

const NTPS_SCENARIO *ScnCurrent(void)
{
    return Scn.Scenario;
}

void ScnCountAction(void)
{
    __atomic_add_fetch(&Scn.Actions, 1, __ATOMIC_RELAXED);
}

void ScnCountThread(void)
{
    __atomic_add_fetch(&Scn.Threads, 1, __ATOMIC_RELAXED);
}

void NtpsScenarioCounts(NTPS_SCENARIO_COUNTS *Counts)
{
    Counts->Running = __atomic_load_n(&Scn.Running, __ATOMIC_ACQUIRE);
    Counts->ProcessesCreated = (uint64_t)__atomic_load_n(&Scn.Created, __ATOMIC_RELAXED);
    Counts->ProcessesEnded = (uint64_t)__atomic_load_n(&Scn.Ended, __ATOMIC_RELAXED);
    Counts->CreationsFailed = (uint64_t)__atomic_load_n(&Scn.Failed, __ATOMIC_RELAXED);
    Counts->ThreadsCreated = (uint64_t)__atomic_load_n(&Scn.Threads, __ATOMIC_RELAXED);
    Counts->ActionsDone = (uint64_t)__atomic_load_n(&Scn.Actions, __ATOMIC_RELAXED);
    Counts->ExpectationsFailed = (uint64_t)__atomic_load_n(&Scn.Expectations, __ATOMIC_RELAXED);
}

const char *NtpsScenarioDefaultText(size_t *Length)
{
    *Length = NtpsDefaultScenarioSize;
    return NtpsDefaultScenario;
}

NTPS_SCENARIO *NtpsScenarioLoadDefault(char *Error, size_t ErrorSize)
{
    return NtpsScenarioLoadText("default.yaml (built in)", NtpsDefaultScenario, NtpsDefaultScenarioSize, Error,
                                ErrorSize);
}

/* ---- failures of actions ------------------------------------------------------------------ */

/* Called by the interpreter (user mode): one slot per failing action,
 * taken with a compare-exchange; the first failure's details stay. */
void ScnActionFailed(const SCN_ACTION *Action, SCN_THREAD_STATE *Thread, int32_t Status, uint64_t Value, bool IsValue)
{
    __atomic_add_fetch(&Scn.Expectations, 1, __ATOMIC_RELAXED);
    for (ULONG i = 0; i < SCN_MAX_FAILURES; i++) {
        SCN_FAILURE *F = &Scn.Failures[i];
        const SCN_ACTION *Seen = __atomic_load_n(&F->Action, __ATOMIC_ACQUIRE);
        if (Seen == NULL) {
            const SCN_ACTION *Expected = NULL;
            if (__atomic_compare_exchange_n(&F->Action, &Expected, Action, FALSE, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
                F->Instance = Thread->Instance;
                F->Thread = Thread->Index;
                F->Status = Status;
                F->Value = Value;
                F->IsValue = IsValue;
                __atomic_store_n(&F->Count, 1, __ATOMIC_RELEASE);
                return;
            }
            Seen = Expected;
        }
        if (Seen == Action) {
            __atomic_add_fetch(&F->Count, 1, __ATOMIC_RELAXED);
            return;
        }
    }
    __atomic_add_fetch(&Scn.MoreFailures, 1, __ATOMIC_RELAXED);
}

/* ---- creating instances ---------------------------------------------------------------------- */

/* "C:\x" -> "\??\C:\x"; "\..." as written; WSL paths as written. */
static BOOLEAN ScnWide(PUNICODE_STRING Out, const char *Prefix, const char *Text, size_t Length)
{
    size_t PrefixLength = strlen(Prefix), Total = PrefixLength + Length;
    if (Total * 2 > 0xFFF0)
        return FALSE;
    PWCH Buffer = malloc((Total + 1) * sizeof(WCHAR));
    if (Buffer == NULL)
        return FALSE;
    for (size_t i = 0; i < Total; i++) {
        unsigned char c = (unsigned char)(i < PrefixLength ? Prefix[i] : Text[i - PrefixLength]);
        Buffer[i] = c < 0x80 ? c : L'?';
    }
    Buffer[Total] = 0;
    Out->Buffer = Buffer;
    Out->Length = (USHORT)(Total * 2);
    Out->MaximumLength = (USHORT)(Total * 2 + 2);
    return TRUE;
}

static BOOLEAN ScnHasDrive(const char *Path)
{
    return ((Path[0] >= 'A' && Path[0] <= 'Z') || (Path[0] >= 'a' && Path[0] <= 'z')) && Path[1] == ':';
}

static BOOLEAN ScnNames(const SCN_PROCESS *P, PUNICODE_STRING Image, PUNICODE_STRING CommandLine)
{
    const char *Prefix = !P->Wsl && ScnHasDrive(P->Image) ? "\\??\\" : "";
    if (!ScnWide(Image, Prefix, P->Image, strlen(P->Image)))
        return FALSE;
    BOOLEAN Ok;
    if (P->CommandLine != NULL)
        Ok = ScnWide(CommandLine, "", P->CommandLine, P->CommandLineLength);
    else if (!P->Wsl && !ScnHasDrive(P->Image) && strncmp(P->Image, "\\??\\", 4) == 0)
        Ok = ScnWide(CommandLine, "", P->Image + 4, strlen(P->Image) - 4);
    else
        Ok = ScnWide(CommandLine, "", P->Image, strlen(P->Image));
    if (!Ok)
        free(Image->Buffer);
    return Ok;
}

static SCN_INSTANCE *ScnNewInstance(int Definition)
{
    const SCN_PROCESS *P = &Scn.Scenario->Processes[Definition];
    SCN_INSTANCE *I = calloc(1, sizeof(*I));
    if (I == NULL)
        return NULL;
    I->Def = P;
    I->CreateStatus = STATUS_PENDING;
    I->Threads = calloc(P->ThreadTotal, sizeof(SCN_THREAD_STATE));
    if (I->Threads == NULL) {
        free(I);
        return NULL;
    }
    ULONG k = 0;
    BOOLEAN Ok = TRUE;
    for (size_t t = 0; t < P->ThreadCount; t++)
        for (ULONG c = 0; c < P->Threads[t].Count; c++, k++) {
            SCN_THREAD_STATE *T = &I->Threads[k];
            T->Instance = I;
            T->Def = &P->Threads[t];
            T->Index = k;
            T->Locals = calloc(P->Threads[t].LocalCount + 1, sizeof(void *));
            T->Objects = calloc(Scn.Scenario->ObjectCount + 1, sizeof(void *));
            Ok = Ok && T->Locals != NULL && T->Objects != NULL;
        }
    I->Index = (uint32_t)__atomic_fetch_add(&Scn.NextIndex[Definition], 1, __ATOMIC_RELAXED);
    /* Published before the creation: whatever happens to the creator, the
     * controller knows of it. */
    I->Next = __atomic_load_n(&Scn.Lists[Definition], __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&Scn.Lists[Definition], &I->Next, I, TRUE, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        ;
    I->NextAll = __atomic_load_n(&Scn.All, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&Scn.All, &I->NextAll, I, TRUE, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        ;
    if (!Ok)
        __atomic_store_n(&I->CreateStatus, STATUS_NO_MEMORY, __ATOMIC_RELEASE);
    return I;
}

/* The process object, referenced once for the scenario: by the creator
 * or by the new process's first thread, whichever comes first (either may
 * not get there: a creator terminated inside NtpsCreateProcess, a process
 * terminated before its thread ran). */
void ScnSetProcess(SCN_INSTANCE *Instance, void *Process)
{
    PVOID Expected = NULL;
    ObfReferenceObject(Process);
    if (!__atomic_compare_exchange_n(&Instance->Process, &Expected, Process, FALSE, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        ObfDereferenceObject(Process);
}

static NTSTATUS ScnCreateOne(int Definition, PHANDLE Handle)
{
    const SCN_PROCESS *P = &Scn.Scenario->Processes[Definition];
    SCN_INSTANCE *I = ScnNewInstance(Definition);
    if (I == NULL || I->CreateStatus != STATUS_PENDING) {
        __atomic_add_fetch(&Scn.Failed, 1, __ATOMIC_RELAXED);
        return STATUS_NO_MEMORY;
    }
    UNICODE_STRING Image, CommandLine;
    if (!ScnNames(P, &Image, &CommandLine)) {
        __atomic_store_n(&I->CreateStatus, STATUS_NO_MEMORY, __ATOMIC_RELEASE);
        __atomic_add_fetch(&Scn.Failed, 1, __ATOMIC_RELAXED);
        return STATUS_NO_MEMORY;
    }
    NTPS_PROCESS_CREATE Create = { &Image, &CommandLine, P->Wsl ? SubsystemInformationTypeWSL
                                                                  : SubsystemInformationTypeWin32,
                                   NULL, (PUSER_THREAD_START_ROUTINE)(PVOID)ScnThreadMain, &I->Threads[0] };
    CLIENT_ID Cid;
    NTSTATUS Status = NtpsCreateProcess(&Create, Handle, &Cid);
    free(Image.Buffer);
    free(CommandLine.Buffer);
    if (NT_SUCCESS(Status)) {
        PVOID Process;
        __atomic_store_n(&I->ProcessId, Cid.UniqueProcess, __ATOMIC_RELEASE);
        if (NT_SUCCESS(ObReferenceObjectByHandle(*Handle, 0, *PsProcessType, ExGetPreviousMode(), &Process, NULL))) {
            ScnSetProcess(I, Process);
            ObfDereferenceObject(Process);
        }
        __atomic_add_fetch(&Scn.Created, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&Scn.Threads, 1, __ATOMIC_RELAXED);
    } else {
        __atomic_add_fetch(&Scn.Failed, 1, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&I->CreateStatus, Status, __ATOMIC_RELEASE);
    return Status;
}

/* From the controller (kernel mode) or a scenario thread (user mode):
 * only Nt services, which see the caller's mode. */
int32_t ScnSpawn(int Definition, uint32_t Count, uint64_t Rate, bool Wait)
{
    NTSTATUS First = STATUS_SUCCESS;
    for (uint32_t i = 0; i < Count; i++) {
        if (i != 0 && Rate != 0) {
            LARGE_INTEGER Interval = { .QuadPart = -(LONGLONG)Rate };
            NtDelayExecution(FALSE, &Interval);
        }
        HANDLE Handle;
        NTSTATUS Status = ScnCreateOne(Definition, &Handle);
        if (!NT_SUCCESS(Status)) {
            if (NT_SUCCESS(First))
                First = Status;
            continue;
        }
        if (Wait)
            NtWaitForSingleObject(Handle, FALSE, NULL);
        NtClose(Handle);
    }
    return First;
}

SCN_INSTANCE *ScnFindInstance(int Definition, int Index)
{
    SCN_INSTANCE *Newest = NULL;
    for (SCN_INSTANCE *I = __atomic_load_n(&Scn.Lists[Definition], __ATOMIC_ACQUIRE); I != NULL; I = I->Next) {
        if (Index >= 0 && I->Index == (uint32_t)Index)
            return I;
        if (Index < 0 && (Newest == NULL || I->Index > Newest->Index))
            Newest = I;
    }
    return Newest;
}

/* ---- the end ---------------------------------------------------------------------------------------- */

/* Called by the host's quiet hook (an idle processor, DISPATCH_LEVEL):
 * while the scenario runs, a quiet system means it is stuck. */
BOOLEAN ScnQuiet(VOID)
{
    if (!__atomic_exchange_n(&Scn.StuckArmed, FALSE, __ATOMIC_ACQ_REL))
        return FALSE;
    KeSetEvent(&Scn.Stuck, 0, FALSE);
    return TRUE;
}

static BOOLEAN ScnProcessEnded(SCN_INSTANCE *I)
{
    PVOID Process = __atomic_load_n(&I->Process, __ATOMIC_ACQUIRE);
    if (Process != NULL) {
        LARGE_INTEGER Zero = { .QuadPart = 0 };
        return KeWaitForSingleObject(Process, Executive, KernelMode, FALSE, &Zero) == STATUS_SUCCESS;
    }
    return __atomic_load_n(&I->CreateStatus, __ATOMIC_ACQUIRE) != STATUS_PENDING;
}

static VOID ScnReportStuck(VOID)
{
    RtlpReport("ntps: scenario stuck: every thread waits and no timer is set; scenario threads still waiting:\n");
    ULONG Listed = 0;
    for (SCN_INSTANCE *I = __atomic_load_n(&Scn.All, __ATOMIC_ACQUIRE); I != NULL; I = I->NextAll) {
        if (ScnProcessEnded(I))
            continue;
        for (ULONG t = 0; t < I->Def->ThreadTotal && Listed < 40; t++) {
            const SCN_ACTION *A = __atomic_load_n(&I->Threads[t].Current, __ATOMIC_ACQUIRE);
            if (A == NULL)
                continue;
            RtlpReport("  %s #%u (PID %lu) thread %lu: %s at %s:%u:%u\n", I->Def->Name, I->Index,
                       (unsigned long)(ULONG_PTR)__atomic_load_n(&I->ProcessId, __ATOMIC_ACQUIRE), (unsigned long)t, A->Text, Scn.Scenario->File,
                       A->Line, A->Column);
            Listed++;
        }
    }
    for (SCN_INSTANCE *I = __atomic_load_n(&Scn.All, __ATOMIC_ACQUIRE); I != NULL; I = I->NextAll) {
        PVOID Process = __atomic_load_n(&I->Process, __ATOMIC_ACQUIRE);
        if (Process != NULL && !ScnProcessEnded(I))
            PspTerminateProcess(Process, STATUS_UNSUCCESSFUL);
    }
}

typedef enum { ScnEnded, ScnEndedAfterStuck, ScnStillStuck } SCN_END;

/* Wait until every instance has ended: up to 63 at a time, the stuck
 * event as the last object. */
static SCN_END ScnWaitForAll(VOID)
{
    static KWAIT_BLOCK Blocks[64];
    PVOID Objects[64];
    SCN_INSTANCE *Which[64];
    BOOLEAN WasStuck = FALSE;
    ULONG Polls = 0;
    for (;;) {
        ULONG Count = 0;
        BOOLEAN Pending = FALSE;
        for (SCN_INSTANCE *I = __atomic_load_n(&Scn.All, __ATOMIC_ACQUIRE); I != NULL; I = I->NextAll) {
            if (I->Ended)
                continue;
            PVOID Process = __atomic_load_n(&I->Process, __ATOMIC_ACQUIRE);
            if (Process == NULL) {
                if (__atomic_load_n(&I->CreateStatus, __ATOMIC_ACQUIRE) == STATUS_PENDING && Polls < 1000)
                    Pending = TRUE;     /* being created: look again soon */
                else
                    I->Ended = TRUE;
                continue;
            }
            if (Count < 63) {
                Which[Count] = I;
                Objects[Count++] = Process;
            }
        }
        if (Count == 0 && !Pending)
            return WasStuck ? ScnEndedAfterStuck : ScnEnded;
        if (Count == 0) {
            LARGE_INTEGER Poll = { .QuadPart = -10000 };
            KeDelayExecutionThread(KernelMode, FALSE, &Poll);
            Polls++;
            continue;
        }
        KeClearEvent(&Scn.Stuck);
        __atomic_store_n(&Scn.StuckArmed, TRUE, __ATOMIC_RELEASE);
        Objects[Count] = &Scn.Stuck;
        LARGE_INTEGER Poll = { .QuadPart = -10000 };
        NTSTATUS Status = KeWaitForMultipleObjects(Count + 1, Objects, WaitAny, Executive, KernelMode, FALSE,
                                                   Pending ? &Poll : NULL, Blocks);
        __atomic_store_n(&Scn.StuckArmed, FALSE, __ATOMIC_RELEASE);
        if (Status >= STATUS_WAIT_0 && Status < (NTSTATUS)(STATUS_WAIT_0 + Count)) {
            SCN_INSTANCE *I = Which[Status - STATUS_WAIT_0];
            I->Ended = I->Exited = TRUE;
            I->ExitStatus = PsGetProcessExitStatus(Objects[Status - STATUS_WAIT_0]);
            /* A storm's processes need not stay until the end: only
             * those an expectation or an open names keep their object. */
            if (!I->Def->Tracked)
                ObfDereferenceObject(__atomic_exchange_n(&I->Process, NULL, __ATOMIC_ACQ_REL));
            __atomic_add_fetch(&Scn.Ended, 1, __ATOMIC_RELAXED);
        } else if (Status == (NTSTATUS)(STATUS_WAIT_0 + Count)) {
            if (WasStuck) {
                RtlpReport("ntps: scenario still stuck after ending its processes: going on to the unload\n");
                return ScnStillStuck;
            }
            WasStuck = TRUE;
            ScnReportStuck();
        }
    }
}

/* ---- expectations ------------------------------------------------------------------------------------ */

static VOID ScnStatusText(NTSTATUS Status, PCHAR Buffer, SIZE_T Size)
{
    const char *Name = ScnStatusName(Status);
    if (Name != NULL)
        snprintf(Buffer, Size, "%s (0x%08lX)", Name, (unsigned long)(ULONG)Status);
    else
        snprintf(Buffer, Size, "0x%08lX", (unsigned long)(ULONG)Status);
}

static VOID ScnStatusList(const int32_t *Statuses, unsigned Count, PCHAR Buffer, SIZE_T Size)
{
    SIZE_T n = 0;
    Buffer[0] = 0;
    for (unsigned i = 0; i < Count && n < Size; i++) {
        char One[96];
        ScnStatusText(Statuses[i], One, sizeof(One));
        n += (SIZE_T)snprintf(Buffer + n, Size - n, "%s%s", i ? " or " : "", One);
    }
}

bool ScnFail(const SCN_EXPECT *E, PCSTR Format, ...)
{
    char Text[512];
    va_list Args;
    va_start(Args, Format);
    vsnprintf(Text, sizeof(Text), Format, Args);
    va_end(Args);
    RtlpReport("ntps: scenario: %s:%u:%u: expectation failed: %s\n", Scn.Scenario->File, E->Line, E->Column, Text);
    __atomic_add_fetch(&Scn.Expectations, 1, __ATOMIC_RELAXED);
    return FALSE;
}

static NTSTATUS ScnExitStatusOf(SCN_INSTANCE *I)
{
    if (I->Exited)
        return I->ExitStatus;
    PVOID Process = __atomic_load_n(&I->Process, __ATOMIC_ACQUIRE);
    if (Process != NULL)
        return PsGetProcessExitStatus(Process);
    return __atomic_load_n(&I->CreateStatus, __ATOMIC_ACQUIRE);
}

static BOOLEAN ScnCheckExitStatus(const SCN_EXPECT *E)
{
    const SCN_PROCESS *P = &Scn.Scenario->Processes[E->Process];
    BOOLEAN Ok = TRUE, Any = FALSE;
    char Want[400], Got[96];
    ScnStatusList(E->Statuses, E->StatusCount, Want, sizeof(Want));
    for (SCN_INSTANCE *I = __atomic_load_n(&Scn.Lists[E->Process], __ATOMIC_ACQUIRE); I != NULL; I = I->Next) {
        if (E->Instance >= 0 && I->Index != (uint32_t)E->Instance)
            continue;
        Any = TRUE;
        NTSTATUS Status = ScnExitStatusOf(I);
        BOOLEAN Match = FALSE;
        for (unsigned s = 0; s < E->StatusCount; s++)
            Match = Match || Status == E->Statuses[s];
        if (!Match) {
            ScnStatusText(Status, Got, sizeof(Got));
            Ok = ScnFail(E, "%s #%u (PID %lu) %s %s, expected %s", P->Name, I->Index,
                         (unsigned long)(ULONG_PTR)__atomic_load_n(&I->ProcessId, __ATOMIC_ACQUIRE),
                         I->Exited ? "exited with" : "was not created:", Got,
                         Want);
        }
    }
    if (!Any)
        Ok = E->Instance >= 0 ? ScnFail(E, "%s #%d was never created", P->Name, E->Instance)
                              : ScnFail(E, "%s was never created", P->Name);
    return Ok;
}

static BOOLEAN ScnCheckCount(const SCN_EXPECT *E, ULONG64 Count, PCSTR What)
{
    if (Count >= E->AtLeast && Count <= E->AtMost)
        return TRUE;
    if (E->AtLeast == E->AtMost)
        return ScnFail(E, "%s: %llu, expected %llu", What, (unsigned long long)Count, (unsigned long long)E->AtLeast);
    if (E->AtMost == UINT64_MAX)
        return ScnFail(E, "%s: %llu, expected at least %llu", What, (unsigned long long)Count,
                       (unsigned long long)E->AtLeast);
    return ScnFail(E, "%s: %llu, expected %llu to %llu", What, (unsigned long long)Count,
                   (unsigned long long)E->AtLeast, (unsigned long long)E->AtMost);
}

static BOOLEAN ScnCheckExpectation(const SCN_EXPECT *E)
{
    char What[160];
    switch (E->Kind) {
    case ScnExpExitStatus:
        return ScnCheckExitStatus(E);
    case ScnExpCreated: {
        ULONG64 Count = 0;
        for (SCN_INSTANCE *I = __atomic_load_n(&Scn.Lists[E->Process], __ATOMIC_ACQUIRE); I != NULL; I = I->Next)
            Count += NT_SUCCESS(__atomic_load_n(&I->CreateStatus, __ATOMIC_ACQUIRE)) ? 1 : 0;
        snprintf(What, sizeof(What), "%s processes created", Scn.Scenario->Processes[E->Process].Name);
        return ScnCheckCount(E, Count, What);
    }
    case ScnExpCallbacks: {
        ULONG64 Calls;
        if (!VfCallbackCalls(E->Driver, E->CallbackKinds, &Calls))
            return ScnFail(E, "callback counts come from the verifier, and it is off (--verifier=off)");
        snprintf(What, sizeof(What), "callbacks of %s (is it loaded with --driver?)", E->Driver);
        return ScnCheckCount(E, Calls, What);
    }
    case ScnExpRecord:
        return ScnCheckRecord(E);
    }
    return FALSE;
}

static VOID ScnReportActionFailures(VOID)
{
    for (ULONG i = 0; i < SCN_MAX_FAILURES; i++) {
        SCN_FAILURE *F = &Scn.Failures[i];
        const SCN_ACTION *A = __atomic_load_n(&F->Action, __ATOMIC_ACQUIRE);
        if (A == NULL)
            break;
        LONG64 Count = __atomic_load_n(&F->Count, __ATOMIC_ACQUIRE);    /* first: the details are written before it */
        char Got[128], Want[400] = "";
        if (F->IsValue)
            snprintf(Got, sizeof(Got), "returned %llu", (unsigned long long)F->Value);
        else {
            char Status[96];
            ScnStatusText(F->Status, Status, sizeof(Status));
            snprintf(Got, sizeof(Got), "returned %s", Status);
        }
        if (A->ExpectValueGiven)
            snprintf(Want, sizeof(Want), "%llu", (unsigned long long)A->ExpectValue);
        else if (A->ExpectCount != 0)
            ScnStatusList(A->Expect, A->ExpectCount, Want, sizeof(Want));
        else
            snprintf(Want, sizeof(Want), "success (add `expect:` to allow others)");
        RtlpReport("ntps: scenario: %s:%u:%u: expectation failed: %s in %s #%u (PID %lu) thread %lu %s, expected %s"
                   "%s%lld time%s\n", Scn.Scenario->File, A->Line, A->Column, A->Text, F->Instance->Def->Name,
                   F->Instance->Index, (unsigned long)(ULONG_PTR)__atomic_load_n(&F->Instance->ProcessId, __ATOMIC_ACQUIRE), (unsigned long)F->Thread,
                   Got, Want, "; ", (long long)Count, Count == 1 ? "" : "s");
    }
    LONG64 More = __atomic_load_n(&Scn.MoreFailures, __ATOMIC_RELAXED);
    if (More != 0)
        RtlpReport("ntps: scenario: %lld more failed actions elsewhere\n", (long long)More);
}

/* ---- the run ---------------------------------------------------------------------------------------------- */

static BOOLEAN ScnCreateObjects(VOID)
{
    const NTPS_SCENARIO *S = Scn.Scenario;
    for (size_t i = 0; i < S->ObjectCount; i++) {
        const SCN_OBJECT *O = &S->Objects[i];
        UNICODE_STRING Name;
        if (!ScnWide(&Name, "\\BaseNamedObjects\\", O->Name, strlen(O->Name)))
            return FALSE;
        OBJECT_ATTRIBUTES Attributes;
        InitializeObjectAttributes(&Attributes, &Name, OBJ_KERNEL_HANDLE, NULL, NULL);
        NTSTATUS Status;
        if (O->Kind == ScnObjEvent)
            Status = NtCreateEvent(&Scn.Objects[i], EVENT_ALL_ACCESS, &Attributes,
                                   O->Synchronization ? SynchronizationEvent : NotificationEvent, O->InitialState);
        else if (O->Kind == ScnObjMutex)
            Status = NtCreateMutant(&Scn.Objects[i], MUTANT_ALL_ACCESS, &Attributes, FALSE);
        else
            Status = NtCreateSemaphore(&Scn.Objects[i], SEMAPHORE_ALL_ACCESS, &Attributes, O->Initial, O->Maximum);
        free(Name.Buffer);
        if (!NT_SUCCESS(Status)) {
            RtlpReport("ntps: scenario: %s:%u:%u: cannot create object %s: 0x%08lX\n", S->File, O->Line, O->Column,
                       O->Name, (unsigned long)(ULONG)Status);
            Scn.Objects[i] = NULL;
            return FALSE;
        }
    }
    return TRUE;
}

static VOID ScnCleanup(BOOLEAN FreeInstances)
{
    for (size_t i = 0; i < Scn.Scenario->ObjectCount; i++)
        if (Scn.Objects[i] != NULL)
            NtClose(Scn.Objects[i]);
    if (!FreeInstances)
        return;     /* threads may still run in a stuck scenario's processes: keep what they use */
    SCN_INSTANCE *I = __atomic_exchange_n(&Scn.All, NULL, __ATOMIC_ACQ_REL);
    while (I != NULL) {
        SCN_INSTANCE *Next = I->NextAll;
        if (I->Process != NULL)
            ObfDereferenceObject(I->Process);
        for (ULONG t = 0; t < I->Def->ThreadTotal; t++) {
            free(I->Threads[t].Locals);
            free(I->Threads[t].Objects);
        }
        free(I->Threads);
        free(I);
        I = Next;
    }
    free((void *)Scn.Lists);
    free((void *)Scn.NextIndex);
    free(Scn.Objects);
    ScnDeviceEnd();
    Scn.Lists = NULL;
    Scn.NextIndex = NULL;
    Scn.Objects = NULL;
}

int NtpsScenarioRun(const NTPS_SCENARIO *S, BOOLEAN Quiet)
{
    memset(&Scn, 0, sizeof(Scn));
    Scn.Scenario = S;
    Scn.Lists = calloc(S->ProcessCount + 1, sizeof(SCN_INSTANCE *));
    Scn.NextIndex = calloc(S->ProcessCount + 1, sizeof(LONG));
    Scn.Objects = calloc(S->ObjectCount + 1, sizeof(HANDLE));
    if (Scn.Lists == NULL || Scn.NextIndex == NULL || Scn.Objects == NULL)
        KiInternalError("out of memory starting the scenario");
    KeInitializeEvent(&Scn.Stuck, NotificationEvent, FALSE);
    ScnDeviceStart(S);
    if (!Quiet)
        RtlpReport("ntps: scenario %s: starting\n", S->Name);
    if (!ScnCreateObjects()) {
        ScnCleanup(TRUE);
        return NTPS_EXIT_SCENARIO;
    }
    __atomic_store_n(&Scn.Running, 1, __ATOMIC_RELEASE);
    /* Processes without a parent are the System process's children. */
    for (size_t i = 0; i < S->ProcessCount; i++) {
        const SCN_PROCESS *P = &S->Processes[i];
        if (P->Parent >= 0 || P->Spawned)
            continue;
        if (P->Delay != 0) {
            LARGE_INTEGER Delay = { .QuadPart = -(LONGLONG)P->Delay };
            KeDelayExecutionThread(KernelMode, FALSE, &Delay);
        }
        ScnSpawn((int)i, P->Count, P->Rate, false);
    }
    SCN_END End = ScnWaitForAll();
    ScnReportActionFailures();
    ULONG Passed = 0;
    for (size_t i = 0; i < S->ExpectCount && End == ScnEnded; i++)
        Passed += ScnCheckExpectation(&S->Expects[i]) ? 1 : 0;
    LONG64 Failures = __atomic_load_n(&Scn.Expectations, __ATOMIC_RELAXED);
    char Outcome[160];
    if (End != ScnEnded)
        snprintf(Outcome, sizeof(Outcome), "stuck: expectations not checked");
    else
        snprintf(Outcome, sizeof(Outcome), "expectations: %lu of %lu passed%s", (unsigned long)Passed,
                 (unsigned long)S->ExpectCount, Failures != 0 ? ", actions or expectations failed" : "");
    if (!Quiet || Failures != 0 || End != ScnEnded)
        RtlpReport("ntps: scenario %s: %lld processes created (%lld failed), %lld threads, %lld actions; %s\n",
                   S->Name, (long long)__atomic_load_n(&Scn.Created, __ATOMIC_RELAXED),
                   (long long)__atomic_load_n(&Scn.Failed, __ATOMIC_RELAXED),
                   (long long)__atomic_load_n(&Scn.Threads, __ATOMIC_RELAXED),
                   (long long)__atomic_load_n(&Scn.Actions, __ATOMIC_RELAXED), Outcome);
    __atomic_store_n(&Scn.Running, 2, __ATOMIC_RELEASE);
    ScnCleanup(End != ScnStillStuck);
    if (End != ScnEnded)
        return NTPS_EXIT_STALL;
    return Failures != 0 ? NTPS_EXIT_SCENARIO : NTPS_EXIT_OK;
}
