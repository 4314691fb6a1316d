/*
 * ps_churn.c - thousands of processes and threads created and ended at
 * once from several creators, some ending by themselves, some terminated
 * while they run, with handles opened and closed on them from user and
 * kernel mode. Nothing may leak: IDs are reused (they stay small), every
 * handle table empties, and the run's shutdown check finds no process or
 * thread object left (`ntps: leak` would be printed).
 */
// NTPS-TEST: reject ^ntps: leak
// NTPS-TEST: timeout 120
#include <ntps.h>
#include "ktest.h"

#define CREATORS 3
#define ROUNDS 300

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\conhost.exe");
static UNICODE_STRING Linux = RTL_CONSTANT_STRING(L"/usr/bin/true");
static volatile LONG Created, Ended, Failures;
static volatile LONG_PTR MaxId;

static VOID NoteId(HANDLE Id)
{
    LONG_PTR Value = (LONG_PTR)Id, Seen = (LONG_PTR)ReadAcquire64((LONG64 const volatile *)&MaxId);
    while (Value > Seen) {
        LONG_PTR Previous = InterlockedCompareExchange64((LONG64 *)&MaxId, Value, Seen);
        if (Previous == Seen)
            break;
        Seen = Previous;
    }
}

static NTSTATUS NTAPI Leaf(PVOID Parameter)
{
    NoteId(PsGetCurrentThreadId());
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

static NTSTATUS NTAPI Spin(PVOID Parameter)
{
    (void)Parameter;
    for (volatile ULONG i = 0;; i++)
        ;
    return 0;
}

/* The initial thread: a few more threads, a handle to itself, then out. */
static NTSTATUS NTAPI ProcessMain(PVOID Parameter)
{
    ULONG_PTR Round = (ULONG_PTR)Parameter;
    HANDLE Threads[3];
    ULONG Count = (ULONG)(Round % 3) + 1;
    for (ULONG i = 0; i < Count; i++)
        if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0,
                                            (Round & 4) && i == 0 ? Spin : Leaf, (PVOID)(ULONG_PTR)i, &Threads[i],
                                            NULL)))
            Threads[i] = NULL;
    HANDLE Self;
    CLIENT_ID Cid = { PsGetCurrentProcessId(), NULL };
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    if (NT_SUCCESS(NtOpenProcess(&Self, PROCESS_QUERY_LIMITED_INFORMATION, &Attributes, &Cid)))
        NtClose(Self);
    /* Leave some handles open: the process's exit closes them. */
    if (Round & 1)
        for (ULONG i = 0; i < Count; i++)
            if (Threads[i] != NULL)
                NtClose(Threads[i]);
    /* A spinning thread keeps the process alive: end it all. */
    if (Round & 4)
        NtTerminateProcess(NtCurrentProcess(), 0x5EED);
    return 0;
}

static VOID Creator(PVOID Context)
{
    ULONG Base = (ULONG)(ULONG_PTR)Context;
    for (ULONG Round = Base; Round < Base + ROUNDS; Round++) {
        BOOLEAN Wsl = (Round % 5) == 0;
        NTPS_PROCESS_CREATE C = { Wsl ? &Linux : &Image, NULL,
                                  Wsl ? SubsystemInformationTypeWSL : SubsystemInformationTypeWin32, NULL,
                                  ProcessMain, (PVOID)(ULONG_PTR)Round };
        HANDLE Handle;
        CLIENT_ID Cid;
        if (!NT_SUCCESS(NtpsCreateProcess(&C, &Handle, &Cid))) {
            InterlockedIncrement(&Failures);
            continue;
        }
        InterlockedIncrement(&Created);
        NoteId(Cid.UniqueProcess);
        /* Every few rounds, terminate it from here while it runs. */
        if (Round % 7 == 3)
            ZwTerminateProcess(Handle, 0x70);
        ZwWaitForSingleObject(Handle, FALSE, NULL);
        InterlockedIncrement(&Ended);
        ZwClose(Handle);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    PETHREAD Threads[CREATORS];
    for (ULONG i = 0; i < CREATORS; i++)
        Threads[i] = KtStartThread(Creator, (PVOID)(ULONG_PTR)(i * ROUNDS));
    for (ULONG i = 0; i < CREATORS; i++)
        KtJoin(Threads[i]);
    KT_EQ(Failures, 0);
    KT_EQ(Created, CREATORS * ROUNDS);
    KT_EQ(Ended, CREATORS * ROUNDS);
    /* IDs are reused: a few creators with a handful of threads each never
     * need more than a few hundred of them alive. */
    KT_CHECK(MaxId < 4 * 400);
    DbgPrint("churn: %d processes, largest ID %lld\n", (int)Created, (long long)MaxId);
    KT_DONE();
    return STATUS_SUCCESS;
}
