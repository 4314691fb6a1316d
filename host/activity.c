/*
 * host/activity.c - the record of every process and thread a run creates,
 * ended ones included: kept by the routines the host registers with Ps
 * (PsActivityHooks), which are not driver callbacks (no notify table, no
 * verifier frame, not counted). Records are appended under one host
 * mutex; an EPROCESS or ETHREAD holds its record's index + 1.
 */
#include "host/activity.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

HOST_ACTIVITY HostActivity;
static pthread_mutex_t HostActivityLock = PTHREAD_MUTEX_INITIALIZER;

static BOOLEAN HostGrow(void **Array, ULONG *Capacity, ULONG Needed, size_t Size)
{
    if (Needed <= *Capacity)
        return TRUE;
    ULONG New = *Capacity ? *Capacity * 2 : 256;
    while (New < Needed)
        New *= 2;
    void *Grown = realloc(*Array, (size_t)New * Size);
    if (Grown == NULL)
        return FALSE;
    memset((char *)Grown + (size_t)*Capacity * Size, 0, (size_t)(New - *Capacity) * Size);
    *Array = Grown;
    *Capacity = New;
    return TRUE;
}

static char *HostUtf8Path(PCUNICODE_STRING Name)
{
    USHORT Count = Name->Buffer != NULL ? Name->Length / sizeof(WCHAR) : 0;
    char *Text = malloc((size_t)Count + 1);
    if (Text == NULL)
        return NULL;
    for (USHORT i = 0; i < Count; i++) {
        WCHAR c = Name->Buffer[i];
        Text[i] = c == 0 ? ' ' : c < 0x20 || c > 0x7E ? '?' : (char)c;   /* WSL separates arguments with NUL */
    }
    Text[Count] = 0;
    return Text;
}

/* The record of Process, made now if it has none (a thread of it may be
 * reported first: the System process's, a new process's initial thread).
 * HostActivityLock held. */
static ULONG HostProcessRecordLocked(EPROCESS *Process)
{
    ULONG Index = __atomic_load_n(&Process->ActivityRecord, __ATOMIC_ACQUIRE);
    if (Index != 0)
        return Index - 1;
    HOST_ACTIVITY *A = &HostActivity;
    if (!HostGrow((void **)&A->Processes, &A->ProcessCapacity, A->ProcessCount + 1, sizeof(HOST_PROCESS_RECORD)))
        return HOST_NO_RECORD;
    ULONG Pid = (ULONG)(ULONG_PTR)Process->UniqueProcessId;
    ULONG ParentPid = (ULONG)(ULONG_PTR)Process->InheritedFromUniqueProcessId;
    HOST_PROCESS_RECORD *R = &A->Processes[A->ProcessCount];
    memset(R, 0, sizeof(*R));
    R->Pid = Pid;
    R->ParentPid = ParentPid;
    R->Parent = HOST_NO_RECORD;
    if (ParentPid / 4 < A->LiveByPidSize && A->LiveByPid[ParentPid / 4] != 0 && ParentPid != Pid)
        R->Parent = A->LiveByPid[ParentPid / 4] - 1;
    R->Subsystem = (ULONG)Process->Subsystem;
    R->System = Process == (EPROCESS *)PsInitialSystemProcess;
    R->ExitStatus = STATUS_PENDING;
    R->CreateTime = KiQueryInterruptTime();
    memcpy(R->Image, Process->ImageFileName, sizeof(Process->ImageFileName));
    R->Image[sizeof(R->Image) - 1] = 0;
    R->Path = R->System ? NULL : HostUtf8Path(&Process->ImagePathName);
    Index = A->ProcessCount;
    __atomic_store_n(&A->ProcessCount, Index + 1, __ATOMIC_RELEASE);     /* the status line reads it */
    if (HostGrow((void **)&A->LiveByPid, &A->LiveByPidSize, Pid / 4 + 1, sizeof(ULONG)))
        A->LiveByPid[Pid / 4] = Index + 1;
    __atomic_add_fetch(&A->LiveProcesses, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&Process->ActivityRecord, Index + 1, __ATOMIC_RELEASE);
    return Index;
}

static VOID HostProcessCreated(EPROCESS *Process)
{
    pthread_mutex_lock(&HostActivityLock);
    ULONG Index = HostProcessRecordLocked(Process);
    pthread_mutex_unlock(&HostActivityLock);
    if (Index != HOST_NO_RECORD)
        HostTraceProcess(Index, TRUE);
}

static VOID HostProcessExited(EPROCESS *Process)
{
    ULONG Index = __atomic_load_n(&Process->ActivityRecord, __ATOMIC_ACQUIRE) - 1;
    HOST_ACTIVITY *A = &HostActivity;
    pthread_mutex_lock(&HostActivityLock);
    HOST_PROCESS_RECORD *R = &A->Processes[Index];
    if (!R->Ended) {
        R->Ended = TRUE;
        R->ExitStatus = Process->ExitStatus;
        R->ExitTime = KiQueryInterruptTime();
        if (R->Pid / 4 < A->LiveByPidSize && A->LiveByPid[R->Pid / 4] == Index + 1)
            A->LiveByPid[R->Pid / 4] = 0;
        __atomic_sub_fetch(&A->LiveProcesses, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&HostActivityLock);
    HostTraceProcess(Index, FALSE);
}

static VOID HostThreadCreated(ETHREAD *Thread)
{
    HOST_ACTIVITY *A = &HostActivity;
    pthread_mutex_lock(&HostActivityLock);
    ULONG Process = HostProcessRecordLocked(PspThreadProcess(Thread));
    if (Process != HOST_NO_RECORD &&
        HostGrow((void **)&A->Threads, &A->ThreadCapacity, A->ThreadCount + 1, sizeof(HOST_THREAD_RECORD))) {
        HOST_THREAD_RECORD *R = &A->Threads[A->ThreadCount];
        memset(R, 0, sizeof(*R));
        R->Tid = (ULONG)(ULONG_PTR)Thread->Cid.UniqueThread;
        R->Process = Process;
        R->System = Thread->SystemThread;
        R->ExitStatus = STATUS_PENDING;
        R->CreateTime = KiQueryInterruptTime();
        A->Processes[Process].Threads++;
        A->Processes[Process].LiveThreads++;
        __atomic_store_n(&A->ThreadCount, A->ThreadCount + 1, __ATOMIC_RELEASE);
        __atomic_store_n(&Thread->ActivityRecord, A->ThreadCount, __ATOMIC_RELEASE);
        __atomic_add_fetch(&A->LiveThreads, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&HostActivityLock);
}

static VOID HostThreadExited(ETHREAD *Thread)
{
    ULONG Index = __atomic_load_n(&Thread->ActivityRecord, __ATOMIC_ACQUIRE) - 1;
    HOST_ACTIVITY *A = &HostActivity;
    pthread_mutex_lock(&HostActivityLock);
    HOST_THREAD_RECORD *R = &A->Threads[Index];
    if (!R->Ended) {
        R->Ended = TRUE;
        R->ExitStatus = Thread->ExitStatus;
        R->ExitTime = KiQueryInterruptTime();
        A->Processes[R->Process].LiveThreads--;
        __atomic_sub_fetch(&A->LiveThreads, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&HostActivityLock);
}

/* The initial system thread (the host's, running HostPhase1) is created
 * before the hooks could see it. */
VOID HostRecordCurrentThread(VOID)
{
    ETHREAD *Thread = PspCurrentThread();
    if (PsActivityHooks.ThreadCreated != NULL && __atomic_load_n(&Thread->ActivityRecord, __ATOMIC_ACQUIRE) == 0)
        HostThreadCreated(Thread);
}

VOID HostStartActivity(VOID)
{
    HostFreeActivity();
    PsActivityHooks = (PS_ACTIVITY_HOOKS){ HostProcessCreated, HostProcessExited, HostThreadCreated,
                                           HostThreadExited };
}

VOID HostFreeActivity(VOID)
{
    HOST_ACTIVITY *A = &HostActivity;
    memset(&PsActivityHooks, 0, sizeof(PsActivityHooks));
    for (ULONG i = 0; i < A->ProcessCount; i++)
        free(A->Processes[i].Path);
    free(A->Processes);
    free(A->Threads);
    free(A->LiveByPid);
    memset(A, 0, sizeof(*A));
}
