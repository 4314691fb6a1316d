/*
 * host/scnload.c - a scenario's YAML tree into the model the run uses,
 * with every check that can be made before the run: keys, types, ranges,
 * names of processes, objects and handles, access masks, duplicate names,
 * parent and spawn cycles. Each error names FILE:LINE:COLUMN.
 *
 * Actions are in scnaction.c; this file has the scenario, its objects,
 * processes and threads, and the expectations at the end.
 */
#include "host/scnload.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ScnError(SCN_LOADER *L, const SCN_NODE *Node, const char *Format, ...)
{
    if (L->Failed)
        return;     /* the first error is the one reported */
    L->Failed = true;
    int n = snprintf(L->Error, L->ErrorSize, "%s:%u:%u: ", L->Scenario->File, Node ? Node->Line : 1,
                     Node ? Node->Column : 1);
    if (n < 0 || (size_t)n >= L->ErrorSize)
        return;
    va_list Args;
    va_start(Args, Format);
    vsnprintf(L->Error + n, L->ErrorSize - (size_t)n, Format, Args);
    va_end(Args);
}

static const char *ScnKindName(const SCN_NODE *Node)
{
    return Node->Kind == ScnScalar ? "a value" : Node->Kind == ScnSequence ? "a list" : "a mapping";
}

/* Keys must be scalars, known and not repeated. Allowed is NULL-terminated. */
bool ScnCheckKeys(SCN_LOADER *L, const SCN_NODE *Map, const char *What, const char *const *Allowed)
{
    for (size_t i = 0; i < Map->Count; i++) {
        const SCN_NODE *Key = Map->Items[2 * i];
        if (Key->Kind != ScnScalar) {
            ScnError(L, Key, "a key of %s must be a name, not %s", What, ScnKindName(Key));
            return false;
        }
        bool Known = false;
        for (size_t k = 0; Allowed[k] != NULL && !Known; k++)
            Known = strcmp(Allowed[k], Key->Value) == 0;
        if (!Known) {
            char List[512] = "";
            size_t n = 0;
            for (size_t k = 0; Allowed[k] != NULL && n < sizeof(List); k++)
                n += (size_t)snprintf(List + n, sizeof(List) - n, "%s%s", k ? ", " : "", Allowed[k]);
            ScnError(L, Key, "unknown key '%.64s' in %s; allowed: %s", Key->Value, What, List);
            return false;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(Map->Items[2 * j]->Value, Key->Value) == 0) {
                ScnError(L, Key, "'%s' given twice in %s (first at line %u)", Key->Value, What,
                         Map->Items[2 * j]->Line);
                return false;
            }
    }
    return true;
}

const SCN_NODE *ScnGet(const SCN_NODE *Map, const char *Key)
{
    for (size_t i = 0; Map->Kind == ScnMapping && i < Map->Count; i++)
        if (Map->Items[2 * i]->Kind == ScnScalar && strcmp(Map->Items[2 * i]->Value, Key) == 0)
            return Map->Items[2 * i + 1];
    return NULL;
}

bool ScnNeed(SCN_LOADER *L, const SCN_NODE *Node, SCN_NODE_KIND Kind, const char *What)
{
    if (Node->Kind == Kind)
        return true;
    ScnError(L, Node, "%s must be %s, not %s", What,
             Kind == ScnScalar ? "a value" : Kind == ScnSequence ? "a list" : "a mapping", ScnKindName(Node));
    return false;
}

char *ScnDup(SCN_LOADER *L, const SCN_NODE *Node)
{
    char *Copy = strdup(Node->Value);
    if (Copy == NULL)
        ScnError(L, Node, "out of memory");
    return Copy;
}

bool ScnGetUnsigned(SCN_LOADER *L, const SCN_NODE *Node, const char *What, uint64_t Min, uint64_t Max,
                    uint64_t *Value)
{
    if (!ScnNeed(L, Node, ScnScalar, What))
        return false;
    if (!ScnParseUnsigned(Node->Value, Value) || *Value < Min || *Value > Max) {
        ScnError(L, Node, "%s must be a whole number from %llu to %llu, not '%.64s'", What,
                 (unsigned long long)Min, (unsigned long long)Max, Node->Value);
        return false;
    }
    return true;
}

bool ScnGetBool(SCN_LOADER *L, const SCN_NODE *Node, const char *What, bool *Value)
{
    if (!ScnNeed(L, Node, ScnScalar, What))
        return false;
    const char *V = Node->Value;
    if (!Node->Quoted && (!strcmp(V, "true") || !strcmp(V, "yes") || !strcmp(V, "on"))) {
        *Value = true;
        return true;
    }
    if (!Node->Quoted && (!strcmp(V, "false") || !strcmp(V, "no") || !strcmp(V, "off"))) {
        *Value = false;
        return true;
    }
    ScnError(L, Node, "%s must be true or false, not '%.64s'", What, V);
    return false;
}

bool ScnGetDuration(SCN_LOADER *L, const SCN_NODE *Node, const char *What, uint64_t *Value)
{
    if (!ScnNeed(L, Node, ScnScalar, What))
        return false;
    if (!ScnParseDuration(Node->Value, Value)) {
        ScnError(L, Node, "%s must be a duration such as 10ms, 1.5s, 200us or 500ns, not '%.64s'", What,
                 Node->Value);
        return false;
    }
    return true;
}

bool ScnGetRate(SCN_LOADER *L, const SCN_NODE *Node, uint64_t *Interval)
{
    if (!ScnNeed(L, Node, ScnScalar, "rate"))
        return false;
    if (!ScnParseRate(Node->Value, Interval)) {
        ScnError(L, Node, "rate must be a number per unit such as 1000/s or 5/ms, not '%.64s'", Node->Value);
        return false;
    }
    return true;
}

/* STATUS_X, a number, or a list of them; `any` when AnyAllowed. */
bool ScnGetStatuses(SCN_LOADER *L, const SCN_NODE *Node, const char *What, int32_t *Statuses, unsigned *Count,
                    bool *Any)
{
    *Count = 0;
    if (Any != NULL)
        *Any = false;
    if (Node->Kind == ScnMapping) {
        ScnError(L, Node, "%s must be a status (STATUS_SUCCESS, 0xC0000022, 3) or a list of them", What);
        return false;
    }
    size_t n = Node->Kind == ScnSequence ? Node->Count : 1;
    if (n == 0 || n > SCN_MAX_STATUSES) {
        ScnError(L, Node, "%s lists 1 to %d statuses", What, SCN_MAX_STATUSES);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const SCN_NODE *Item = Node->Kind == ScnSequence ? Node->Items[i] : Node;
        if (!ScnNeed(L, Item, ScnScalar, What))
            return false;
        if (Any != NULL && strcmp(Item->Value, "any") == 0 && n == 1) {
            *Any = true;
            return true;
        }
        if (!ScnParseStatus(Item->Value, &Statuses[i])) {
            ScnError(L, Item, "%s: '%.64s' is not a status: write a name from include/ntstatus.h "
                     "(STATUS_ACCESS_DENIED) or a number (0xC0000022, 3)%s", What, Item->Value,
                     Any != NULL ? ", or any" : "");
            return false;
        }
    }
    *Count = (unsigned)n;
    return true;
}

/* A process name used by an action or an expectation. */
int ScnFindProcess(SCN_LOADER *L, const SCN_NODE *Node, const char *What)
{
    if (!ScnNeed(L, Node, ScnScalar, What))
        return -1;
    for (size_t i = 0; i < L->Scenario->ProcessCount; i++)
        if (strcmp(L->Scenario->Processes[i].Name, Node->Value) == 0)
            return (int)i;
    char List[400] = "";
    size_t n = 0;
    for (size_t i = 0; i < L->Scenario->ProcessCount && n < sizeof(List) - 80; i++)
        n += (size_t)snprintf(List + n, sizeof(List) - n, "%s%s", i ? ", " : "", L->Scenario->Processes[i].Name);
    ScnError(L, Node, "%s: no process named '%.64s' (processes: %s)", What, Node->Value, n ? List : "none");
    return -1;
}

/* `instance:` of a reference to process Process: a number from 0, or
 * newest (-1); absent (Node NULL) is instance 0. */
bool ScnGetInstance(SCN_LOADER *L, const SCN_NODE *Node, int Process, int *Instance)
{
    *Instance = 0;
    if (Node == NULL)
        return true;
    if (Node->Kind == ScnScalar && strcmp(Node->Value, "newest") == 0) {
        *Instance = -1;
        return true;
    }
    uint64_t N;
    if (!ScnGetUnsigned(L, Node, "instance (a number from 0, or newest)", 0,
                        L->Scenario->Processes[Process].Count - 1, &N))
        return false;
    *Instance = (int)N;
    return true;
}

int ScnFindObject(SCN_LOADER *L, const SCN_NODE *Node, const char *What)
{
    if (!ScnNeed(L, Node, ScnScalar, What))
        return -1;
    for (size_t i = 0; i < L->Scenario->ObjectCount; i++)
        if (strcmp(L->Scenario->Objects[i].Name, Node->Value) == 0)
            return (int)i;
    return -1;
}

static bool ScnValidName(const char *Name)
{
    size_t n = strlen(Name);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = Name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return false;
    }
    return true;
}

bool ScnGetName(SCN_LOADER *L, const SCN_NODE *Node, const char *What)
{
    if (!ScnNeed(L, Node, ScnScalar, What))
        return false;
    if (!ScnValidName(Node->Value)) {
        ScnError(L, Node, "%s '%.64s': a name is 1 to 64 letters, digits, '_', '-' or '.'", What, Node->Value);
        return false;
    }
    return true;
}

/* ---- objects --------------------------------------------------------------------------------- */

static bool ScnLoadObject(SCN_LOADER *L, const SCN_NODE *Node, SCN_OBJECT *Object)
{
    static const char *const Keys[] = { "event", "mutex", "semaphore", "type", "signaled", "initial", "maximum", NULL };
    if (!ScnNeed(L, Node, ScnMapping, "an object") || !ScnCheckKeys(L, Node, "an object", Keys))
        return false;
    const SCN_NODE *E = ScnGet(Node, "event"), *M = ScnGet(Node, "mutex"), *S = ScnGet(Node, "semaphore");
    if ((E != NULL) + (M != NULL) + (S != NULL) != 1) {
        ScnError(L, Node, "an object is one of event: NAME, mutex: NAME or semaphore: NAME");
        return false;
    }
    const SCN_NODE *Name = E ? E : M ? M : S;
    Object->Kind = E ? ScnObjEvent : M ? ScnObjMutex : ScnObjSemaphore;
    Object->Line = Node->Line;
    Object->Column = Node->Column;
    if (!ScnGetName(L, Name, "an object's name") || (Object->Name = ScnDup(L, Name)) == NULL)
        return false;
    const SCN_NODE *Type = ScnGet(Node, "type"), *Signaled = ScnGet(Node, "signaled");
    const SCN_NODE *Initial = ScnGet(Node, "initial"), *Maximum = ScnGet(Node, "maximum");
    if ((Type || Signaled) && !E) {
        ScnError(L, Type ? Type : Signaled, "type and signaled are for events");
        return false;
    }
    if ((Initial || Maximum) && !S) {
        ScnError(L, Initial ? Initial : Maximum, "initial and maximum are for semaphores");
        return false;
    }
    if (Type != NULL) {
        if (!ScnNeed(L, Type, ScnScalar, "type"))
            return false;
        if (strcmp(Type->Value, "notification") == 0)
            Object->Synchronization = false;
        else if (strcmp(Type->Value, "synchronization") == 0)
            Object->Synchronization = true;
        else {
            ScnError(L, Type, "an event's type is notification (manual reset) or synchronization (auto reset), "
                     "not '%.64s'", Type->Value);
            return false;
        }
    }
    if (Signaled != NULL && !ScnGetBool(L, Signaled, "signaled", &Object->InitialState))
        return false;
    uint64_t V;
    Object->Initial = 0;
    Object->Maximum = 1;
    if (Maximum != NULL) {
        if (!ScnGetUnsigned(L, Maximum, "maximum", 1, 0x7FFFFFFF, &V))
            return false;
        Object->Maximum = (int32_t)V;
    }
    if (Initial != NULL) {
        if (!ScnGetUnsigned(L, Initial, "initial", 0, (uint64_t)Object->Maximum, &V))
            return false;
        Object->Initial = (int32_t)V;
    }
    for (SCN_OBJECT *Other = L->Scenario->Objects; Other < Object; Other++)
        if (strcmp(Other->Name, Object->Name) == 0) {
            ScnError(L, Name, "a second object named '%s' (the first is at line %u)", Object->Name, Other->Line);
            return false;
        }
    return true;
}

/* ---- processes ----------------------------------------------------------------------------- */

static const char *const ScnProcessKeys[] = { "name", "image", "subsystem", "command_line", "parent", "count",
                                              "rate", "delay", "threads", "actions", NULL };

/* The name a definition goes by: `name:`, else its image's last component. */
static bool ScnProcessName(SCN_LOADER *L, const SCN_NODE *Node, SCN_PROCESS *P)
{
    const SCN_NODE *Name = ScnGet(Node, "name");
    if (Name != NULL) {
        if (!ScnGetName(L, Name, "a process name"))
            return false;
        P->Name = ScnDup(L, Name);
        return P->Name != NULL;
    }
    const char *Image = P->Image, *Last = Image;
    for (const char *c = Image; *c; c++)
        if (*c == '\\' || *c == '/')
            Last = c + 1;
    if (!ScnValidName(Last)) {
        ScnError(L, Node, "this process needs `name:` (its image's last component '%.64s' is not a name)", Last);
        return false;
    }
    P->Name = strdup(Last);
    if (P->Name == NULL)
        ScnError(L, Node, "out of memory");
    return P->Name != NULL;
}

static bool ScnCommandLine(SCN_LOADER *L, const SCN_NODE *Node, SCN_PROCESS *P)
{
    if (Node->Kind == ScnScalar) {
        P->CommandLine = ScnDup(L, Node);
        P->CommandLineLength = P->CommandLine ? strlen(P->CommandLine) : 0;
        if (P->CommandLine != NULL && P->Wsl)      /* arguments separated by spaces: NULs for WSL */
            for (char *c = P->CommandLine; *c; c++)
                if (*c == ' ')
                    *c = 0;
        return P->CommandLine != NULL;
    }
    if (Node->Kind != ScnSequence || !P->Wsl || Node->Count == 0) {
        ScnError(L, Node, "command_line is a string (a list of arguments for a wsl process)");
        return false;
    }
    size_t Length = 0;
    for (size_t i = 0; i < Node->Count; i++) {
        if (!ScnNeed(L, Node->Items[i], ScnScalar, "an argument"))
            return false;
        Length += strlen(Node->Items[i]->Value) + 1;
    }
    if (Length > 30000) {
        ScnError(L, Node, "command_line is longer than 30000 characters");
        return false;
    }
    P->CommandLine = malloc(Length);
    if (P->CommandLine == NULL) {
        ScnError(L, Node, "out of memory");
        return false;
    }
    size_t n = 0;
    for (size_t i = 0; i < Node->Count; i++) {
        size_t a = strlen(Node->Items[i]->Value);
        memcpy(P->CommandLine + n, Node->Items[i]->Value, a + 1);
        n += a + 1;
    }
    P->CommandLineLength = Length - 1;      /* no NUL after the last argument */
    return true;
}

/* The first pass over a process: what other definitions refer to. */
static bool ScnLoadProcessHeader(SCN_LOADER *L, const SCN_NODE *Node, SCN_PROCESS *P)
{
    if (!ScnNeed(L, Node, ScnMapping, "a process") || !ScnCheckKeys(L, Node, "a process", ScnProcessKeys))
        return false;
    P->Line = Node->Line;
    P->Column = Node->Column;
    P->Parent = -1;
    P->Count = 1;
    const SCN_NODE *Image = ScnGet(Node, "image"), *Subsystem = ScnGet(Node, "subsystem");
    if (Image == NULL) {
        ScnError(L, Node, "a process needs `image:` (C:\\Windows\\System32\\cmd.exe, or /usr/bin/bash for wsl)");
        return false;
    }
    if (!ScnNeed(L, Image, ScnScalar, "image") || (P->Image = ScnDup(L, Image)) == NULL)
        return false;
    if (Subsystem != NULL) {
        if (!ScnNeed(L, Subsystem, ScnScalar, "subsystem"))
            return false;
        if (strcmp(Subsystem->Value, "wsl") == 0)
            P->Wsl = true;
        else if (strcmp(Subsystem->Value, "win32") != 0) {
            ScnError(L, Subsystem, "subsystem is win32 or wsl, not '%.64s'", Subsystem->Value);
            return false;
        }
    }
    size_t Length = strlen(P->Image);
    if (Length == 0 || Length > 1000) {
        ScnError(L, Image, "image is a path of 1 to 1000 characters");
        return false;
    }
    if (P->Wsl && P->Image[0] != '/') {
        ScnError(L, Image, "a wsl process's image is a Linux path starting with '/', not '%.64s'", P->Image);
        return false;
    }
    if (!P->Wsl && P->Image[0] == '/') {
        ScnError(L, Image, "'%.64s' is a Linux path: add `subsystem: wsl`, or give a Windows path", P->Image);
        return false;
    }
    if (!ScnProcessName(L, Node, P))
        return false;
    const SCN_NODE *CommandLine = ScnGet(Node, "command_line");
    if (CommandLine != NULL && !ScnCommandLine(L, CommandLine, P))
        return false;
    uint64_t V;
    const SCN_NODE *Count = ScnGet(Node, "count"), *Rate = ScnGet(Node, "rate"), *Delay = ScnGet(Node, "delay");
    if (Count != NULL) {
        if (!ScnGetUnsigned(L, Count, "count", 1, 1000000, &V))
            return false;
        P->Count = (uint32_t)V;
    }
    if (Rate != NULL && !ScnGetRate(L, Rate, &P->Rate))
        return false;
    if (Delay != NULL && !ScnGetDuration(L, Delay, "delay", &P->Delay))
        return false;
    for (SCN_PROCESS *Other = L->Scenario->Processes; Other < P; Other++)
        if (strcmp(Other->Name, P->Name) == 0) {
            ScnError(L, ScnGet(Node, "name") ? ScnGet(Node, "name") : Node,
                     "a second process named '%s' (the first is at line %u); give each a different `name:`",
                     P->Name, Other->Line);
            return false;
        }
    return true;
}

static bool ScnLoadThread(SCN_LOADER *L, const SCN_NODE *Node, SCN_PROCESS *P, SCN_THREAD *T)
{
    static const char *const Keys[] = { "name", "count", "repeat", "actions", NULL };
    if (!ScnNeed(L, Node, ScnMapping, "a thread") || !ScnCheckKeys(L, Node, "a thread", Keys))
        return false;
    T->Line = Node->Line;
    T->Column = Node->Column;
    T->Count = 1;
    T->Repeat = 1;
    uint64_t V;
    const SCN_NODE *Name = ScnGet(Node, "name"), *Count = ScnGet(Node, "count"), *Repeat = ScnGet(Node, "repeat");
    if (Name != NULL && !ScnGetName(L, Name, "a thread name"))
        return false;
    if (Count != NULL) {
        if (!ScnGetUnsigned(L, Count, "count", 1, 1000, &V))
            return false;
        T->Count = (uint32_t)V;
    }
    if (Repeat != NULL) {
        if (!ScnGetUnsigned(L, Repeat, "repeat", 1, 100000000, &V))
            return false;
        T->Repeat = (uint32_t)V;
    }
    const SCN_NODE *Actions = ScnGet(Node, "actions");
    if (Actions == NULL) {
        ScnError(L, Node, "a thread needs `actions:` (a list; [] for none)");
        return false;
    }
    return ScnLoadActions(L, Actions, P, T, &T->Actions, &T->ActionCount, 0);
}

static bool ScnLoadProcessBody(SCN_LOADER *L, const SCN_NODE *Node, SCN_PROCESS *P)
{
    const SCN_NODE *Parent = ScnGet(Node, "parent");
    if (Parent != NULL) {
        P->Parent = ScnFindProcess(L, Parent, "parent");
        if (P->Parent < 0)
            return false;
        if (&L->Scenario->Processes[P->Parent] == P) {
            ScnError(L, Parent, "a process cannot be its own parent");
            return false;
        }
    }
    const SCN_NODE *Threads = ScnGet(Node, "threads"), *Actions = ScnGet(Node, "actions");
    if (Threads != NULL && Actions != NULL) {
        ScnError(L, Actions, "give `threads:` or `actions:` (one thread), not both");
        return false;
    }
    if (Threads == NULL && Actions == NULL) {
        P->ThreadCount = 1;
        P->Threads = calloc(1, sizeof(SCN_THREAD));
        if (P->Threads == NULL)
            return ScnError(L, Node, "out of memory"), false;
        P->Threads[0] = (SCN_THREAD){ Node->Line, Node->Column, 1, 1, NULL, 0, 0, NULL, NULL };
    } else if (Actions != NULL) {
        P->ThreadCount = 1;
        P->Threads = calloc(1, sizeof(SCN_THREAD));
        if (P->Threads == NULL)
            return ScnError(L, Node, "out of memory"), false;
        P->Threads[0] = (SCN_THREAD){ Actions->Line, Actions->Column, 1, 1, NULL, 0, 0, NULL, NULL };
        if (!ScnLoadActions(L, Actions, P, &P->Threads[0], &P->Threads[0].Actions, &P->Threads[0].ActionCount, 0))
            return false;
    } else {
        if (!ScnNeed(L, Threads, ScnSequence, "threads"))
            return false;
        if (Threads->Count == 0 || Threads->Count > 64) {
            ScnError(L, Threads, "a process has 1 to 64 thread definitions");
            return false;
        }
        P->Threads = calloc(Threads->Count, sizeof(SCN_THREAD));
        if (P->Threads == NULL)
            return ScnError(L, Node, "out of memory"), false;
        P->ThreadCount = Threads->Count;
        for (size_t i = 0; i < Threads->Count; i++)
            if (!ScnLoadThread(L, Threads->Items[i], P, &P->Threads[i]))
                return false;
    }
    uint64_t Total = 0;
    for (size_t i = 0; i < P->ThreadCount; i++)
        Total += P->Threads[i].Count;
    if (Total > 1000) {
        ScnError(L, Threads ? Threads : Node, "a process has at most 1000 threads (counts included)");
        return false;
    }
    P->ThreadTotal = (uint32_t)Total;
    return true;
}

/* ---- parents and spawns: no cycles -------------------------------------------------------------- */

/* Edges: a parent creates its children, a thread spawns a definition. */
static bool ScnCreates(const NTPS_SCENARIO *S, size_t From, size_t To)
{
    if (S->Processes[To].Parent == (int)From && !S->Processes[To].Spawned)
        return true;
    return ScnSpawns(&S->Processes[From], (int)To);
}

static bool ScnFindCycle(SCN_LOADER *L, size_t At, unsigned char *State, size_t *Path, size_t Depth)
{
    const NTPS_SCENARIO *S = L->Scenario;
    State[At] = 1;
    Path[Depth] = At;
    for (size_t To = 0; To < S->ProcessCount; To++) {
        if (!ScnCreates(S, At, To))
            continue;
        if (State[To] == 1) {
            char Text[512];
            size_t n = 0, Start = 0;
            while (Path[Start] != To)
                Start++;
            for (size_t i = Start; i <= Depth && n < sizeof(Text) - 80; i++)
                n += (size_t)snprintf(Text + n, sizeof(Text) - n, "%s -> ", S->Processes[Path[i]].Name);
            snprintf(Text + n, sizeof(Text) - n, "%s", S->Processes[To].Name);
            const SCN_PROCESS *P = &S->Processes[To];
            L->Failed = false;
            snprintf(L->Error, L->ErrorSize, "%s:%u:%u: processes create each other in a cycle: %s (parent: and "
                     "spawn: would create processes for ever)", S->File, P->Line, P->Column, Text);
            L->Failed = true;
            return true;
        }
        if (State[To] == 0 && ScnFindCycle(L, To, State, Path, Depth + 1))
            return true;
    }
    State[At] = 2;
    return false;
}

static bool ScnCheckCycles(SCN_LOADER *L)
{
    size_t n = L->Scenario->ProcessCount;
    unsigned char *State = calloc(n + 1, 1);
    size_t *Path = calloc(n + 1, sizeof(size_t));
    bool Cycle = false;
    if (State == NULL || Path == NULL) {
        ScnError(L, NULL, "out of memory");
        Cycle = true;
    }
    for (size_t i = 0; i < n && !Cycle; i++)
        if (State[i] == 0)
            Cycle = ScnFindCycle(L, i, State, Path, 0);
    free(State);
    free(Path);
    return !Cycle;
}

/* ---- the scenario --------------------------------------------------------------------------------- */

static bool ScnLoadList(SCN_LOADER *L, const SCN_NODE *Node, const char *What, size_t Size, void **Items,
                        size_t *Count)
{
    if (!ScnNeed(L, Node, ScnSequence, What))
        return false;
    if (Node->Count > 100000) {
        ScnError(L, Node, "%s has more than 100000 items", What);
        return false;
    }
    *Items = calloc(Node->Count + 1, Size);
    if (*Items == NULL) {
        ScnError(L, Node, "out of memory");
        return false;
    }
    *Count = Node->Count;
    return true;
}

static bool ScnLoadTree(SCN_LOADER *L, const SCN_NODE *Root)
{
    static const char *const Keys[] = { "name", "description", "objects", "processes", "expect", NULL };
    NTPS_SCENARIO *S = L->Scenario;
    if (Root->Kind != ScnMapping) {
        ScnError(L, Root, "a scenario is a mapping with `processes:` (and optionally name, description, objects, "
                 "expect), not %s", ScnKindName(Root));
        return false;
    }
    if (!ScnCheckKeys(L, Root, "the scenario", Keys))
        return false;
    const SCN_NODE *Name = ScnGet(Root, "name"), *Description = ScnGet(Root, "description");
    if (Name != NULL && (!ScnNeed(L, Name, ScnScalar, "name") || (S->Name = ScnDup(L, Name)) == NULL))
        return false;
    if (Description != NULL && !ScnNeed(L, Description, ScnScalar, "description"))
        return false;
    const SCN_NODE *Objects = ScnGet(Root, "objects");
    if (Objects != NULL) {
        if (!ScnLoadList(L, Objects, "objects", sizeof(SCN_OBJECT), (void **)&S->Objects, &S->ObjectCount))
            return false;
        for (size_t i = 0; i < S->ObjectCount; i++)
            if (!ScnLoadObject(L, Objects->Items[i], &S->Objects[i]))
                return false;
    }
    const SCN_NODE *Processes = ScnGet(Root, "processes");
    if (Processes == NULL) {
        ScnError(L, Root, "a scenario needs `processes:` (a list)");
        return false;
    }
    size_t Count;
    if (!ScnLoadList(L, Processes, "processes", sizeof(SCN_PROCESS), (void **)&S->Processes, &Count))
        return false;
    /* Headers first (names), counted as they load so that a failure frees what exists. */
    for (size_t i = 0; i < Count; i++) {
        S->ProcessCount = i + 1;
        if (!ScnLoadProcessHeader(L, Processes->Items[i], &S->Processes[i]))
            return false;
    }
    for (size_t i = 0; i < Count; i++)
        if (!ScnLoadProcessBody(L, Processes->Items[i], &S->Processes[i]))
            return false;
    /* A definition spawned by an action is created only that way. */
    for (size_t i = 0; i < Count; i++)
        for (size_t j = 0; j < Count; j++)
            if (ScnSpawns(&S->Processes[j], (int)i))
                S->Processes[i].Spawned = true;
    for (size_t i = 0; i < Count; i++)
        if (S->Processes[i].Spawned && S->Processes[i].Parent >= 0) {
            ScnError(L, ScnGet(Processes->Items[i], "parent"), "'%s' is created by spawn actions, so its parent is "
                     "the process that spawns it: remove `parent:`", S->Processes[i].Name);
            return false;
        }
    if (!ScnCheckCycles(L))
        return false;
    const SCN_NODE *Expect = ScnGet(Root, "expect");
    if (Expect != NULL) {
        if (!ScnLoadList(L, Expect, "expect", sizeof(SCN_EXPECT), (void **)&S->Expects, &S->ExpectCount))
            return false;
        for (size_t i = 0; i < S->ExpectCount; i++)
            if (!ScnLoadExpect(L, Expect->Items[i], &S->Expects[i]))
                return false;
    }
    return true;
}

NTPS_SCENARIO *NtpsScenarioLoadText(const char *File, const char *Text, size_t Length, char *Error, size_t ErrorSize)
{
    SCN_NODE *Root = ScnParseYaml(File, Text, Length, Error, ErrorSize);
    if (Root == NULL)
        return NULL;
    NTPS_SCENARIO *S = calloc(1, sizeof(*S));
    if (S == NULL || (S->File = strdup(File)) == NULL) {
        free(S);
        ScnFreeNode(Root);
        snprintf(Error, ErrorSize, "%s: out of memory", File);
        return NULL;
    }
    SCN_LOADER L = { S, Error, ErrorSize, false };
    bool Loaded = ScnLoadTree(&L, Root);
    ScnFreeNode(Root);
    if (!Loaded) {
        NtpsScenarioFree(S);
        return NULL;
    }
    if (S->Name == NULL) {
        const char *Base = strrchr(File, '/');
        S->Name = strdup(Base ? Base + 1 : File);
    }
    return S;
}

NTPS_SCENARIO *NtpsScenarioLoadFile(const char *Path, char *Error, size_t ErrorSize)
{
    FILE *F = fopen(Path, "rb");
    if (F == NULL) {
        snprintf(Error, ErrorSize, "%s: cannot open: %s", Path, strerror(errno));
        return NULL;
    }
    size_t Capacity = 65536, Length = 0;
    char *Text = malloc(Capacity);
    size_t n;
    while (Text != NULL && (n = fread(Text + Length, 1, Capacity - Length, F)) > 0) {
        Length += n;
        if (Length == Capacity) {
            if (Capacity >= (64u << 20)) {
                free(Text);
                fclose(F);
                snprintf(Error, ErrorSize, "%s: larger than 64 MiB", Path);
                return NULL;
            }
            char *Bigger = realloc(Text, Capacity *= 2);
            if (Bigger == NULL)
                free(Text);
            Text = Bigger;
        }
    }
    bool ReadError = ferror(F);
    fclose(F);
    if (Text == NULL || ReadError) {
        free(Text);
        snprintf(Error, ErrorSize, "%s: cannot read", Path);
        return NULL;
    }
    NTPS_SCENARIO *S = NtpsScenarioLoadText(Path, Text, Length, Error, ErrorSize);
    free(Text);
    return S;
}

static void ScnFreeActions(SCN_ACTION *Actions, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        free(Actions[i].String);
        free(Actions[i].ValueName);
        for (unsigned a = 0; a < Actions[i].ArgCount; a++)
            free(Actions[i].RunArgs[a].Text);
        free(Actions[i].RunArgs);
        free(Actions[i].Data);
        ScnFreeActions(Actions[i].Body, Actions[i].BodyCount);
    }
    free(Actions);
}

void NtpsScenarioFree(NTPS_SCENARIO *S)
{
    if (S == NULL)
        return;
    for (size_t i = 0; i < S->ObjectCount; i++)
        free(S->Objects[i].Name);
    for (size_t i = 0; i < S->ProcessCount; i++) {
        SCN_PROCESS *P = &S->Processes[i];
        for (size_t t = 0; t < P->ThreadCount; t++) {
            ScnFreeActions(P->Threads[t].Actions, P->Threads[t].ActionCount);
            for (unsigned l = 0; l < P->Threads[t].LocalCount; l++)
                free(P->Threads[t].LocalNames[l]);
            free(P->Threads[t].LocalNames);
            free(P->Threads[t].LocalKinds);
        }
        free(P->Threads);
        free(P->Name);
        free(P->Image);
        free(P->CommandLine);
    }
    for (size_t i = 0; i < S->ExpectCount; i++) {
        free(S->Expects[i].Driver);
        free(S->Expects[i].Bytes);
    }
    for (size_t i = 0; i < S->RecordCount; i++)
        free(S->Records[i]);
    free(S->Records);
    free(S->Objects);
    free(S->Processes);
    free(S->Expects);
    free(S->Name);
    free(S->File);
    free(S);
}

const char *NtpsScenarioName(const NTPS_SCENARIO *Scenario)
{
    return Scenario->Name;
}
