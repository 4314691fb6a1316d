/*
 * host/scnthread.c - the scenario's threads: user-mode code of user
 * processes, interpreting their definition's actions through the Nt
 * services (so every call has PreviousMode UserMode, as from ntdll).
 *
 * ntps builds this file without the preemption-point plugin, so the
 * interpreter polls for preemption itself: after each action, and on
 * every iteration of a spin.
 */
#include "host/scnp.h"
#include "ps/ps.h"

#include <string.h>

VOID KiQueryThreadTimes(PKTHREAD Thread, PULONGLONG KernelTime, PULONGLONG UserTime);

static inline void ScnPoint(void)
{
    if (__builtin_expect(__atomic_load_n(&__ntps_poll, __ATOMIC_RELAXED) != 0, 0))
        __ntps_preempt();
}

/* A declared object's handle in this thread, opened by name on first use
 * (the controller created it and keeps it until the end). */
static NTSTATUS ScnObjectHandle(SCN_THREAD_STATE *T, int Index, PHANDLE Handle)
{
    if (T->Objects[Index] != NULL) {
        *Handle = T->Objects[Index];
        return STATUS_SUCCESS;
    }
    const SCN_OBJECT *O = &ScnCurrent()->Objects[Index];
    WCHAR Buffer[96];
    const char *Prefix = "\\BaseNamedObjects\\";
    size_t n = 0;
    for (const char *c = Prefix; *c; c++)
        Buffer[n++] = (WCHAR)*c;
    for (const char *c = O->Name; *c && n < 95; c++)
        Buffer[n++] = (WCHAR)*c;
    UNICODE_STRING Name = { (USHORT)(n * 2), (USHORT)(n * 2), Buffer };
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Name, 0, NULL, NULL);
    NTSTATUS Status;
    HANDLE Opened = NULL;
    if (O->Kind == ScnObjEvent)
        Status = NtOpenEvent(&Opened, EVENT_ALL_ACCESS, &Attributes);
    else if (O->Kind == ScnObjMutex)
        Status = NtOpenMutant(&Opened, MUTANT_ALL_ACCESS, &Attributes);
    else
        Status = NtOpenSemaphore(&Opened, SEMAPHORE_ALL_ACCESS, &Attributes);
    if (NT_SUCCESS(Status))
        T->Objects[Index] = *Handle = Opened;
    return Status;
}

static NTSTATUS ScnHandle(SCN_THREAD_STATE *T, const SCN_HANDLE_REF *Ref, PHANDLE Handle)
{
    if (Ref->Self) {
        *Handle = Ref->Kind == ScnHandleThread ? NtCurrentThread() : NtCurrentProcess();
        return STATUS_SUCCESS;
    }
    if (Ref->Object >= 0)
        return ScnObjectHandle(T, Ref->Object, Handle);
    *Handle = T->Locals[Ref->Local];
    return *Handle != NULL ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

static VOID ScnSetLocal(SCN_THREAD_STATE *T, int Slot, HANDLE Handle)
{
    if (T->Locals[Slot] != NULL && T->Locals[Slot] != SCN_ABSENT_DEVICE)
        NtClose(T->Locals[Slot]);
    T->Locals[Slot] = Handle;
}

static VOID ScnSpin(const SCN_ACTION *A)
{
    volatile ULONG64 Work = 0;
    if (A->Iterations != 0) {
        for (ULONG64 i = 0; i < A->Iterations; i++) {
            Work += i;
            ScnPoint();
        }
        return;
    }
    PKTHREAD Self = KeGetCurrentThread();
    ULONGLONG Kernel, User;
    KiQueryThreadTimes(Self, &Kernel, &User);
    ULONGLONG Until = Kernel + User + A->Duration;
    for (ULONG64 i = 0;; i++) {
        Work += i;
        ScnPoint();
        if ((i & 15) == 15) {
            KiQueryThreadTimes(Self, &Kernel, &User);
            if (Kernel + User >= Until)
                return;
        }
    }
}

static NTSTATUS ScnWait(SCN_THREAD_STATE *T, const SCN_ACTION *A)
{
    HANDLE Handles[SCN_MAX_WAIT];
    for (unsigned i = 0; i < A->HandleCount; i++) {
        NTSTATUS Status = ScnHandle(T, &A->Handles[i], &Handles[i]);
        if (!NT_SUCCESS(Status))
            return Status;
    }
    LARGE_INTEGER Timeout = { .QuadPart = -(LONGLONG)A->Duration };
    if (A->HandleCount == 1)
        return NtWaitForSingleObject(Handles[0], A->Alertable, A->Timeout ? &Timeout : NULL);
    return NtWaitForMultipleObjects(A->HandleCount, Handles, A->All ? WaitAll : WaitAny, A->Alertable,
                                    A->Timeout ? &Timeout : NULL);
}

static NTSTATUS ScnOpen(SCN_THREAD_STATE *T, const SCN_ACTION *A)
{
    SCN_INSTANCE *Target = ScnFindInstance(A->Process, A->Instance);
    CLIENT_ID Cid = { NULL, NULL };
    if (Target != NULL && A->Kind == ScnActOpenProcess)
        Cid.UniqueProcess = __atomic_load_n(&Target->ProcessId, __ATOMIC_ACQUIRE);
    else if (Target != NULL && (ULONG)A->Thread < Target->Def->ThreadTotal)
        Cid.UniqueThread = __atomic_load_n(&Target->Threads[A->Thread].ThreadId, __ATOMIC_ACQUIRE);
    if (Cid.UniqueProcess == NULL && Cid.UniqueThread == NULL)
        return STATUS_INVALID_CID;     /* not created (yet), or that thread never ran */
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    HANDLE Handle = NULL;
    NTSTATUS Status = A->Kind == ScnActOpenProcess ? NtOpenProcess(&Handle, A->Access, &Attributes, &Cid)
                                                   : NtOpenThread(&Handle, A->Access, &Attributes, &Cid);
    if (NT_SUCCESS(Status))
        ScnSetLocal(T, A->Local, Handle);
    return Status;
}

static NTSTATUS ScnQuery(SCN_THREAD_STATE *T, const SCN_ACTION *A)
{
    HANDLE Handle;
    NTSTATUS Status = ScnHandle(T, &A->Handles[0], &Handle);
    if (!NT_SUCCESS(Status))
        return Status;
    /* As a caller that does not know the class's size: a fixed-size class
     * wants exactly its size and does not say it, a string class says
     * what it needs. */
    static const ULONG Sizes[] = { sizeof(ULONG64) * 128, 1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 96, 128 };
    ULONG64 Buffer[128];
    for (ULONG i = 0; i < RTL_NUMBER_OF(Sizes); i++) {
        ULONG Length = 0;
        if (A->Handles[0].Kind == ScnHandleThread)
            Status = NtQueryInformationThread(Handle, (THREADINFOCLASS)A->Class, Buffer, Sizes[i], &Length);
        else
            Status = NtQueryInformationProcess(Handle, (PROCESSINFOCLASS)A->Class, Buffer, Sizes[i], &Length);
        if (Status != STATUS_INFO_LENGTH_MISMATCH)
            break;
    }
    return Status;
}

static NTSTATUS ScnLoadImage(const SCN_ACTION *A)
{
    WCHAR Buffer[1040];
    size_t n = 0;
    const char *Path = A->String;
    BOOLEAN Drive = ((Path[0] | 0x20) >= 'a' && (Path[0] | 0x20) <= 'z') && Path[1] == ':';
    if (Drive)
        for (const char *c = "\\??\\"; *c; c++)
            Buffer[n++] = (WCHAR)*c;
    for (const char *c = Path; *c && n < 1030; c++)
        Buffer[n++] = (unsigned char)*c < 0x80 ? (WCHAR)*c : L'?';
    UNICODE_STRING Name = { (USHORT)(n * 2), (USHORT)(n * 2), Buffer };
    return NtpsLoadImage(&Name, NULL);
}

static VOID ScnLog(SCN_THREAD_STATE *T, const SCN_ACTION *A)
{
    RtlpReport("scenario: %s #%u (PID %lu) thread %lu: %s\n", T->Instance->Def->Name, T->Instance->Index,
               (unsigned long)(ULONG_PTR)PsGetCurrentProcessId(), (unsigned long)T->Index, A->String);
}

static VOID ScnCheck(SCN_THREAD_STATE *T, const SCN_ACTION *A, NTSTATUS Status)
{
    ScnCountAction();
    if (A->ExpectAny)
        return;
    BOOLEAN Ok = A->ExpectCount == 0 ? NT_SUCCESS(Status) : FALSE;
    for (unsigned i = 0; i < A->ExpectCount; i++)
        Ok = Ok || Status == A->Expect[i];
    if (!Ok)
        ScnActionFailed(A, T, Status, 0, false);
}

/* An action on the handle of an optional device that is absent is
 * skipped: not run, not checked. */
static BOOLEAN ScnSkipped(SCN_THREAD_STATE *T, const SCN_ACTION *A)
{
    for (unsigned i = 0; i < A->HandleCount; i++)
        if (A->Handles[i].Local >= 0 && !A->Handles[i].Self && T->Locals[A->Handles[i].Local] == SCN_ABSENT_DEVICE)
            return TRUE;
    return FALSE;
}

static int32_t ScnRemoteThreadMain(void *Parameter)
{
    (void)Parameter;
    return 0;
}

static NTSTATUS ScnCreateRemoteThread(SCN_THREAD_STATE *T, const SCN_ACTION *A, HANDLE Process)
{
    HANDLE Thread = NULL;
    NTSTATUS Status = RtlCreateUserThread(Process, NULL, FALSE, 0, 0, 0,
                                          (PUSER_THREAD_START_ROUTINE)(PVOID)ScnRemoteThreadMain, NULL, &Thread,
                                          NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    ScnCountThread();
    if (A->Local >= 0)
        ScnSetLocal(T, A->Local, Thread);
    else
        NtClose(Thread);
    return STATUS_SUCCESS;
}

/* Runs the actions; TRUE when an exit action ends the thread (*Exit). */
static BOOLEAN ScnRunActions(SCN_THREAD_STATE *T, const SCN_ACTION *Actions, size_t Count, NTSTATUS *Exit)
{
    for (size_t i = 0; i < Count; i++) {
        const SCN_ACTION *A = &Actions[i];
        __atomic_store_n(&T->Current, A, __ATOMIC_RELEASE);
        NTSTATUS Status = STATUS_SUCCESS;
        HANDLE Handle = NULL;
        if (A->HandleCount != 0 && ScnSkipped(T, A)) {
            if (A->Kind == ScnActClose)
                T->Locals[A->Handles[0].Local] = NULL;
            else if (A->Kind == ScnActDuplicate)
                T->Locals[A->Local] = SCN_ABSENT_DEVICE;
            continue;
        }
        switch (A->Kind) {
        case ScnActSpin:
            ScnSpin(A);
            break;
        case ScnActSleep: {
            LARGE_INTEGER Interval = { .QuadPart = -(LONGLONG)A->Duration };
            Status = NtDelayExecution(FALSE, &Interval);
            break;
        }
        case ScnActYield:
            Status = NtYieldExecution();
            if (Status == STATUS_NO_YIELD_PERFORMED)
                Status = STATUS_SUCCESS;
            break;
        case ScnActWait:
            Status = ScnWait(T, A);
            break;
        case ScnActSignal: case ScnActReset: case ScnActPulse: case ScnActRelease:
            Status = ScnHandle(T, &A->Handles[0], &Handle);
            if (!NT_SUCCESS(Status))
                break;
            if (A->Kind == ScnActSignal)
                Status = NtSetEvent(Handle, NULL);
            else if (A->Kind == ScnActReset)
                Status = NtResetEvent(Handle, NULL);
            else if (A->Kind == ScnActPulse)
                Status = NtPulseEvent(Handle, NULL);
            else if (ScnCurrent()->Objects[A->Handles[0].Object].Kind == ScnObjMutex)
                Status = NtReleaseMutant(Handle, NULL);
            else
                Status = NtReleaseSemaphore(Handle, A->Count, NULL);
            break;
        case ScnActOpen:
            Status = ScnHandle(T, &A->Handles[0], &Handle);
            break;
        case ScnActClose:
            if (A->Handles[0].Object >= 0) {
                Handle = T->Objects[A->Handles[0].Object];
                T->Objects[A->Handles[0].Object] = NULL;
            } else {
                Handle = T->Locals[A->Handles[0].Local];
                T->Locals[A->Handles[0].Local] = NULL;
            }
            Status = Handle != NULL ? NtClose(Handle) : STATUS_INVALID_HANDLE;
            break;
        case ScnActOpenProcess: case ScnActOpenThread:
            Status = ScnOpen(T, A);
            break;
        case ScnActDuplicate: {
            HANDLE Source = T->Locals[A->Handles[0].Local];
            Status = Source == NULL ? STATUS_INVALID_HANDLE
                                    : NtDuplicateObject(NtCurrentProcess(), Source, NtCurrentProcess(), &Handle,
                                                        A->Access, 0, A->SameAccess ? DUPLICATE_SAME_ACCESS : 0);
            if (NT_SUCCESS(Status))
                ScnSetLocal(T, A->Local, Handle);
            break;
        }
        case ScnActTerminate:
            Status = ScnHandle(T, &A->Handles[0], &Handle);
            if (NT_SUCCESS(Status))
                Status = A->Handles[0].Kind == ScnHandleThread ? NtTerminateThread(Handle, A->Status)
                                                               : NtTerminateProcess(Handle, A->Status);
            break;
        case ScnActQuery:
            Status = ScnQuery(T, A);
            break;
        case ScnActCreateThread:
            Status = ScnHandle(T, &A->Handles[0], &Handle);
            if (NT_SUCCESS(Status))
                Status = ScnCreateRemoteThread(T, A, Handle);
            break;
        case ScnActLoadImage:
            Status = ScnLoadImage(A);
            break;
        case ScnActSpawn:
            Status = ScnSpawn(A->Process, (uint32_t)A->Count, A->Rate, A->Wait);
            break;
        case ScnActSyscall: {
            /* `buffer` arguments: a zeroed page of this thread's user stack */
            UCHAR Scratch[4096];
            ULONG_PTR Args[6];
            if (A->BufferArgs != 0)
                memset(Scratch, 0, sizeof(Scratch));
            for (int a = 0; a < 6; a++)
                Args[a] = (A->BufferArgs & (1u << a)) ? (ULONG_PTR)Scratch : (ULONG_PTR)A->Args[a];
            ULONG_PTR Value = NtpsSystemCall(A->Number, Args[0], Args[1], Args[2], Args[3], Args[4], Args[5]);
            ScnCountAction();
            if (A->ExpectValueGiven && Value != A->ExpectValue)
                ScnActionFailed(A, T, 0, Value, true);
            else if (A->ExpectCount != 0) {
                BOOLEAN Ok = FALSE;
                for (unsigned s = 0; s < A->ExpectCount; s++)
                    Ok = Ok || (NTSTATUS)Value == A->Expect[s];
                if (!Ok)
                    ScnActionFailed(A, T, (NTSTATUS)Value, 0, false);
            }
            ScnPoint();
            continue;
        }
        case ScnActExit:
            ScnCountAction();
            *Exit = A->Status;
            return TRUE;
        case ScnActExitProcess:
            ScnCountAction();
            Status = NtTerminateProcess(NtCurrentProcess(), A->Status);
            break;      /* not reached: the caller is in the process */
        case ScnActLoop:
            for (int32_t n = 0; n < A->Count; n++)
                if (ScnRunActions(T, A->Body, A->BodyCount, Exit))
                    return TRUE;
            continue;
        case ScnActLog:
            ScnLog(T, A);
            break;
        case ScnActOpenDevice:
            Status = ScnDeviceOpen(A, &Handle);
            if (NT_SUCCESS(Status))
                ScnSetLocal(T, A->Local, Handle);
            break;
        case ScnActIoctl: case ScnActRead: case ScnActWrite:
            Status = ScnHandle(T, &A->Handles[0], &Handle);
            if (NT_SUCCESS(Status))
                Status = ScnDeviceRequest(T, A, Handle);
            break;
        case ScnActSetValue:
            Status = ScnSetValue(A);
            break;
        case ScnActRun:
            Status = ScnRunUserImage(T, A);
            break;
        default:
            Status = STATUS_NOT_IMPLEMENTED;
            break;
        }
        ScnCheck(T, A, Status);
        ScnPoint();
    }
    return FALSE;
}

/* The initial thread starts the instance's other threads and the
 * processes whose parent it is (their `delay:` counted from here, one
 * after the other) before its own actions. */
static VOID ScnStartInstance(SCN_THREAD_STATE *T)
{
    SCN_INSTANCE *I = T->Instance;
    for (ULONG k = 1; k < I->Def->ThreadTotal; k++) {
        NTSTATUS Status = RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0,
                                              (PUSER_THREAD_START_ROUTINE)(PVOID)ScnThreadMain, &I->Threads[k],
                                              NULL, NULL);
        if (NT_SUCCESS(Status))
            ScnCountThread();
    }
    const NTPS_SCENARIO *S = ScnCurrent();
    int Self = (int)(I->Def - S->Processes);
    for (size_t c = 0; c < S->ProcessCount; c++) {
        const SCN_PROCESS *Child = &S->Processes[c];
        if (Child->Parent != Self || Child->Spawned)
            continue;
        if (Child->Delay != 0) {
            LARGE_INTEGER Delay = { .QuadPart = -(LONGLONG)Child->Delay };
            NtDelayExecution(FALSE, &Delay);
        }
        ScnSpawn((int)c, Child->Count, Child->Rate, false);
    }
}

int32_t ScnThreadMain(void *Parameter)
{
    SCN_THREAD_STATE *T = Parameter;
    __atomic_store_n(&T->ThreadId, PsGetCurrentThreadId(), __ATOMIC_RELEASE);
    if (T->Index == 0) {
        ScnSetProcess(T->Instance, PsGetCurrentProcess());
        __atomic_store_n(&T->Instance->ProcessId, PsGetCurrentProcessId(), __ATOMIC_RELEASE);
        ScnStartInstance(T);
    }
    NTSTATUS Exit = STATUS_SUCCESS;
    for (uint32_t r = 0; r < T->Def->Repeat; r++)
        if (ScnRunActions(T, T->Def->Actions, T->Def->ActionCount, &Exit))
            break;
    __atomic_store_n(&T->Current, NULL, __ATOMIC_RELEASE);
    return Exit;
}
