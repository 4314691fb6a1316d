/*
 * CallbackUserModeService: a thread notify routine that waits (with a
 * timeout) for the user process the thread belongs to, and one that waits
 * for a named event a user process created: both depend on user-mode code
 * to make progress. A wait in the same routine on a driver's own event is
 * a plain CallbackBlockingWait.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^VERIFIER CallbackUserModeService: KeWaitForSingleObject in a thread notify routine waits with a timeout of 1.000 ms for the user process [0-9]+ \(conhost.exe\): a callback must not depend on user-mode code$
// NTPS-TEST: expect ^VERIFIER CallbackUserModeService: KeWaitForSingleObject in a thread notify routine waits with a timeout of 1.000 ms for an event a user process has a handle to
// NTPS-TEST: expect ^VERIFIER CallbackBlockingWait: KeWaitForSingleObject in a thread notify routine blocks on a notification event
// NTPS-TEST: expect ^driver: vf_user_mode_service.so  at vf_user_mode_service.so!Notify\+
// NTPS-TEST: expect ^ntps: verifier: 3 reports \(standard\)$
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\conhost.exe");
static UNICODE_STRING EventName = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\VfUserEvent");
static KEVENT Own;
static volatile LONG Checked;

static VOID Notify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ThreadId);
    /* the second thread of the user process: it runs this in the process */
    if (!Create || PsGetCurrentProcessId() != ProcessId || InterlockedCompareExchange(&Checked, 1, 0) != 0)
        return;
    LARGE_INTEGER Timeout = { .QuadPart = KT_MS(1) };
    PEPROCESS Process;
    if (NT_SUCCESS(PsLookupProcessByProcessId(ProcessId, &Process))) {
        KeWaitForSingleObject(Process, Executive, KernelMode, FALSE, &Timeout);
        ObDereferenceObject(Process);
    }
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, &EventName, OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE Handle;
    if (NT_SUCCESS(ZwOpenEvent(&Handle, SYNCHRONIZE, &Oa))) {
        PKEVENT Event;
        if (NT_SUCCESS(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *ExEventObjectType, KernelMode,
                                                 (PVOID *)&Event, NULL))) {
            KeWaitForSingleObject(Event, Executive, KernelMode, FALSE, &Timeout);
            ObDereferenceObject(Event);
        }
        ZwClose(Handle);
    }
    KeWaitForSingleObject(&Own, Executive, KernelMode, FALSE, &Timeout);
}

static NTSTATUS NTAPI Second(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return 0;
}

static NTSTATUS NTAPI Main(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, &EventName, 0, NULL, NULL);
    HANDLE Event, Thread;
    if (!NT_SUCCESS(NtCreateEvent(&Event, EVENT_ALL_ACCESS, &Oa, NotificationEvent, FALSE)))
        return 1;
    if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Second, NULL, &Thread, NULL)))
        return 2;
    NtWaitForSingleObject(Thread, FALSE, NULL);
    NtClose(Thread);
    NtClose(Event);
    return 0;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsRemoveCreateThreadNotifyRoutine(Notify);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    KeInitializeEvent(&Own, NotificationEvent, FALSE);
    KT_EQ(PsSetCreateThreadNotifyRoutine(Notify), STATUS_SUCCESS);
    KT_EQ(KtRunProcess(&Image, NULL, SubsystemInformationTypeWin32, Main, NULL, NULL), 0);
    KT_EQ(Checked, 1);
    KT_DONE();
    return STATUS_SUCCESS;
}
