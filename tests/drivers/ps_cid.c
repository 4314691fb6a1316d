/*
 * Client IDs: PIDs and TIDs come from one table, are multiples of 4, never
 * 0 for a real thread, unique while their objects live, and return to the
 * pool when the object is deleted. Exit statuses: STATUS_PENDING while the
 * thread runs, then what it ended with.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include "ktest.h"

#define THREADS 64

static KEVENT Release;

static VOID Parked(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Release, Executive, KernelMode, FALSE, NULL);
    PsTerminateSystemThread((NTSTATUS)0x1234);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Release, NotificationEvent, FALSE);
    PETHREAD Threads[THREADS];
    HANDLE Ids[THREADS];
    for (int i = 0; i < THREADS; i++) {
        HANDLE Handle;
        CLIENT_ID Cid;
        KT_EQ(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), &Cid, Parked, NULL),
              STATUS_SUCCESS);
        KT_EQ(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode, (PVOID *)&Threads[i], NULL),
              STATUS_SUCCESS);
        ZwClose(Handle);
        Ids[i] = Cid.UniqueThread;
        KT_CHECK(Ids[i] != NULL && ((ULONG_PTR)Ids[i] & 3) == 0);
        KT_CHECK(Ids[i] != (HANDLE)4);      /* the System process's ID is not reused */
        KT_EQ(Cid.UniqueProcess, (HANDLE)4);
        KT_EQ(PsGetThreadExitStatus(Threads[i]), STATUS_PENDING);
        KT_CHECK(PsIsSystemThread(Threads[i]));
        for (int j = 0; j < i; j++)
            KT_CHECK(Ids[j] != Ids[i]);
    }
    KeSetEvent(&Release, IO_NO_INCREMENT, FALSE);
    for (int i = 0; i < THREADS; i++) {
        KeWaitForSingleObject(Threads[i], Executive, KernelMode, FALSE, NULL);
        KT_EQ(PsGetThreadExitStatus(Threads[i]), 0x1234);
        KT_CHECK(PsIsThreadTerminating(Threads[i]));
    }
    /* while referenced, the IDs still name the (ended) threads */
    PETHREAD Found;
    KT_EQ(PsLookupThreadByThreadId(Ids[0], &Found), STATUS_SUCCESS);
    KT_CHECK(Found == Threads[0]);
    ObDereferenceObject(Found);
    for (int i = 0; i < THREADS; i++)
        ObDereferenceObject(Threads[i]);
    /* deleted: the IDs are free again, and new threads reuse them */
    KT_EQ(PsLookupThreadByThreadId(Ids[0], &Found), STATUS_INVALID_CID);
    HANDLE Handle;
    CLIENT_ID Cid;
    KT_EQ(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, &Cid, Parked, NULL), STATUS_SUCCESS);
    BOOLEAN Reused = FALSE;
    for (int i = 0; i < THREADS; i++)
        Reused |= Ids[i] == Cid.UniqueThread;
    KT_CHECK(Reused);
    ZwClose(Handle);

    /* a process ID is not a thread ID and the reverse */
    PEPROCESS Process;
    KT_EQ(PsLookupProcessByProcessId(Cid.UniqueThread, &Process), STATUS_INVALID_CID);
    KT_EQ(PsLookupThreadByThreadId((HANDLE)4, &Found), STATUS_INVALID_CID);
    KT_EQ(PsLookupThreadByThreadId(NULL, &Found), STATUS_INVALID_CID);
    KT_EQ(PsLookupProcessByProcessId((HANDLE)0, &Process), STATUS_INVALID_CID);

    /* bad arguments */
    OBJECT_ATTRIBUTES Permanent;
    InitializeObjectAttributes(&Permanent, NULL, OBJ_PERMANENT | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, &Permanent, NULL, NULL, Parked, NULL),
          STATUS_INVALID_PARAMETER);
    KT_EQ(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, (HANDLE)(ULONG_PTR)0x7FFF0, NULL, Parked, NULL),
          STATUS_INVALID_HANDLE);
    KT_DONE();
    return STATUS_SUCCESS;
}
