/*
 * System threads: IDs, the System process, start context, exit status,
 * thread objects signaled at termination, look-ups by ID.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include "ktest.h"

static VOID ReturningThread(PVOID Context)
{
    *(volatile LONG *)Context = 1;
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_CHECK(KeAreApcsDisabled());      /* documented: starts in a critical region */
    KT_CHECK(PsIsSystemThread(PsGetCurrentThread()));
    KT_EQ(PsGetCurrentProcessId(), (HANDLE)4);
}

static VOID TerminatingThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PsTerminateSystemThread(STATUS_UNSUCCESSFUL);
    KT_CHECK(!"PsTerminateSystemThread returned");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KT_EQ(PsGetCurrentProcessId(), (HANDLE)4);
    KT_CHECK(PsGetCurrentProcess() == PsInitialSystemProcess);
    KT_EQ(PsGetProcessId(PsInitialSystemProcess), (HANDLE)4);

    volatile LONG Ran = 0;
    HANDLE Handle;
    CLIENT_ID Cid;
    KT_EQ(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, &Cid, ReturningThread, (PVOID)&Ran),
          STATUS_SUCCESS);
    KT_CHECK((LONG_PTR)Handle < 0);     /* a kernel handle */
    KT_EQ(Cid.UniqueProcess, (HANDLE)4);
    KT_CHECK(Cid.UniqueThread != NULL && ((ULONG_PTR)Cid.UniqueThread & 3) == 0);
    PETHREAD Thread;
    KT_EQ(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode, (PVOID *)&Thread, NULL),
          STATUS_SUCCESS);
    KT_EQ(PsGetThreadId(Thread), Cid.UniqueThread);
    KT_EQ(PsGetThreadProcessId(Thread), (HANDLE)4);
    KT_EQ(KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(Ran, 1);
    KT_EQ(PsGetThreadExitStatus(Thread), STATUS_SUCCESS);
    PETHREAD Found;
    KT_EQ(PsLookupThreadByThreadId(Cid.UniqueThread, &Found), STATUS_SUCCESS);
    KT_CHECK(Found == Thread);
    ObDereferenceObject(Found);
    ObDereferenceObject(Thread);
    KT_EQ(ZwClose(Handle), STATUS_SUCCESS);
    KT_EQ(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode, (PVOID *)&Thread, NULL),
          STATUS_INVALID_HANDLE);     /* closed (closing it again would be bug check 0x93) */

    PETHREAD T2 = KtStartThread(TerminatingThread, NULL);
    KT_CHECK(T2 != NULL);
    KtJoin(T2);

    PEPROCESS Process;
    KT_EQ(PsLookupProcessByProcessId((HANDLE)4, &Process), STATUS_SUCCESS);
    KT_CHECK(Process == PsInitialSystemProcess);
    ObDereferenceObject(Process);
    KT_EQ(PsLookupProcessByProcessId((HANDLE)0x7ffffff0, &Process), STATUS_INVALID_CID);
    KT_EQ(PsLookupThreadByThreadId((HANDLE)0x7ffffff0, &Found), STATUS_INVALID_CID);
    KT_DONE();
    return STATUS_SUCCESS;
}
