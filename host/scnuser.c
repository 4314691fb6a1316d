/*
 * host/scnuser.c - the action run at run time: a --user image of the
 * command line (host/user.c) started from the scenario thread as a Win32
 * process (its parent is the scenario process) with the action's
 * arguments, a {pid: P} argument being the decimal PID of that instance
 * now, and waited for; its exit code is the action's status. So a
 * driver's published client runs at a chosen point of the workload (add
 * a PID to protect, then have another process try to terminate it), and
 * `ntps run` does not run that image again after the scenario.
 */
#include "host/scnp.h"
#include "host/host.h"
#include "ps/ps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The arguments as text (Argv[0] NULL: the program's name); FALSE with
 * STATUS_INVALID_CID when a {pid:} instance does not exist (yet). */
static NTSTATUS ScnRunArguments(const SCN_ACTION *A, char **Argv, char (*Pids)[24])
{
    Argv[0] = NULL;
    for (unsigned i = 0; i < A->ArgCount; i++) {
        const SCN_ARG *Arg = &A->RunArgs[i];
        if (Arg->Text != NULL) {
            Argv[i + 1] = Arg->Text;
            continue;
        }
        SCN_INSTANCE *I = ScnFindInstance(Arg->Process, Arg->Instance);
        void *Pid = I != NULL ? __atomic_load_n(&I->ProcessId, __ATOMIC_ACQUIRE) : NULL;
        if (Pid == NULL)
            return STATUS_INVALID_CID;
        snprintf(Pids[i], sizeof(Pids[i]), "%lu", (unsigned long)(ULONG_PTR)Pid);
        Argv[i + 1] = Pids[i];
    }
    Argv[A->ArgCount + 1] = NULL;
    return STATUS_SUCCESS;
}

int32_t ScnRunUserImage(SCN_THREAD_STATE *T, const SCN_ACTION *A)
{
    NTPS_USER_IMAGE *Image = NtpsFindUserImage(A->String, TRUE);
    if (Image == NULL) {
        RtlpReport("ntps: scenario: %s:%u:%u: run: no --user image named %s (give it with `ntps run --user "
                   "PATH/%s`)\n", ScnCurrent()->File, A->Line, A->Column, A->String, A->String);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    char **Argv = calloc(A->ArgCount + 2, sizeof(char *));
    char (*Pids)[24] = calloc(A->ArgCount + 1, sizeof(*Pids));
    NTSTATUS Status = Argv != NULL && Pids != NULL ? ScnRunArguments(A, Argv, Pids) : STATUS_NO_MEMORY;
    HANDLE Process = NULL;
    CLIENT_ID Cid = { 0 };
    if (NT_SUCCESS(Status))
        Status = NtpsStartUserImage(Image, (int)A->ArgCount + 1, Argv, &Process, &Cid);
    free(Argv);
    free(Pids);
    if (!NT_SUCCESS(Status))
        return Status;
    NtWaitForSingleObject(Process, FALSE, NULL);
    PEPROCESS Object;
    Status = STATUS_UNSUCCESSFUL;
    if (NT_SUCCESS(ObReferenceObjectByHandle(Process, 0, *PsProcessType, KernelMode, (PVOID *)&Object, NULL))) {
        Status = PsGetProcessExitStatus(Object);
        ObDereferenceObject(Object);
    }
    NtClose(Process);
    RtlpReport("scenario: %s #%u (PID %lu) thread %lu: run %s: PID %lu exited with %d (0x%x)\n",
               T->Instance->Def->Name, T->Instance->Index, (unsigned long)(ULONG_PTR)PsGetCurrentProcessId(),
               (unsigned long)T->Index, A->String, (unsigned long)(ULONG_PTR)Cid.UniqueProcess, (int)Status,
               (unsigned)Status);
    return Status;
}
