/*
 * host/scnaction.c - loading a thread's actions and the scenario's
 * expectations (docs/scenarios.md lists them all).
 */
#include "host/scnload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCN_MAX_LOOP_DEPTH 8

static const char *const ScnActionNames[ScnActKinds] = {
    [ScnActSpin] = "spin", [ScnActSleep] = "sleep", [ScnActYield] = "yield", [ScnActWait] = "wait",
    [ScnActSignal] = "signal", [ScnActReset] = "reset", [ScnActPulse] = "pulse", [ScnActRelease] = "release",
    [ScnActOpen] = "open", [ScnActClose] = "close", [ScnActOpenProcess] = "open_process",
    [ScnActOpenThread] = "open_thread", [ScnActDuplicate] = "duplicate", [ScnActTerminate] = "terminate",
    [ScnActQuery] = "query", [ScnActLoadImage] = "load_image", [ScnActSpawn] = "spawn",
    [ScnActSyscall] = "syscall", [ScnActExit] = "exit", [ScnActExitProcess] = "exit_process",
    [ScnActLoop] = "loop", [ScnActLog] = "log", [ScnActOpenDevice] = "open_device", [ScnActIoctl] = "ioctl",
    [ScnActRead] = "read", [ScnActWrite] = "write", [ScnActSetValue] = "set_value",
    [ScnActRun] = "run", [ScnActCreateThread] = "create_thread",
};

static const char *ScnKindOfHandle(SCN_HANDLE_KIND Kind)
{
    return Kind == ScnHandleProcess ? "process" : Kind == ScnHandleThread ? "thread" : "device";
}

/* ---- handles ------------------------------------------------------------------------------ */

static int ScnFindLocal(const SCN_THREAD *T, const char *Name)
{
    for (unsigned i = 0; i < T->LocalCount; i++)
        if (strcmp(T->LocalNames[i], Name) == 0)
            return (int)i;
    return -1;
}

/* `as: NAME`: a new local of Kind, or the same one again (in a loop). */
bool ScnDeclareLocal(SCN_LOADER *L, const SCN_NODE *Node, SCN_THREAD *T, SCN_HANDLE_KIND Kind, int *Slot)
{
    if (!ScnGetName(L, Node, "a handle name (as:)"))
        return false;
    if (ScnFindObject(L, Node, "as") >= 0 || !strcmp(Node->Value, "self") || !strcmp(Node->Value, "self_thread")) {
        ScnError(L, Node, "'%s' is already the name of an object or of the thread itself: pick another `as:` name",
                 Node->Value);
        return false;
    }
    int Found = ScnFindLocal(T, Node->Value);
    if (Found >= 0) {
        if (T->LocalKinds[Found] != Kind) {
            ScnError(L, Node, "'%s' already names a %s handle in this thread, not a %s handle", Node->Value,
                     ScnKindOfHandle(T->LocalKinds[Found]), ScnKindOfHandle(Kind));
            return false;
        }
        *Slot = Found;
        return true;
    }
    if (T->LocalCount == 256) {
        ScnError(L, Node, "a thread has at most 256 handle names");
        return false;
    }
    char **Names = realloc(T->LocalNames, (T->LocalCount + 1) * sizeof(char *));
    if (Names != NULL)
        T->LocalNames = Names;
    SCN_HANDLE_KIND *Kinds = realloc(T->LocalKinds, (T->LocalCount + 1) * sizeof(SCN_HANDLE_KIND));
    if (Kinds != NULL)
        T->LocalKinds = Kinds;
    char *Name = Names && Kinds ? ScnDup(L, Node) : NULL;
    if (Name == NULL) {
        ScnError(L, Node, "out of memory");
        return false;
    }
    T->LocalNames[T->LocalCount] = Name;
    T->LocalKinds[T->LocalCount] = Kind;
    *Slot = (int)T->LocalCount++;
    return true;
}

bool ScnResolveHandle(SCN_LOADER *L, const SCN_NODE *Node, const SCN_THREAD *T, unsigned Allowed,
                      const char *What, SCN_HANDLE_REF *Ref)
{
    *Ref = (SCN_HANDLE_REF){ -1, -1, false, ScnHandleProcess };
    if (!ScnNeed(L, Node, ScnScalar, What))
        return false;
    if ((Allowed & SCN_REF_SELF) && (!strcmp(Node->Value, "self") || !strcmp(Node->Value, "self_thread"))) {
        Ref->Self = true;
        Ref->Kind = Node->Value[4] == 0 ? ScnHandleProcess : ScnHandleThread;
        return true;
    }
    if (Allowed & SCN_REF_OBJECTS) {
        Ref->Object = ScnFindObject(L, Node, What);
        if (Ref->Object >= 0)
            return true;
    }
    if (Allowed & SCN_REF_LOCALS) {
        Ref->Local = ScnFindLocal(T, Node->Value);
        if (Ref->Local >= 0) {
            Ref->Kind = T->LocalKinds[Ref->Local];
            return true;
        }
    }
    char List[400] = "";
    size_t n = 0;
    if (Allowed & SCN_REF_OBJECTS)
        for (size_t i = 0; i < L->Scenario->ObjectCount && n < sizeof(List) - 80; i++)
            n += (size_t)snprintf(List + n, sizeof(List) - n, "%s%s", n ? ", " : "", L->Scenario->Objects[i].Name);
    if (Allowed & SCN_REF_LOCALS)
        for (unsigned i = 0; i < T->LocalCount && n < sizeof(List) - 80; i++)
            n += (size_t)snprintf(List + n, sizeof(List) - n, "%s%s", n ? ", " : "", T->LocalNames[i]);
    if (Allowed & SCN_REF_SELF)
        n += (size_t)snprintf(List + n, sizeof(List) - n, "%sself, self_thread", n ? ", " : "");
    ScnError(L, Node, "%s: unknown %s '%.64s'%s (known here: %s)", What,
             (Allowed & SCN_REF_LOCALS) ? "object or handle" : "object", Node->Value,
             (Allowed & SCN_REF_OBJECTS) ? "; objects are declared under `objects:`, handles by `as:` earlier in "
                                           "the thread" : "", n ? List : "none");
    return false;
}

static bool ScnObjectOfKind(SCN_LOADER *L, const SCN_NODE *Node, const SCN_HANDLE_REF *Ref, const char *Action,
                            bool Event, bool Mutex, bool Semaphore)
{
    if (Ref->Object < 0) {
        ScnError(L, Node, "%s needs a declared object, and '%s' is a handle", Action, Node->Value);
        return false;
    }
    SCN_OBJECT_KIND Kind = L->Scenario->Objects[Ref->Object].Kind;
    if ((Kind == ScnObjEvent && Event) || (Kind == ScnObjMutex && Mutex) || (Kind == ScnObjSemaphore && Semaphore))
        return true;
    ScnError(L, Node, "%s: '%s' is a %s; %s works on %s%s%s", Action, Node->Value,
             Kind == ScnObjEvent ? "event" : Kind == ScnObjMutex ? "mutex" : "semaphore", Action,
             Event ? "events" : "", Mutex ? "mutexes" : "", Semaphore ? " and semaphores" : "");
    return false;
}

/* The operand of an action written `key: VALUE` or `key: {main: VALUE, ...}`. */
static const SCN_NODE *ScnOperand(SCN_LOADER *L, const SCN_NODE *Value, const char *Main, const char *Action,
                                  const char *const *Keys)
{
    if (Value->Kind != ScnMapping)
        return Value;
    char What[64];
    snprintf(What, sizeof(What), "%s", Action);
    if (!ScnCheckKeys(L, Value, What, Keys))
        return NULL;
    const SCN_NODE *Node = ScnGet(Value, Main);
    if (Node == NULL)
        ScnError(L, Value, "%s needs `%s:`", Action, Main);
    return Node;
}

/* ---- each action -------------------------------------------------------------------------------- */

static bool ScnLoadWait(SCN_LOADER *L, const SCN_NODE *V, SCN_THREAD *T, SCN_ACTION *A)
{
    static const char *const Keys[] = { "objects", "all", "timeout", "alertable", NULL };
    const SCN_NODE *Objects = ScnOperand(L, V, "objects", "wait", Keys);
    if (Objects == NULL)
        return false;
    size_t n = Objects->Kind == ScnSequence ? Objects->Count : 1;
    if (Objects->Kind == ScnMapping || n == 0 || n > SCN_MAX_WAIT) {
        ScnError(L, Objects, "wait takes 1 to %d objects or handles", SCN_MAX_WAIT);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (!ScnResolveHandle(L, Objects->Kind == ScnSequence ? Objects->Items[i] : Objects, T,
                              SCN_REF_OBJECTS | SCN_REF_LOCALS, "wait", &A->Handles[i]))
            return false;
    A->HandleCount = (unsigned)n;
    if (V->Kind == ScnMapping) {
        const SCN_NODE *All = ScnGet(V, "all"), *Timeout = ScnGet(V, "timeout"), *Alertable = ScnGet(V, "alertable");
        if (All != NULL && !ScnGetBool(L, All, "all", &A->All))
            return false;
        if (Alertable != NULL && !ScnGetBool(L, Alertable, "alertable", &A->Alertable))
            return false;
        if (Timeout != NULL) {
            if (!ScnGetDuration(L, Timeout, "timeout", &A->Duration))
                return false;
            A->Timeout = true;
        }
    }
    return true;
}

/* signal, reset, pulse (events), release (mutexes, semaphores), open, close. */
static bool ScnLoadObjectAction(SCN_LOADER *L, const SCN_NODE *V, SCN_THREAD *T, SCN_ACTION *A)
{
    static const char *const ReleaseKeys[] = { "object", "count", NULL };
    const SCN_NODE *Name = V;
    if (A->Kind == ScnActRelease) {
        Name = ScnOperand(L, V, "object", "release", ReleaseKeys);
        if (Name == NULL)
            return false;
    }
    unsigned Allowed = A->Kind == ScnActClose ? SCN_REF_OBJECTS | SCN_REF_LOCALS : SCN_REF_OBJECTS;
    if (!ScnResolveHandle(L, Name, T, Allowed, A->Text, &A->Handles[0]))
        return false;
    A->HandleCount = 1;
    A->Count = 1;
    switch (A->Kind) {
    case ScnActSignal: case ScnActReset: case ScnActPulse:
        return ScnObjectOfKind(L, Name, &A->Handles[0], A->Text, true, false, false);
    case ScnActRelease: {
        if (!ScnObjectOfKind(L, Name, &A->Handles[0], A->Text, false, true, true))
            return false;
        const SCN_NODE *Count = V->Kind == ScnMapping ? ScnGet(V, "count") : NULL;
        uint64_t N;
        if (Count != NULL) {
            if (L->Scenario->Objects[A->Handles[0].Object].Kind != ScnObjSemaphore) {
                ScnError(L, Count, "count is for releasing a semaphore");
                return false;
            }
            if (!ScnGetUnsigned(L, Count, "count", 1, 0x7FFFFFFF, &N))
                return false;
            A->Count = (int32_t)N;
        }
        return true;
    }
    default:
        return true;
    }
}

static bool ScnLoadOpen(SCN_LOADER *L, const SCN_NODE *V, SCN_PROCESS *P, SCN_THREAD *T, SCN_ACTION *A)
{
    static const char *const ProcessKeys[] = { "process", "instance", "access", "as", NULL };
    static const char *const ThreadKeys[] = { "process", "instance", "thread", "access", "as", NULL };
    bool Thread = A->Kind == ScnActOpenThread;
    const SCN_NODE *Target = ScnOperand(L, V, "process", A->Text, Thread ? ThreadKeys : ProcessKeys);
    if (Target == NULL)
        return false;
    if (Target->Kind == ScnScalar && strcmp(Target->Value, "self") == 0)
        A->Process = (int)(P - L->Scenario->Processes);
    else if ((A->Process = ScnFindProcess(L, Target, A->Text)) < 0)
        return false;
    L->Scenario->Processes[A->Process].Tracked = true;
    A->Access = Thread ? 0x800 /* THREAD_QUERY_LIMITED_INFORMATION */ : 0x1000 /* PROCESS_QUERY_LIMITED_... */;
    const SCN_NODE *Instance = V->Kind == ScnMapping ? ScnGet(V, "instance") : NULL;
    const SCN_NODE *Access = V->Kind == ScnMapping ? ScnGet(V, "access") : NULL;
    const SCN_NODE *As = V->Kind == ScnMapping ? ScnGet(V, "as") : NULL;
    const SCN_NODE *Index = V->Kind == ScnMapping ? ScnGet(V, "thread") : NULL;
    uint64_t N;
    if (!ScnGetInstance(L, Instance, A->Process, &A->Instance))
        return false;
    if (Index != NULL) {
        if (!ScnGetUnsigned(L, Index, "thread (its index in the process, from 0)", 0, 999, &N))
            return false;
        A->Thread = (int)N;
    }
    if (Access != NULL) {
        char Bad[96];
        if (!ScnNeed(L, Access, ScnScalar, "access"))
            return false;
        if (!ScnParseAccess(Access->Value, &A->Access, Bad, sizeof(Bad))) {
            ScnError(L, Access, "access: %s is not an access right: write names such as %s joined by '|', or "
                     "numbers", Bad, Thread ? "THREAD_TERMINATE | THREAD_QUERY_INFORMATION"
                                            : "PROCESS_TERMINATE | PROCESS_VM_READ");
            return false;
        }
    }
    return ScnDeclareLocal(L, As != NULL ? As : Target, T, Thread ? ScnHandleThread : ScnHandleProcess, &A->Local);
}

static bool ScnLoadDuplicate(SCN_LOADER *L, const SCN_NODE *V, SCN_THREAD *T, SCN_ACTION *A)
{
    static const char *const Keys[] = { "handle", "access", "as", NULL };
    if (!ScnNeed(L, V, ScnMapping, "duplicate") || !ScnCheckKeys(L, V, "duplicate", Keys))
        return false;
    const SCN_NODE *Handle = ScnGet(V, "handle"), *Access = ScnGet(V, "access"), *As = ScnGet(V, "as");
    if (Handle == NULL || As == NULL) {
        ScnError(L, V, "duplicate needs `handle:` (an `as:` handle) and `as:` (the new handle's name)");
        return false;
    }
    if (!ScnResolveHandle(L, Handle, T, SCN_REF_LOCALS, "duplicate", &A->Handles[0]))
        return false;
    A->HandleCount = 1;
    A->SameAccess = true;
    if (Access != NULL && !(Access->Kind == ScnScalar && strcmp(Access->Value, "same") == 0)) {
        char Bad[96];
        if (!ScnNeed(L, Access, ScnScalar, "access"))
            return false;
        if (!ScnParseAccess(Access->Value, &A->Access, Bad, sizeof(Bad))) {
            ScnError(L, Access, "access: %s is not an access right (names joined by '|', numbers, or same)", Bad);
            return false;
        }
        A->SameAccess = false;
    }
    return ScnDeclareLocal(L, As, T, A->Handles[0].Kind, &A->Local);
}

/* create_thread: {handle: h, as: t}: a thread in another process, as
 * CreateRemoteThread makes one; it returns at once (its creation and exit
 * are what thread notify routines see). */
static bool ScnLoadCreateThread(SCN_LOADER *L, const SCN_NODE *V, SCN_THREAD *T, SCN_ACTION *A)
{
    static const char *const Keys[] = { "handle", "as", NULL };
    const SCN_NODE *Handle = ScnOperand(L, V, "handle", "create_thread", Keys);
    if (Handle == NULL || !ScnResolveHandle(L, Handle, T, SCN_REF_LOCALS | SCN_REF_SELF, "create_thread",
                                            &A->Handles[0]))
        return false;
    A->HandleCount = 1;
    if (A->Handles[0].Kind != ScnHandleProcess) {
        ScnError(L, Handle, "create_thread needs a process handle (open_process ... as:), and '%s' is not one",
                 Handle->Value);
        return false;
    }
    const SCN_NODE *As = V->Kind == ScnMapping ? ScnGet(V, "as") : NULL;
    return As == NULL || ScnDeclareLocal(L, As, T, ScnHandleThread, &A->Local);
}

static bool ScnLoadTerminateOrQuery(SCN_LOADER *L, const SCN_NODE *V, SCN_THREAD *T, SCN_ACTION *A)
{
    static const char *const TerminateKeys[] = { "handle", "status", NULL };
    static const char *const QueryKeys[] = { "handle", "class", NULL };
    bool Query = A->Kind == ScnActQuery;
    const SCN_NODE *Handle = ScnOperand(L, V, "handle", A->Text, Query ? QueryKeys : TerminateKeys);
    if (Handle == NULL || !ScnResolveHandle(L, Handle, T, SCN_REF_LOCALS | SCN_REF_SELF, A->Text, &A->Handles[0]))
        return false;
    A->HandleCount = 1;
    if (A->Handles[0].Kind == ScnHandleDevice) {
        ScnError(L, Handle, "%s works on process and thread handles", A->Text);
        return false;
    }
    bool ThreadHandle = A->Handles[0].Kind == ScnHandleThread;
    if (!Query) {
        A->Status = 1;
        const SCN_NODE *Status = V->Kind == ScnMapping ? ScnGet(V, "status") : NULL;
        unsigned n;
        if (Status == NULL)
            return true;
        if (!ScnGetStatuses(L, Status, "status", &A->Status, &n, NULL))
            return false;
        if (n != 1) {
            ScnError(L, Status, "terminate takes one status");
            return false;
        }
        return true;
    }
    const SCN_NODE *Class = V->Kind == ScnMapping ? ScnGet(V, "class") : NULL;
    A->Class = 0;
    if (Class != NULL) {
        if (!ScnNeed(L, Class, ScnScalar, "class"))
            return false;
        if (!ScnParseInfoClass(Class->Value, ThreadHandle, &A->Class)) {
            ScnError(L, Class, "class: '%.64s' is not a %s information class (%s, or a number)", Class->Value,
                     ThreadHandle ? "thread" : "process",
                     ThreadHandle ? "ThreadBasicInformation, ThreadTimes..." : "ProcessBasicInformation, "
                                                                              "ProcessImageFileName...");
            return false;
        }
    }
    return true;
}

static bool ScnLoadSpawn(SCN_LOADER *L, const SCN_NODE *V, SCN_ACTION *A)
{
    static const char *const Keys[] = { "process", "count", "rate", "wait", NULL };
    const SCN_NODE *Target = ScnOperand(L, V, "process", "spawn", Keys);
    if (Target == NULL || (A->Process = ScnFindProcess(L, Target, "spawn")) < 0)
        return false;
    A->Count = 1;
    if (V->Kind != ScnMapping)
        return true;
    const SCN_NODE *Count = ScnGet(V, "count"), *Rate = ScnGet(V, "rate"), *Wait = ScnGet(V, "wait");
    uint64_t N;
    if (Count != NULL) {
        if (!ScnGetUnsigned(L, Count, "count", 1, 1000000, &N))
            return false;
        A->Count = (int32_t)N;
    }
    if (Rate != NULL && !ScnGetRate(L, Rate, &A->Rate))
        return false;
    return Wait == NULL || ScnGetBool(L, Wait, "wait", &A->Wait);
}

static bool ScnLoadSyscall(SCN_LOADER *L, const SCN_NODE *V, SCN_PROCESS *P, SCN_ACTION *A)
{
    static const char *const Keys[] = { "number", "args", NULL };
    if (!P->Wsl) {
        ScnError(L, V, "syscall is for wsl processes ('%s' is win32: add `subsystem: wsl`)", P->Name);
        return false;
    }
    const SCN_NODE *Number = ScnOperand(L, V, "number", "syscall", Keys);
    if (Number == NULL || !ScnGetUnsigned(L, Number, "a system call number", 0, 100000, &A->Number))
        return false;
    const SCN_NODE *Args = V->Kind == ScnMapping ? ScnGet(V, "args") : NULL;
    if (Args != NULL) {
        if (!ScnNeed(L, Args, ScnSequence, "args"))
            return false;
        if (Args->Count > 6) {
            ScnError(L, Args, "a system call has at most 6 arguments");
            return false;
        }
        for (size_t i = 0; i < Args->Count; i++) {
            const SCN_NODE *Arg = Args->Items[i];
            if (Arg->Kind == ScnScalar && strcmp(Arg->Value, "buffer") == 0)
                A->BufferArgs |= 1u << i;
            else if (!ScnGetUnsigned(L, Arg, "an argument (a number, or buffer)", 0, UINT64_MAX, &A->Args[i]))
                return false;
        }
    }
    A->ExpectAny = true;    /* a system call returns a value, not a status */
    return true;
}

static bool ScnLoadExpectation(SCN_LOADER *L, const SCN_NODE *V, SCN_ACTION *A)
{
    if (V->Kind == ScnMapping) {
        static const char *const Keys[] = { "value", NULL };
        const SCN_NODE *Value = ScnOperand(L, V, "value", "expect", Keys);
        if (Value == NULL)
            return false;
        if (A->Kind != ScnActSyscall) {
            ScnError(L, V, "expect: {value: N} is for syscall actions; others expect statuses");
            return false;
        }
        A->ExpectAny = false;
        A->ExpectValueGiven = true;
        return ScnGetUnsigned(L, Value, "value", 0, UINT64_MAX, &A->ExpectValue);
    }
    return ScnGetStatuses(L, V, "expect", A->Expect, &A->ExpectCount, &A->ExpectAny);
}

static bool ScnLoadAction(SCN_LOADER *L, const SCN_NODE *Node, SCN_PROCESS *P, SCN_THREAD *T, SCN_ACTION *A,
                          unsigned Depth)
{
    A->Line = Node->Line;
    A->Column = Node->Column;
    A->Local = -1;
    A->Record = -1;
    const SCN_NODE *Key = Node, *V = NULL, *Expect = NULL;
    if (Node->Kind == ScnMapping) {
        if (Node->Count == 0 || Node->Count > 2) {
            ScnError(L, Node, "an action is one `kind: operands` pair, with an optional `expect:`");
            return false;
        }
        for (size_t i = 0; i < Node->Count; i++) {
            const SCN_NODE *K = Node->Items[2 * i];
            if (K->Kind == ScnScalar && strcmp(K->Value, "expect") == 0 && Node->Count == 2)
                Expect = Node->Items[2 * i + 1];
            else
                Key = K, V = Node->Items[2 * i + 1];
        }
        if (Key == Node) {
            ScnError(L, Node, "an action is one `kind: operands` pair, with an optional `expect:`");
            return false;
        }
    } else if (Node->Kind != ScnScalar) {
        ScnError(L, Node, "an action is a mapping (`sleep: 10ms`) or a name (`yield`), not a list");
        return false;
    }
    if (Key->Kind != ScnScalar) {
        ScnError(L, Key, "an action's kind must be a name");
        return false;
    }
    int Kind = -1;
    for (int k = 0; k < ScnActKinds && Kind < 0; k++)
        if (strcmp(ScnActionNames[k], Key->Value) == 0)
            Kind = k;
    if (Kind < 0) {
        char List[600] = "";
        size_t n = 0;
        for (int k = 0; k < ScnActKinds; k++)
            n += (size_t)snprintf(List + n, sizeof(List) - n, "%s%s", k ? ", " : "", ScnActionNames[k]);
        ScnError(L, Key, "unknown action '%.64s'; actions: %s", Key->Value, List);
        return false;
    }
    A->Kind = (SCN_ACTION_KIND)Kind;
    A->Text = ScnActionNames[Kind];
    bool NoOperand = Kind == ScnActYield;
    if (V == NULL && !NoOperand) {
        ScnError(L, Key, "%s needs an operand (`%s: ...`)", A->Text, A->Text);
        return false;
    }
    if (V != NULL && NoOperand && !(V->Kind == ScnScalar && V->Value[0] == 0)) {
        ScnError(L, V, "%s takes no operand", A->Text);
        return false;
    }
    uint64_t N;
    bool Ok = true;
    switch (A->Kind) {
    case ScnActSpin: {
        static const char *const Keys[] = { "time", "iterations", NULL };
        if (V->Kind == ScnMapping) {
            if (!ScnCheckKeys(L, V, "spin", Keys))
                return false;
            const SCN_NODE *Time = ScnGet(V, "time"), *Iterations = ScnGet(V, "iterations");
            if ((Time != NULL) == (Iterations != NULL)) {
                ScnError(L, V, "spin takes `time:` (thread time) or `iterations:`");
                return false;
            }
            Ok = Time ? ScnGetDuration(L, Time, "time", &A->Duration)
                      : ScnGetUnsigned(L, Iterations, "iterations", 1, 10000000000ull, &A->Iterations);
        } else {
            Ok = ScnGetDuration(L, V, "spin", &A->Duration);
        }
        if (Ok && A->Duration > 600000000) {
            ScnError(L, V, "spin for at most 60 s");
            return false;
        }
        break;
    }
    case ScnActSleep:
        Ok = ScnGetDuration(L, V, "sleep", &A->Duration);
        break;
    case ScnActYield:
        break;
    case ScnActWait:
        Ok = ScnLoadWait(L, V, T, A);
        break;
    case ScnActSignal: case ScnActReset: case ScnActPulse: case ScnActRelease: case ScnActOpen: case ScnActClose:
        Ok = ScnLoadObjectAction(L, V, T, A);
        break;
    case ScnActOpenProcess: case ScnActOpenThread:
        Ok = ScnLoadOpen(L, V, P, T, A);
        break;
    case ScnActDuplicate:
        Ok = ScnLoadDuplicate(L, V, T, A);
        break;
    case ScnActTerminate: case ScnActQuery:
        Ok = ScnLoadTerminateOrQuery(L, V, T, A);
        break;
    case ScnActCreateThread:
        Ok = ScnLoadCreateThread(L, V, T, A);
        break;
    case ScnActLoadImage:
        Ok = ScnNeed(L, V, ScnScalar, "load_image") && (A->String = ScnDup(L, V)) != NULL;
        if (Ok && (strlen(A->String) == 0 || strlen(A->String) > 1000)) {
            ScnError(L, V, "load_image takes a path of 1 to 1000 characters");
            return false;
        }
        break;
    case ScnActSpawn:
        Ok = ScnLoadSpawn(L, V, A);
        break;
    case ScnActSyscall:
        Ok = ScnLoadSyscall(L, V, P, A);
        break;
    case ScnActExit: case ScnActExitProcess: {
        unsigned n;
        Ok = ScnGetStatuses(L, V, A->Text, &A->Status, &n, NULL);
        if (Ok && n != 1) {
            ScnError(L, V, "%s takes one status", A->Text);
            return false;
        }
        break;
    }
    case ScnActLoop: {
        static const char *const Keys[] = { "count", "actions", NULL };
        if (!ScnNeed(L, V, ScnMapping, "loop") || !ScnCheckKeys(L, V, "loop", Keys))
            return false;
        const SCN_NODE *Count = ScnGet(V, "count"), *Body = ScnGet(V, "actions");
        if (Count == NULL || Body == NULL) {
            ScnError(L, V, "loop needs `count:` and `actions:`");
            return false;
        }
        if (Depth + 1 >= SCN_MAX_LOOP_DEPTH) {
            ScnError(L, V, "loops nest at most %d deep", SCN_MAX_LOOP_DEPTH);
            return false;
        }
        if (!ScnGetUnsigned(L, Count, "count", 1, 100000000, &N))
            return false;
        A->Count = (int32_t)N;
        Ok = ScnLoadActions(L, Body, P, T, &A->Body, &A->BodyCount, Depth + 1);
        break;
    }
    case ScnActLog:
        Ok = ScnNeed(L, V, ScnScalar, "log") && (A->String = ScnDup(L, V)) != NULL;
        break;
    case ScnActOpenDevice: case ScnActIoctl: case ScnActRead: case ScnActWrite:
        Ok = ScnLoadDeviceAction(L, V, T, A);
        break;
    case ScnActSetValue:
        Ok = ScnLoadRegistryAction(L, V, A);
        break;
    case ScnActRun:
        Ok = ScnLoadRunAction(L, V, A);
        break;
    default:
        break;
    }
    if (!Ok)
        return false;
    if (Expect != NULL) {
        if (A->Kind == ScnActLoop || A->Kind == ScnActLog || A->Kind == ScnActExit) {
            ScnError(L, Expect, "%s has no status to expect", A->Text);
            return false;
        }
        return ScnLoadExpectation(L, Expect, A);
    }
    return true;
}

bool ScnLoadActions(SCN_LOADER *L, const SCN_NODE *List, SCN_PROCESS *P, SCN_THREAD *T, SCN_ACTION **Actions,
                    size_t *Count, unsigned Depth)
{
    if (!ScnNeed(L, List, ScnSequence, "actions"))
        return false;
    if (List->Count > 10000) {
        ScnError(L, List, "a list has at most 10000 actions");
        return false;
    }
    *Actions = calloc(List->Count + 1, sizeof(SCN_ACTION));
    if (*Actions == NULL) {
        ScnError(L, List, "out of memory");
        return false;
    }
    for (size_t i = 0; i < List->Count; i++) {
        *Count = i + 1;     /* what to free if this one fails */
        if (!ScnLoadAction(L, List->Items[i], P, T, &(*Actions)[i], Depth))
            return false;
    }
    *Count = List->Count;
    return true;
}

static bool ScnActionsSpawn(const SCN_ACTION *Actions, size_t Count, int Definition)
{
    for (size_t i = 0; i < Count; i++)
        if ((Actions[i].Kind == ScnActSpawn && Actions[i].Process == Definition) ||
            ScnActionsSpawn(Actions[i].Body, Actions[i].BodyCount, Definition))
            return true;
    return false;
}

bool ScnSpawns(const SCN_PROCESS *P, int Definition)
{
    for (size_t t = 0; t < P->ThreadCount; t++)
        if (ScnActionsSpawn(P->Threads[t].Actions, P->Threads[t].ActionCount, Definition))
            return true;
    return false;
}

/* ---- expectations ---------------------------------------------------------------------------------- */

static bool ScnGetCounts(SCN_LOADER *L, const SCN_NODE *Node, const SCN_NODE *Exact, SCN_EXPECT *E)
{
    static const char *const Keys[] = { "at_least", "at_most", NULL };
    if (Node->Kind == ScnMapping && Node != Exact && Exact == NULL && E->Kind == ScnExpCreated &&
        !ScnCheckKeys(L, Node, "created", Keys))
        return false;
    const SCN_NODE *AtLeast = ScnGet(Node, "at_least"), *AtMost = ScnGet(Node, "at_most");
    E->AtLeast = 0;
    E->AtMost = UINT64_MAX;
    if (Exact != NULL && Exact->Kind != ScnScalar) {
        ScnError(L, Exact, "a count is a number");
        return false;
    }
    if (Exact != NULL && (AtLeast || AtMost)) {
        ScnError(L, Exact, "give an exact count or at_least/at_most, not both");
        return false;
    }
    if (Exact != NULL) {
        if (!ScnGetUnsigned(L, Exact, "a count", 0, UINT64_MAX, &E->AtLeast))
            return false;
        E->AtMost = E->AtLeast;
        return true;
    }
    if (AtLeast == NULL && AtMost == NULL) {
        ScnError(L, Node, "give a count: an exact number, at_least: N or at_most: N");
        return false;
    }
    return (AtLeast == NULL || ScnGetUnsigned(L, AtLeast, "at_least", 0, UINT64_MAX, &E->AtLeast)) &&
           (AtMost == NULL || ScnGetUnsigned(L, AtMost, "at_most", 0, UINT64_MAX, &E->AtMost));
}

static bool ScnCallbackKinds(SCN_LOADER *L, const SCN_NODE *Node, uint32_t *Mask)
{
    static const struct { const char *Name; uint32_t Mask; } Kinds[] = {
        { "process", 1u << SCN_CALLBACK_PROCESS }, { "thread", 1u << SCN_CALLBACK_THREAD },
        { "image", 1u << SCN_CALLBACK_IMAGE },
        { "object", (1u << SCN_CALLBACK_OBJECT_PRE) | (1u << SCN_CALLBACK_OBJECT_POST) },
        { "any", 0x1F },
    };
    size_t n = Node->Kind == ScnSequence ? Node->Count : 1;
    *Mask = 0;
    if (Node->Kind == ScnMapping || n == 0) {
        ScnError(L, Node, "callbacks is process, thread, image, object or any, or a list of them");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const SCN_NODE *Item = Node->Kind == ScnSequence ? Node->Items[i] : Node;
        bool Found = false;
        for (size_t k = 0; Item->Kind == ScnScalar && k < sizeof(Kinds) / sizeof(Kinds[0]); k++)
            if (strcmp(Item->Value, Kinds[k].Name) == 0) {
                *Mask |= Kinds[k].Mask;
                Found = true;
            }
        if (!Found) {
            ScnError(L, Item, "callbacks: '%.64s' is not process, thread, image, object or any",
                     Item->Kind == ScnScalar ? Item->Value : "(not a name)");
            return false;
        }
    }
    return true;
}

bool ScnLoadExpect(SCN_LOADER *L, const SCN_NODE *Node, SCN_EXPECT *E)
{
    static const char *const Keys[] = { "process", "instance", "exit_status", "created", "callbacks", "driver",
                                        "count", "at_least", "at_most", "record", "equals", "contains", NULL };
    if (!ScnNeed(L, Node, ScnMapping, "an expectation") || !ScnCheckKeys(L, Node, "an expectation", Keys))
        return false;
    E->Line = Node->Line;
    E->Column = Node->Column;
    E->Instance = -1;
    const SCN_NODE *Process = ScnGet(Node, "process"), *Exit = ScnGet(Node, "exit_status");
    const SCN_NODE *Created = ScnGet(Node, "created"), *Callbacks = ScnGet(Node, "callbacks");
    const SCN_NODE *Record = ScnGet(Node, "record"), *Instance = ScnGet(Node, "instance");
    if (Record != NULL && Exit == NULL && Created == NULL && Callbacks == NULL)
        return ScnLoadRecordExpect(L, Node, E);
    const SCN_NODE *Bytes = ScnGet(Node, "equals") ? ScnGet(Node, "equals") : ScnGet(Node, "contains");
    if (Bytes != NULL && Record == NULL) {
        ScnError(L, Bytes, "equals and contains are for record expectations ({record: R, equals: BYTES})");
        return false;
    }
    if ((Exit != NULL) + (Created != NULL) + (Callbacks != NULL) + (Record != NULL) != 1) {
        ScnError(L, Node, "an expectation is one of: {process: P, exit_status: S}, {process: P, created: N}, "
                 "{callbacks: KIND, driver: D.so, at_least: N}, {record: R, equals: BYTES}");
        return false;
    }
    if (Callbacks != NULL) {
        const SCN_NODE *Driver = ScnGet(Node, "driver");
        E->Kind = ScnExpCallbacks;
        if (Process != NULL || Instance != NULL) {
            ScnError(L, Process ? Process : Instance, "a callbacks expectation counts a driver's callbacks, "
                     "whatever the process");
            return false;
        }
        if (Driver == NULL) {
            ScnError(L, Node, "callbacks needs `driver:` (the module's file name, e.g. monitor.so)");
            return false;
        }
        if (!ScnNeed(L, Driver, ScnScalar, "driver") || (E->Driver = ScnDup(L, Driver)) == NULL)
            return false;
        return ScnCallbackKinds(L, Callbacks, &E->CallbackKinds) && ScnGetCounts(L, Node, ScnGet(Node, "count"), E);
    }
    if (Process == NULL) {
        ScnError(L, Node, "this expectation needs `process:`");
        return false;
    }
    if ((E->Process = ScnFindProcess(L, Process, "process")) < 0)
        return false;
    L->Scenario->Processes[E->Process].Tracked = true;
    if (Instance != NULL) {
        uint64_t N;
        if (!ScnGetUnsigned(L, Instance, "instance", 0, L->Scenario->Processes[E->Process].Count - 1, &N))
            return false;
        E->Instance = (int)N;
    }
    if (Exit != NULL) {
        E->Kind = ScnExpExitStatus;
        const char *Extra[] = { "count", "at_least", "at_most" };
        for (size_t i = 0; i < 3; i++)
            if (ScnGet(Node, Extra[i]) != NULL) {
                ScnError(L, ScnGet(Node, Extra[i]), "%s is for created and callbacks expectations", Extra[i]);
                return false;
            }
        return ScnGetStatuses(L, Exit, "exit_status", E->Statuses, &E->StatusCount, NULL);
    }
    E->Kind = ScnExpCreated;
    if (Instance != NULL) {
        ScnError(L, Instance, "created counts every instance: no `instance:`");
        return false;
    }
    const char *Extra[] = { "count", "at_least", "at_most" };
    for (size_t i = 0; i < 3; i++)
        if (ScnGet(Node, Extra[i]) != NULL) {
            ScnError(L, ScnGet(Node, Extra[i]), "write created: N or created: {at_least: N, at_most: M}");
            return false;
        }
    if (Created->Kind == ScnScalar)
        return ScnGetCounts(L, Node, Created, E);
    if (!ScnNeed(L, Created, ScnMapping, "created"))
        return false;
    return ScnGetCounts(L, Created, NULL, E);
}
