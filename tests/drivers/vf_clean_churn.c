/*
 * Zero false positives: a driver that follows every callback rule, under
 * heavy process and thread churn. Its process, thread and load-image
 * notify routines and its object pre-operation callback do what the WDK
 * allows: short work under a spin lock, nonpaged pool allocated and freed,
 * look-ups by ID, zero-timeout polls, setting an event without waiting,
 * attaching to the new process's address space. Creators run
 * concurrently, so the callbacks are preempted, migrate and nest. No
 * verifier report may appear.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: expect ^ntps: verifier: no rule broken$
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: reject ^VERIFIER
// NTPS-TEST: reject ^ntps: verifier: [0-9]+ report
// NTPS-TEST: timeout 180
#include <ntps.h>
#include "ktest.h"

#define CREATORS 3
#define ROUNDS 200
#define TAG 'nlCV'

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\conhost.exe");
static KSPIN_LOCK Lock;
static LIST_ENTRY Live;         /* one entry per live process the driver saw created */
static KEVENT Seen;
static volatile LONG Processes, Threads, Images, Opens, Failures;
static PVOID Registration;

typedef struct _ENTRY {
    LIST_ENTRY Link;
    HANDLE ProcessId;
} ENTRY;

static VOID OnProcess(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    KIRQL Irql;
    if (Info != NULL) {
        ENTRY *Entry = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(ENTRY), TAG);
        if (Entry == NULL) {
            InterlockedIncrement(&Failures);
            return;
        }
        Entry->ProcessId = ProcessId;
        KeAcquireSpinLock(&Lock, &Irql);
        InsertTailList(&Live, &Entry->Link);
        KeReleaseSpinLock(&Lock, Irql);
        KAPC_STATE Apc;
        KeStackAttachProcess(Process, &Apc);      /* legal: not a user-mode service */
        KeUnstackDetachProcess(&Apc);
        InterlockedIncrement(&Processes);
        KeSetEvent(&Seen, IO_NO_INCREMENT, FALSE);
        return;
    }
    ENTRY *Found = NULL;
    KeAcquireSpinLock(&Lock, &Irql);
    for (PLIST_ENTRY Link = Live.Flink; Link != &Live; Link = Link->Flink) {
        ENTRY *Entry = CONTAINING_RECORD(Link, ENTRY, Link);
        if (Entry->ProcessId == ProcessId) {
            RemoveEntryList(&Entry->Link);
            Found = Entry;
            break;
        }
    }
    KeReleaseSpinLock(&Lock, Irql);
    if (Found != NULL)
        ExFreePoolWithTag(Found, TAG);
}

static VOID OnThread(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ThreadId);
    PEPROCESS Process;
    if (Create && NT_SUCCESS(PsLookupProcessByProcessId(ProcessId, &Process))) {
        LARGE_INTEGER Zero = { .QuadPart = 0 };
        KeWaitForSingleObject(Process, Executive, KernelMode, FALSE, &Zero);    /* a poll */
        ObDereferenceObject(Process);
    }
    InterlockedIncrement(&Threads);
}

static VOID OnImage(PUNICODE_STRING Name, HANDLE ProcessId, PIMAGE_INFO Info)
{
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(Info);
    if (Name != NULL && Name->Length != 0)
        InterlockedIncrement(&Images);
}

static OB_PREOP_CALLBACK_STATUS OnOpen(PVOID Context, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Info);
    InterlockedIncrement(&Opens);
    return OB_PREOP_SUCCESS;
}

static NTSTATUS NTAPI Leaf(PVOID Parameter)
{
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

static NTSTATUS NTAPI ProcessMain(PVOID Parameter)
{
    ULONG Count = (ULONG)((ULONG_PTR)Parameter % 3) + 1;
    HANDLE Handles[3];
    for (ULONG i = 0; i < Count; i++)
        if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Leaf, NULL, &Handles[i], NULL)))
            Handles[i] = NULL;
    for (ULONG i = 0; i < Count; i++) {
        if (Handles[i] != NULL) {
            NtWaitForSingleObject(Handles[i], FALSE, NULL);
            NtClose(Handles[i]);
        }
    }
    return 0;
}

static VOID Creator(PVOID Context)
{
    ULONG Base = (ULONG)(ULONG_PTR)Context;
    for (ULONG Round = Base; Round < Base + ROUNDS; Round++) {
        NTPS_PROCESS_CREATE C = { &Image, NULL, SubsystemInformationTypeWin32, NULL, ProcessMain,
                                  (PVOID)(ULONG_PTR)Round };
        HANDLE Handle;
        CLIENT_ID Cid;
        if (!NT_SUCCESS(NtpsCreateProcess(&C, &Handle, &Cid))) {
            InterlockedIncrement(&Failures);
            continue;
        }
        ZwWaitForSingleObject(Handle, FALSE, NULL);
        ZwClose(Handle);
    }
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsSetCreateProcessNotifyRoutineEx(OnProcess, TRUE);
    PsRemoveCreateThreadNotifyRoutine(OnThread);
    PsRemoveLoadImageNotifyRoutine(OnImage);
    ObUnRegisterCallbacks(Registration);
    while (!IsListEmpty(&Live))
        ExFreePoolWithTag(CONTAINING_RECORD(RemoveHeadList(&Live), ENTRY, Link), TAG);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    KeInitializeSpinLock(&Lock);
    InitializeListHead(&Live);
    KeInitializeEvent(&Seen, NotificationEvent, FALSE);
    OB_OPERATION_REGISTRATION Operations[] = {
        { PsProcessType, OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE, OnOpen, NULL },
        { PsThreadType, OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE, OnOpen, NULL },
    };
    OB_CALLBACK_REGISTRATION Reg = { OB_FLT_REGISTRATION_VERSION, 2, RTL_CONSTANT_STRING(L"385200"), NULL,
                                     Operations };
    KT_EQ(ObRegisterCallbacks(&Reg, &Registration), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(OnProcess, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(OnThread), STATUS_SUCCESS);
    KT_EQ(PsSetLoadImageNotifyRoutine(OnImage), STATUS_SUCCESS);
    PETHREAD Creators[CREATORS];
    for (ULONG i = 0; i < CREATORS; i++)
        Creators[i] = KtStartThread(Creator, (PVOID)(ULONG_PTR)(i * ROUNDS));
    for (ULONG i = 0; i < CREATORS; i++)
        KtJoin(Creators[i]);
    KT_EQ(Failures, 0);
    KT_EQ(Processes, CREATORS * ROUNDS);
    KT_CHECK(Threads >= CREATORS * ROUNDS * 2);
    KT_CHECK(Images >= CREATORS * ROUNDS);
    KT_CHECK(Opens > 0);
    DbgPrint("clean churn: %d processes, %d threads, %d images, %d opens\n", (int)Processes, (int)Threads,
             (int)Images, (int)Opens);
    KT_DONE();
    return STATUS_SUCCESS;
}
