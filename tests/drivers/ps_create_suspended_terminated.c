/*
 * ps_create_suspended_terminated.c - a process terminated while one of its
 * threads creates another suspended (CREATE_SUSPENDED, never resumed).
 * The new thread is in the process by then, so the termination ends it
 * too: TerminateProcess is unconditional, and a suspension that lands
 * after the termination reached the thread must not keep it waiting. The
 * process must end without anyone resuming it, in every round.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2 sim2@5
// NTPS-TEST: reject ^ntps: leak
// NTPS-TEST: timeout 120
#include <ntps.h>
#include "ktest.h"

#define ROUNDS 60
#define THREADS 48

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\svchost.exe");
static volatile LONG Stuck, Created, Creates, Exits;
static volatile NTSTATUS Failed = STATUS_SUCCESS;  /* a creation that failed before the termination */

static VOID Counter(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    (void)ProcessId; (void)ThreadId;
    InterlockedIncrement(Create ? &Creates : &Exits);
}

static NTSTATUS NTAPI Never(PVOID Parameter)
{
    (void)Parameter;
    return 0x51;        /* a suspended thread never runs its start routine */
}

/* Creates suspended threads until its process is terminated under it. */
static NTSTATUS NTAPI ProcessMain(PVOID Parameter)
{
    (void)Parameter;
    for (ULONG i = 0; i < THREADS; i++) {
        HANDLE T;
        NTSTATUS Status = RtlCreateUserThread(NtCurrentProcess(), NULL, TRUE, 0, 0, 0, Never, NULL, &T, NULL);
        if (!NT_SUCCESS(Status)) {
            if (Status != STATUS_PROCESS_IS_TERMINATING)
                InterlockedCompareExchange(&Failed, Status, STATUS_SUCCESS);
            break;
        }
        InterlockedIncrement(&Created);
        NtClose(T);
    }
    LARGE_INTEGER Forever = { .QuadPart = KT_MS(60000) };
    NtDelayExecution(FALSE, &Forever);
    return 0;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)Counter), STATUS_SUCCESS);
    for (ULONG Round = 0; Round < ROUNDS; Round++) {
        /* let it create a few (fewer than it will), then terminate it mid-creation */
        LONG Target = InterlockedCompareExchange(&Created, 0, 0) + (LONG)(Round % 16);
        NTPS_PROCESS_CREATE C = { &Image, NULL, SubsystemInformationTypeWin32, NULL, ProcessMain, NULL };
        HANDLE Handle;
        if (!NT_SUCCESS(NtpsCreateProcess(&C, &Handle, NULL))) {
            KT_CHECK(FALSE);
            continue;
        }
        LARGE_INTEGER Zero = { .QuadPart = 0 };
        while (InterlockedCompareExchange(&Created, 0, 0) < Target && Failed == STATUS_SUCCESS &&
               ZwWaitForSingleObject(Handle, FALSE, &Zero) == STATUS_TIMEOUT)
            ZwYieldExecution();
        KT_EQ(ZwTerminateProcess(Handle, 0x70), STATUS_SUCCESS);
        LARGE_INTEGER Long = { .QuadPart = KT_MS(10000) };
        if (ZwWaitForSingleObject(Handle, FALSE, &Long) != STATUS_SUCCESS) {
            DbgPrint("round %lu: the terminated process did not end\n", Round);
            InterlockedIncrement(&Stuck);
            ZwResumeProcess(Handle);
            ZwWaitForSingleObject(Handle, FALSE, NULL);
        }
        ZwClose(Handle);
    }
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Counter), STATUS_SUCCESS);
    KT_EQ(Stuck, 0);
    KT_EQ(Failed, STATUS_SUCCESS);
    KT_EQ(Creates, Exits);
    DbgPrint("create suspended, terminated: %d threads made in %d rounds\n", (int)Created, ROUNDS);
    KT_DONE();
    return STATUS_SUCCESS;
}
