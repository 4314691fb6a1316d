/*
 * host/scnuserload.c - loading the action run (docs/scenarios.md, "Running
 * a client"): a Win32 program given with `ntps run --user`, started from
 * the scenario thread with arguments, some of which may be the PID of a
 * scenario process's instance ({pid: notepad.exe}), and waited for. Its
 * exit code is the action's status: 0 (STATUS_SUCCESS) unless `expect:`
 * says otherwise.
 *
 * The image is found when the action runs (`ntps scenario check` has no
 * images). Like the rest of the loader this uses only the C library.
 */
#include "host/scnload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCN_MAX_ARGS 32

static bool ScnLoadArg(SCN_LOADER *L, const SCN_NODE *Node, SCN_ARG *Arg)
{
    Arg->Process = -1;
    if (Node->Kind == ScnScalar) {
        if (strlen(Node->Value) > 1000) {
            ScnError(L, Node, "run: an argument has at most 1000 characters");
            return false;
        }
        return (Arg->Text = ScnDup(L, Node)) != NULL;
    }
    static const char *const Keys[] = { "pid", "instance", NULL };
    if (!ScnNeed(L, Node, ScnMapping, "an argument") || !ScnCheckKeys(L, Node, "an argument", Keys))
        return false;
    const SCN_NODE *Pid = ScnGet(Node, "pid"), *Instance = ScnGet(Node, "instance");
    if (Pid == NULL) {
        ScnError(L, Node, "run: an argument is text, or {pid: PROCESS} (the PID of its instance 0, or "
                 "`instance:`)");
        return false;
    }
    if ((Arg->Process = ScnFindProcess(L, Pid, "pid")) < 0)
        return false;
    L->Scenario->Processes[Arg->Process].Tracked = true;
    return ScnGetInstance(L, Instance, Arg->Process, &Arg->Instance);
}

/* run: IMAGE / run: {image: IMAGE, args: [text, {pid: P}, ...]} */
bool ScnLoadRunAction(SCN_LOADER *L, const SCN_NODE *V, SCN_ACTION *A)
{
    static const char *const Keys[] = { "image", "args", NULL };
    const SCN_NODE *Image = V, *Args = NULL;
    if (V->Kind == ScnMapping) {
        if (!ScnCheckKeys(L, V, "run", Keys))
            return false;
        Image = ScnGet(V, "image");
        Args = ScnGet(V, "args");
        if (Image == NULL) {
            ScnError(L, V, "run needs `image:` (the file name of a --user image, e.g. client.exe.so)");
            return false;
        }
    }
    if (!ScnNeed(L, Image, ScnScalar, "run: image") || (A->String = ScnDup(L, Image)) == NULL)
        return false;
    if (A->String[0] == 0 || strlen(A->String) > 255) {
        ScnError(L, Image, "run: image is the file name of a --user image (1 to 255 characters)");
        return false;
    }
    A->ExpectCount = 1;         /* the program's exit code: 0 unless `expect:` says otherwise */
    A->Expect[0] = 0;
    if (Args == NULL)
        return true;
    size_t n = Args->Kind == ScnSequence ? Args->Count : 1;
    if (n > SCN_MAX_ARGS) {
        ScnError(L, Args, "run: at most %d arguments", SCN_MAX_ARGS);
        return false;
    }
    if ((A->RunArgs = calloc(n, sizeof(SCN_ARG))) == NULL) {
        ScnError(L, Args, "out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        A->ArgCount = (unsigned)i + 1;      /* what to free if this one fails */
        if (!ScnLoadArg(L, Args->Kind == ScnSequence ? Args->Items[i] : Args, &A->RunArgs[i]))
            return false;
    }
    return true;
}
