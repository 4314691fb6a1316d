/*
 * ps_suspend_churn.c - suspension racing termination. Processes whose
 * threads spin or sleep, some created suspended (some never resumed),
 * some suspending and resuming each other, some ending their other
 * threads (NtTerminateProcess(NULL)) or themselves; one at a time, and a
 * system thread that suspends and resumes the current one without pause,
 * sometimes leaving it suspended. Whatever has not ended after
 * 30 ms is terminated, so terminations keep meeting suspensions. Every
 * process must end once terminated (TerminateProcess is unconditional: a
 * thread suspended before, during or after its termination ends too),
 * every thread's create notification gets its exit, nothing leaks.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2 sim2@3 sim2@11
// NTPS-TEST: reject ^ntps: leak
// NTPS-TEST: timeout 150
#include <ntps.h>
#include "ktest.h"

#define ROUNDS 200

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\taskhostw.exe");
static volatile LONG Done, Stuck, Failures, Creates, Exits, Meddles;
static HANDLE volatile Current;         /* a kernel handle to the process being created and ended */

static VOID Counter(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    (void)ProcessId; (void)ThreadId;
    InterlockedIncrement(Create ? &Creates : &Exits);
}

static NTSTATUS NTAPI Spin(PVOID Parameter)
{
    (void)Parameter;
    for (volatile ULONG i = 0;; i++)
        ;
    return 0;
}

static NTSTATUS NTAPI Nap(PVOID Parameter)
{
    LARGE_INTEGER Interval = { .QuadPart = KT_MS(1) };
    for (ULONG_PTR i = 0; i < (ULONG_PTR)Parameter; i++)
        NtDelayExecution(FALSE, &Interval);
    return 0;
}

static NTSTATUS NTAPI ProcessMain(PVOID Parameter)
{
    ULONG_PTR Round = (ULONG_PTR)Parameter;
    HANDLE T;
    for (ULONG i = 0; i < 3; i++) {
        BOOLEAN Suspended = (Round + i) % 3 == 0;
        if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, Suspended, 0, 0, 0,
                                            (Round & 1) && i == 0 ? Spin : Nap, (PVOID)(ULONG_PTR)(i + 1), &T,
                                            NULL)))
            continue;
        if (Suspended && Round % 4 != 1)
            NtResumeThread(T, NULL);
        if (Round % 5 == 1) {
            NtSuspendThread(T, NULL);
            NtResumeThread(T, NULL);
        }
        NtClose(T);
    }
    if (Round % 6 == 2)
        NtTerminateProcess(NULL, 0x61);     /* the other threads; this one goes on */
    if (Round & 1)
        NtTerminateProcess(NtCurrentProcess(), 0x62);
    return Nap((PVOID)3);
}

static VOID Meddler(PVOID Context)
{
    (void)Context;
    for (ULONG i = 0; !InterlockedCompareExchange(&Done, 0, 0); i++) {
        HANDLE Handle = InterlockedCompareExchangePointer((PVOID volatile *)&Current, NULL, NULL), Own;
        PEPROCESS Process;
        /* our own handle: the creator may close its one any time */
        if (Handle != NULL &&
            NT_SUCCESS(ObReferenceObjectByHandle(Handle, 0, *PsProcessType, KernelMode, (PVOID *)&Process, NULL))) {
            if (NT_SUCCESS(ObOpenObjectByPointer(Process, OBJ_KERNEL_HANDLE, NULL, PROCESS_SUSPEND_RESUME,
                                                 *PsProcessType, KernelMode, &Own))) {
                ZwSuspendProcess(Own);
                if (i % 3 == 0)
                    ZwYieldExecution();
                ZwResumeProcess(Own);
                if (i % 7 == 0)
                    ZwSuspendProcess(Own);      /* left suspended: only termination ends it */
                ZwClose(Own);
                InterlockedIncrement(&Meddles);
            }
            ObDereferenceObject(Process);
        }
        ZwYieldExecution();
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)Counter), STATUS_SUCCESS);
    PETHREAD Meddling = KtStartThread(Meddler, NULL);
    for (ULONG_PTR Round = 0; Round < ROUNDS; Round++) {
        NTPS_PROCESS_CREATE C = { &Image, NULL, SubsystemInformationTypeWin32, NULL, ProcessMain, (PVOID)Round };
        HANDLE Handle;
        if (!NT_SUCCESS(NtpsCreateProcess(&C, &Handle, NULL))) {
            InterlockedIncrement(&Failures);
            continue;
        }
        InterlockedExchangePointer((PVOID volatile *)&Current, Handle);
        LARGE_INTEGER Short = { .QuadPart = KT_MS(30) }, Long = { .QuadPart = KT_MS(10000) };
        if (ZwWaitForSingleObject(Handle, FALSE, &Short) == STATUS_TIMEOUT)
            ZwTerminateProcess(Handle, 0x70);
        InterlockedExchangePointer((PVOID volatile *)&Current, NULL);
        if (ZwWaitForSingleObject(Handle, FALSE, &Long) != STATUS_SUCCESS) {
            DbgPrint("round %lu: the terminated process did not end\n", (ULONG)Round);
            InterlockedIncrement(&Stuck);
            ZwResumeProcess(Handle);
            ZwTerminateProcess(Handle, 0x71);
            ZwWaitForSingleObject(Handle, FALSE, NULL);
        }
        ZwClose(Handle);
    }
    InterlockedExchange(&Done, 1);
    KtJoin(Meddling);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Counter), STATUS_SUCCESS);
    KT_EQ(Failures, 0);
    KT_EQ(Stuck, 0);
    KT_CHECK(Creates > ROUNDS);
    KT_EQ(Creates, Exits);
    DbgPrint("suspend churn: %d threads, %d meddles\n", (int)Creates, (int)Meddles);
    KT_DONE();
    return STATUS_SUCCESS;
}
