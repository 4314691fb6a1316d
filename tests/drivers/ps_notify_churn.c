/*
 * ps_notify_churn.c - processes and threads created and ended from several
 * threads at once (Win32 and WSL, some with extra threads, some ended by
 * themselves, some terminated while they run, some vetoed by a create
 * routine) while other threads register and remove process (Ps, Ex, Ex2),
 * thread (legacy, NonSystem, Subsystems) and load-image routines in a
 * loop. Routines that stay registered throughout see, per process and
 * thread ID, create and exit strictly alternating (never two creates or
 * two exits of one ID in a row), every create's exit by the end, the
 * exact number of processes and images, and each WSL process only on
 * Ex2. Nothing leaks, nothing deadlocks.
 */
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: modes rt1 rt2 sim1 sim2 sim2@7 sim2@1234
// NTPS-TEST: reject ^ntps: leak
// NTPS-TEST: timeout 170
#include <ntps.h>
#include "ktest.h"

#define CREATORS 4
#define ROUNDS 400
#define IDS 4096                /* IDs / 4 we can track */

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\dllhost.exe");
static UNICODE_STRING Evil = RTL_CONSTANT_STRING(L"\\??\\C:\\Users\\Public\\evil.exe");
static UNICODE_STRING Linux = RTL_CONSTANT_STRING(L"/usr/bin/env");

static volatile LONG Done;
static volatile LONG Errors, Attempts, Win32Attempts, WslAttempts, Vetoes, VetoSeen, OddVetoStatus;
static volatile LONG ImageLoads, Toggles, ToggledCalls;

/* Per routine: the state of each ID (0 none, 1 created), and totals. */
typedef struct _TRACK {
    volatile LONG State[IDS];
    volatile LONG Creates, Exits;
} TRACK;

enum { T_PS, T_EX, T_EX2, T_LEGACY, T_NONSYSTEM, T_SUBSYSTEMS, T_COUNT };
static TRACK Track[T_COUNT];

static VOID Note(int Which, HANDLE Id, BOOLEAN Create)
{
    ULONG_PTR Index = (ULONG_PTR)Id / 4;
    TRACK *T = &Track[Which];
    if (Index >= IDS) {
        InterlockedIncrement(&Errors);
        return;
    }
    if (Create) {
        InterlockedIncrement(&T->Creates);
        if (InterlockedCompareExchange(&T->State[Index], 1, 0) != 0) {
            DbgPrint("routine %d: second create of ID %lu\n", Which, (ULONG)(ULONG_PTR)Id);
            InterlockedIncrement(&Errors);
        }
    } else {
        InterlockedIncrement(&T->Exits);
        if (InterlockedCompareExchange(&T->State[Index], 0, 1) != 1) {
            DbgPrint("routine %d: exit of ID %lu without its create\n", Which, (ULONG)(ULONG_PTR)Id);
            InterlockedIncrement(&Errors);
        }
    }
}

static BOOLEAN IsEvil(PPS_CREATE_NOTIFY_INFO Info)
{
    PCUNICODE_STRING N = Info->ImageFileName;
    return N != NULL && N->Length == Evil.Length && RtlCompareMemory(N->Buffer, Evil.Buffer, N->Length) == N->Length;
}

/* ---- routines registered throughout -------------------------------------------------------------- */

static VOID StablePs(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    (void)ParentId;
    Note(T_PS, ProcessId, Create);
}

static VOID StableEx(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    if (PsGetProcessId(Process) != ProcessId || (CreateInfo != NULL && CreateInfo->IsSubsystemProcess))
        InterlockedIncrement(&Errors);
    Note(T_EX, ProcessId, CreateInfo != NULL);
    if (CreateInfo != NULL && IsEvil(CreateInfo)) {
        InterlockedIncrement(&VetoSeen);
        CreateInfo->CreationStatus = STATUS_ACCESS_DENIED;
    }
}

static VOID StableEx2(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    (void)Process;
    Note(T_EX2, ProcessId, CreateInfo != NULL);
    /* registered after StableEx: sees its veto */
    if (CreateInfo != NULL && IsEvil(CreateInfo) && CreateInfo->CreationStatus != STATUS_ACCESS_DENIED)
        InterlockedIncrement(&Errors);
}

static VOID StableLegacy(HANDLE P, HANDLE T, BOOLEAN C) { (void)P; Note(T_LEGACY, T, C); }
static VOID StableNonSystem(HANDLE P, HANDLE T, BOOLEAN C) { (void)P; Note(T_NONSYSTEM, T, C); }
static VOID StableSubsystems(HANDLE P, HANDLE T, BOOLEAN C) { (void)P; Note(T_SUBSYSTEMS, T, C); }

static VOID StableImage(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    if (ProcessId == NULL)
        return;
    if (FullImageName == NULL || ImageInfo->SystemModeImage || PsGetCurrentProcessId() != ProcessId)
        InterlockedIncrement(&Errors);
    InterlockedIncrement(&ImageLoads);
}

/* ---- routines registered and removed all the time --------------------------------------------------- */

static VOID TogglePs(HANDLE P, HANDLE I, BOOLEAN C) { (void)P; (void)I; (void)C; InterlockedIncrement(&ToggledCalls); }
static VOID ToggleEx(PEPROCESS P, HANDLE I, PPS_CREATE_NOTIFY_INFO C)
{
    (void)P; (void)I;
    InterlockedIncrement(&ToggledCalls);
    if (C != NULL && C->CreationStatus != STATUS_SUCCESS && !IsEvil(C))
        InterlockedIncrement(&Errors);
}
static VOID ToggleThread(HANDLE P, HANDLE T, BOOLEAN C) { (void)P; (void)T; (void)C; InterlockedIncrement(&ToggledCalls); }
static VOID ToggleImage(PUNICODE_STRING N, HANDLE P, PIMAGE_INFO I) { (void)N; (void)P; (void)I; InterlockedIncrement(&ToggledCalls); }

static VOID Registrar(PVOID Context)
{
    ULONG Which = (ULONG)(ULONG_PTR)Context;
    for (ULONG i = 0; !InterlockedCompareExchange(&Done, 0, 0); i++) {
        BOOLEAN Ok = TRUE;
        if (Which == 0) {
            Ok &= NT_SUCCESS(PsSetCreateProcessNotifyRoutine(TogglePs, FALSE));
            Ok &= NT_SUCCESS(PsSetCreateProcessNotifyRoutineEx(ToggleEx, FALSE));
            Ok &= NT_SUCCESS(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ToggleEx, FALSE));
        } else {
            Ok &= NT_SUCCESS(PsSetCreateThreadNotifyRoutine(ToggleThread));
            Ok &= NT_SUCCESS(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)ToggleThread));
            Ok &= NT_SUCCESS(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)ToggleThread));
            Ok &= NT_SUCCESS(PsSetLoadImageNotifyRoutine(ToggleImage));
        }
        ZwYieldExecution();
        if (Which == 0) {
            /* removal in another order than registration */
            Ok &= NT_SUCCESS(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ToggleEx, TRUE));
            Ok &= NT_SUCCESS(PsSetCreateProcessNotifyRoutine(TogglePs, TRUE));
            Ok &= NT_SUCCESS(PsSetCreateProcessNotifyRoutineEx(ToggleEx, TRUE));
        } else {
            for (int k = 0; k < 3; k++)
                Ok &= NT_SUCCESS(PsRemoveCreateThreadNotifyRoutine(ToggleThread));
            Ok &= NT_SUCCESS(PsRemoveLoadImageNotifyRoutine(ToggleImage));
        }
        if (!Ok)
            InterlockedIncrement(&Errors);
        InterlockedIncrement(&Toggles);
        ZwYieldExecution();
    }
}

/* ---- the processes ----------------------------------------------------------------------------------- */

static NTSTATUS NTAPI Leaf(PVOID Parameter)
{
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

static NTSTATUS NTAPI Spin(PVOID Parameter)
{
    (void)Parameter;
    for (volatile ULONG i = 0;; i++)
        ;
    return 0;
}

static NTSTATUS NTAPI ProcessMain(PVOID Parameter)
{
    ULONG_PTR Round = (ULONG_PTR)Parameter;
    ULONG Count = (ULONG)(Round % 3);
    HANDLE T;
    for (ULONG i = 0; i < Count; i++)
        if (NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0,
                                           (Round & 4) && i == 0 ? Spin : Leaf, (PVOID)(ULONG_PTR)i, &T, NULL)))
            NtClose(T);
    if (Round & 4)
        NtTerminateProcess(NtCurrentProcess(), 0x5EED);
    return 0;
}

static VOID Creator(PVOID Context)
{
    ULONG Base = (ULONG)(ULONG_PTR)Context;
    for (ULONG Round = Base; Round < Base + ROUNDS; Round++) {
        BOOLEAN Wsl = (Round % 5) == 0, Bad = !Wsl && (Round % 11) == 1;
        NTPS_PROCESS_CREATE C = { Wsl ? &Linux : Bad ? &Evil : &Image, NULL,
                                  Wsl ? SubsystemInformationTypeWSL : SubsystemInformationTypeWin32, NULL,
                                  ProcessMain, (PVOID)(ULONG_PTR)Round };
        HANDLE Handle;
        InterlockedIncrement(&Attempts);
        InterlockedIncrement(Wsl ? &WslAttempts : &Win32Attempts);
        NTSTATUS Status = NtpsCreateProcess(&C, &Handle, NULL);
        if (Bad) {
            if (Status == STATUS_ACCESS_DENIED)
                InterlockedIncrement(&Vetoes);
            else
                InterlockedIncrement(&OddVetoStatus);
            if (NT_SUCCESS(Status))
                ZwClose(Handle);
            continue;
        }
        if (!NT_SUCCESS(Status)) {
            InterlockedIncrement(&Errors);
            continue;
        }
        /* kernel-mode remote threads into some of them, and terminations */
        if (Round % 4 == 2) {
            HANDLE T;
            if (NT_SUCCESS(RtlCreateUserThread(Handle, NULL, Round % 8 == 2, 0, 0, 0, Leaf, NULL, &T, NULL))) {
                if (Round % 8 == 2)
                    ZwResumeThread(T, NULL);
                ZwClose(T);
            }
        }
        if (Round % 7 == 3)
            ZwTerminateProcess(Handle, 0x70);
        ZwWaitForSingleObject(Handle, FALSE, NULL);
        ZwClose(Handle);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KT_EQ(PsSetCreateProcessNotifyRoutine(StablePs, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(StableEx, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)StableEx2, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(StableLegacy), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)StableNonSystem), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)StableSubsystems), STATUS_SUCCESS);
    KT_EQ(PsSetLoadImageNotifyRoutine(StableImage), STATUS_SUCCESS);

    PETHREAD Registrars[2], Creators[CREATORS];
    for (ULONG i = 0; i < 2; i++)
        Registrars[i] = KtStartThread(Registrar, (PVOID)(ULONG_PTR)i);
    for (ULONG i = 0; i < CREATORS; i++)
        Creators[i] = KtStartThread(Creator, (PVOID)(ULONG_PTR)(i * ROUNDS));
    for (ULONG i = 0; i < CREATORS; i++)
        KtJoin(Creators[i]);
    InterlockedExchange(&Done, 1);
    for (ULONG i = 0; i < 2; i++)
        KtJoin(Registrars[i]);

    KT_EQ(PsSetCreateProcessNotifyRoutine(StablePs, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(StableEx, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)StableEx2, TRUE), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(StableLegacy), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(StableNonSystem), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(StableSubsystems), STATUS_SUCCESS);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(StableImage), STATUS_SUCCESS);

    KT_EQ(Errors, 0);
    KT_EQ(OddVetoStatus, 0);
    KT_EQ(Vetoes, VetoSeen);
    KT_CHECK(Vetoes > 0);
    /* every process reached the create routines, vetoed ones included */
    KT_EQ(Track[T_EX2].Creates, Attempts);
    KT_EQ(Track[T_PS].Creates, Win32Attempts);
    KT_EQ(Track[T_EX].Creates, Win32Attempts);
    KT_EQ(ImageLoads, 2 * Win32Attempts + WslAttempts);
    /* each create got its exit; nothing left over */
    for (int k = 0; k < T_COUNT; k++) {
        KT_EQ(Track[k].Creates, Track[k].Exits);
        LONG Left = 0;
        for (ULONG i = 0; i < IDS; i++)
            Left += Track[k].State[i];
        KT_EQ(Left, 0);
    }
    /* NonSystem sees Win32 user threads only, Subsystems every thread */
    KT_CHECK(Track[T_SUBSYSTEMS].Creates > Track[T_NONSYSTEM].Creates);
    KT_CHECK(Track[T_LEGACY].Creates > Track[T_NONSYSTEM].Creates);     /* our system threads too */
    DbgPrint("notify churn: %d processes (%d vetoed), %d threads, %d toggles, %d toggled calls\n", (int)Attempts,
             (int)Vetoes, (int)Track[T_SUBSYSTEMS].Creates, (int)Toggles, (int)ToggledCalls);
    KT_DONE();
    return STATUS_SUCCESS;
}
