/*
 * Events, mutants and semaphores by handle from a driver (Zw*, previous
 * mode KernelMode): their states and outputs, bad arguments, named objects
 * (create/open, OBJ_OPENIF, collisions, type mismatches, case rules, bad
 * names, lifetime with the last handle, OBJ_PERMANENT and
 * ZwMakeTemporaryObject), and ZwWaitForMultipleObjects (argument checks,
 * more objects than the thread's own wait blocks, mutant abandonment).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

static OBJECT_ATTRIBUTES Oa;
static UNICODE_STRING NameString;

/* Kernel-handle attributes naming Name (NULL: unnamed). */
static POBJECT_ATTRIBUTES Named(PCWSTR Name, ULONG Attributes)
{
    RtlInitUnicodeString(&NameString, Name);
    InitializeObjectAttributes(&Oa, Name != NULL ? &NameString : NULL, Attributes | OBJ_KERNEL_HANDLE, NULL, NULL);
    return &Oa;
}

static PVOID ObjectOf(HANDLE Handle)
{
    PVOID Object = NULL;
    if (NT_SUCCESS(ObReferenceObjectByHandle(Handle, 0, NULL, KernelMode, &Object, NULL)))
        ObDereferenceObject(Object);
    return Object;
}

static VOID Events(VOID)
{
    HANDLE E;
    LONG Previous = 7;
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_EQ(ZwCreateEvent(&E, EVENT_ALL_ACCESS, Named(NULL, 0), NotificationEvent, FALSE), STATUS_SUCCESS);
    KT_CHECK((LONG_PTR)E < 0);
    PKEVENT Event;
    KT_EQ(ObReferenceObjectByHandle(E, EVENT_MODIFY_STATE, *ExEventObjectType, KernelMode, (PVOID *)&Event, NULL),
          STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(E, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(ZwSetEvent(E, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 0);
    KT_EQ(KeReadStateEvent(Event), 1);      /* the body is the KEVENT */
    KT_EQ(ZwSetEvent(E, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 1);
    KT_EQ(ZwWaitForSingleObject(E, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(E, FALSE, NULL), STATUS_SUCCESS);    /* notification: stays set */
    KT_EQ(ZwResetEvent(E, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 1);
    KT_EQ(ZwPulseEvent(E, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 0);
    KT_EQ(KeReadStateEvent(Event), 0);
    KT_EQ(ZwSetEvent(E, NULL), STATUS_SUCCESS);
    KT_EQ(ZwClearEvent(E), STATUS_SUCCESS);
    KT_EQ(KeReadStateEvent(Event), 0);
    ObDereferenceObject(Event);
    KT_EQ(ZwClose(E), STATUS_SUCCESS);

    /* synchronization: a wait consumes the signal */
    KT_EQ(ZwCreateEvent(&E, EVENT_ALL_ACCESS, NULL, SynchronizationEvent, TRUE), STATUS_SUCCESS);
    KT_CHECK((LONG_PTR)E > 0);          /* no OBJ_KERNEL_HANDLE: the System process's own table */
    KT_EQ(ZwWaitForSingleObject(E, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(E, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(ZwClose(E), STATUS_SUCCESS);

    KT_EQ(ZwCreateEvent(&E, EVENT_ALL_ACCESS, NULL, (EVENT_TYPE)2, FALSE), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwSetEvent(NULL, NULL), STATUS_INVALID_HANDLE);
    HANDLE Thread;
    KT_EQ(ObOpenObjectByPointer(PsGetCurrentThread(), OBJ_KERNEL_HANDLE, NULL, SYNCHRONIZE, *PsThreadType,
                                KernelMode, &Thread), STATUS_SUCCESS);
    KT_EQ(ZwSetEvent(Thread, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwClose(Thread), STATUS_SUCCESS);
}

static VOID Names(VOID)
{
    const PCWSTR Name = L"\\BaseNamedObjects\\ObSyncKernelEvent";
    HANDLE A, B, C;
    KT_EQ(ZwOpenEvent(&A, EVENT_ALL_ACCESS, Named(Name, 0)), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(ZwCreateEvent(&A, EVENT_ALL_ACCESS, Named(Name, 0), NotificationEvent, FALSE), STATUS_SUCCESS);
    KT_EQ(ZwCreateEvent(&B, EVENT_ALL_ACCESS, Named(Name, 0), NotificationEvent, FALSE),
          STATUS_OBJECT_NAME_COLLISION);
    KT_EQ(ZwCreateEvent(&B, EVENT_ALL_ACCESS, Named(Name, OBJ_OPENIF), NotificationEvent, TRUE),
          STATUS_OBJECT_NAME_EXISTS);
    KT_CHECK(ObjectOf(B) == ObjectOf(A));
    KT_EQ(ZwOpenEvent(&C, SYNCHRONIZE, Named(Name, 0)), STATUS_SUCCESS);
    KT_CHECK(ObjectOf(C) == ObjectOf(A));
    KT_EQ(ZwSetEvent(B, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(C, FALSE, NULL), STATUS_SUCCESS);  /* the same event */
    KT_EQ(ZwClose(C), STATUS_SUCCESS);

    /* another type under that name */
    KT_EQ(ZwOpenSemaphore(&C, SEMAPHORE_ALL_ACCESS, Named(Name, 0)), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwOpenMutant(&C, MUTANT_ALL_ACCESS, Named(Name, 0)), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwCreateSemaphore(&C, SEMAPHORE_ALL_ACCESS, Named(Name, OBJ_OPENIF), 0, 1), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwCreateMutant(&C, MUTANT_ALL_ACCESS, Named(Name, 0), TRUE), STATUS_OBJECT_NAME_COLLISION);

    /* directories match whatever the case; the last component exactly,
     * unless OBJ_CASE_INSENSITIVE */
    KT_EQ(ZwOpenEvent(&C, SYNCHRONIZE, Named(L"\\BASENAMEDOBJECTS\\ObSyncKernelEvent", 0)), STATUS_SUCCESS);
    KT_EQ(ZwClose(C), STATUS_SUCCESS);
    KT_EQ(ZwOpenEvent(&C, SYNCHRONIZE, Named(L"\\BaseNamedObjects\\OBSYNCKERNELEVENT", 0)),
          STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(ZwOpenEvent(&C, SYNCHRONIZE, Named(L"\\BaseNamedObjects\\OBSYNCKERNELEVENT", OBJ_CASE_INSENSITIVE)),
          STATUS_SUCCESS);
    KT_CHECK(ObjectOf(C) == ObjectOf(A));
    KT_EQ(ZwClose(C), STATUS_SUCCESS);
    KT_EQ(ZwCreateEvent(&C, EVENT_ALL_ACCESS, Named(L"\\BaseNamedObjects\\obsynckernelevent", 0), NotificationEvent,
                        FALSE), STATUS_SUCCESS);    /* a different name */
    KT_CHECK(ObjectOf(C) != ObjectOf(A));
    KT_EQ(ZwClose(C), STATUS_SUCCESS);

    /* the name goes with the last handle */
    KT_EQ(ZwClose(A), STATUS_SUCCESS);
    KT_EQ(ZwOpenEvent(&C, SYNCHRONIZE, Named(Name, 0)), STATUS_SUCCESS);
    KT_EQ(ZwClose(C), STATUS_SUCCESS);
    KT_EQ(ZwClose(B), STATUS_SUCCESS);
    KT_EQ(ZwOpenEvent(&C, SYNCHRONIZE, Named(Name, 0)), STATUS_OBJECT_NAME_NOT_FOUND);
}

static VOID BadNames(VOID)
{
    HANDLE H;
    KT_EQ(ZwCreateEvent(&H, EVENT_ALL_ACCESS, Named(L"Relative", 0), NotificationEvent, FALSE),
          STATUS_OBJECT_PATH_SYNTAX_BAD);
    KT_EQ(ZwOpenEvent(&H, SYNCHRONIZE, Named(L"Relative", 0)), STATUS_OBJECT_PATH_SYNTAX_BAD);
    KT_EQ(ZwCreateEvent(&H, EVENT_ALL_ACCESS, Named(L"\\NoSuchDirectory\\X", 0), NotificationEvent, FALSE),
          STATUS_OBJECT_PATH_NOT_FOUND);
    KT_EQ(ZwCreateEvent(&H, EVENT_ALL_ACCESS, Named(L"\\BaseNamedObjects\\", 0), NotificationEvent, FALSE),
          STATUS_OBJECT_NAME_INVALID);
    KT_EQ(ZwOpenEvent(&H, SYNCHRONIZE, Named(L"\\BaseNamedObjects", 0)), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwCreateEvent(&H, EVENT_ALL_ACCESS, Named(L"\\BaseNamedObjects", 0), NotificationEvent, FALSE),
          STATUS_OBJECT_NAME_COLLISION);
    KT_EQ(ZwOpenEvent(&H, SYNCHRONIZE, Named(L"", 0)), STATUS_OBJECT_NAME_INVALID);
    KT_EQ(ZwOpenEvent(&H, SYNCHRONIZE, Named(NULL, 0)), STATUS_OBJECT_NAME_INVALID);
    /* an empty name is no name */
    KT_EQ(ZwCreateEvent(&H, EVENT_ALL_ACCESS, Named(L"", 0), NotificationEvent, FALSE), STATUS_SUCCESS);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);
    /* the root itself, and objects directly in it */
    KT_EQ(ZwOpenEvent(&H, SYNCHRONIZE, Named(L"\\", 0)), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwCreateEvent(&H, EVENT_ALL_ACCESS, Named(L"\\ObSyncRootEvent", 0), NotificationEvent, FALSE),
          STATUS_SUCCESS);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);
    /* a RootDirectory handle must be a directory: there are none here */
    HANDLE Root;
    KT_EQ(ZwCreateEvent(&Root, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_SUCCESS);
    OBJECT_ATTRIBUTES Relative;
    UNICODE_STRING Leaf = RTL_CONSTANT_STRING(L"Leaf");
    InitializeObjectAttributes(&Relative, &Leaf, OBJ_KERNEL_HANDLE, Root, NULL);
    KT_EQ(ZwCreateEvent(&H, EVENT_ALL_ACCESS, &Relative, NotificationEvent, FALSE), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwClose(Root), STATUS_SUCCESS);
    Relative.RootDirectory = (HANDLE)(ULONG_PTR)0x7FFC;
    KT_EQ(ZwOpenEvent(&H, SYNCHRONIZE, &Relative), STATUS_INVALID_HANDLE);
    /* the structure itself */
    Named(L"\\BaseNamedObjects\\X", 0)->Length = 8;
    KT_EQ(ZwCreateEvent(&H, EVENT_ALL_ACCESS, &Oa, NotificationEvent, FALSE), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwCreateEvent(&H, EVENT_ALL_ACCESS, Named(NULL, 0x10000), NotificationEvent, FALSE),
          STATUS_INVALID_PARAMETER);
    NameString.Length = 3;
    InitializeObjectAttributes(&Oa, &NameString, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateEvent(&H, EVENT_ALL_ACCESS, &Oa, NotificationEvent, FALSE), STATUS_OBJECT_NAME_INVALID);
}

static VOID Permanent(VOID)
{
    const PCWSTR Name = L"\\KernelObjects\\ObSyncPermanent";
    HANDLE H;
    KT_EQ(ZwCreateSemaphore(&H, SEMAPHORE_ALL_ACCESS, Named(Name, OBJ_PERMANENT), 2, 5), STATUS_SUCCESS);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);
    KT_EQ(ZwOpenSemaphore(&H, SEMAPHORE_ALL_ACCESS, Named(Name, 0)), STATUS_SUCCESS);  /* still there */
    LONG Previous;
    KT_EQ(ZwReleaseSemaphore(H, 1, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 2);                                                          /* the same object */
    KT_EQ(ZwMakeTemporaryObject(H), STATUS_SUCCESS);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);
    KT_EQ(ZwOpenSemaphore(&H, SEMAPHORE_ALL_ACCESS, Named(Name, 0)), STATUS_OBJECT_NAME_NOT_FOUND);
}

static VOID Semaphores(VOID)
{
    HANDLE S;
    LONG Previous = 9;
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_EQ(ZwCreateSemaphore(&S, SEMAPHORE_ALL_ACCESS, NULL, 3, 2), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwCreateSemaphore(&S, SEMAPHORE_ALL_ACCESS, NULL, 0, 0), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwCreateSemaphore(&S, SEMAPHORE_ALL_ACCESS, NULL, -1, 2), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwCreateSemaphore(&S, SEMAPHORE_ALL_ACCESS, Named(NULL, 0), 1, 2), STATUS_SUCCESS);
    KT_EQ(ZwReleaseSemaphore(S, 0, NULL), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwReleaseSemaphore(S, -1, NULL), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwReleaseSemaphore(S, 2, &Previous), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    KT_EQ(Previous, 9);                                 /* untouched on failure */
    KT_EQ(ZwReleaseSemaphore(S, 1, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 1);
    KT_EQ(ZwReleaseSemaphore(S, 1, NULL), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    KT_EQ(ZwWaitForSingleObject(S, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(S, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(S, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(ZwReleaseSemaphore(S, 2, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 0);
    KT_EQ(ZwClose(S), STATUS_SUCCESS);
}

static HANDLE SharedMutant;
static KEVENT Taken, Release;

/* Takes the mutant and ends owning it (abandoned), or releases it first. */
static VOID MutantOwner(PVOID Context)
{
    KT_EQ(ZwWaitForSingleObject(SharedMutant, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(ZwReleaseMutant(SharedMutant, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(SharedMutant, FALSE, NULL), STATUS_SUCCESS);
    KeSetEvent(&Taken, 0, FALSE);
    KeWaitForSingleObject(&Release, Executive, KernelMode, FALSE, NULL);
    if (Context != NULL)
        KT_EQ(ZwReleaseMutant(SharedMutant, NULL), STATUS_SUCCESS);
}

static VOID Mutants(VOID)
{
    LONG Previous = 5;
    HANDLE M;
    KT_EQ(ZwCreateMutant(&M, MUTANT_ALL_ACCESS, Named(NULL, 0), TRUE), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(M, FALSE, NULL), STATUS_SUCCESS);   /* recursive */
    KT_EQ(ZwReleaseMutant(M, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, -1);
    KT_EQ(ZwReleaseMutant(M, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 0);
    KT_EQ(ZwReleaseMutant(M, &Previous), STATUS_MUTANT_NOT_OWNED);
    KT_EQ(ZwClose(M), STATUS_SUCCESS);
    /* owned by a thread when the last handle goes: it is released */
    KT_EQ(ZwCreateMutant(&M, MUTANT_ALL_ACCESS, Named(NULL, 0), TRUE), STATUS_SUCCESS);
    KT_EQ(ZwClose(M), STATUS_SUCCESS);

    KT_EQ(ZwCreateMutant(&SharedMutant, MUTANT_ALL_ACCESS, Named(NULL, 0), FALSE), STATUS_SUCCESS);
    for (int Abandon = 1; Abandon >= 0; Abandon--) {
        KeInitializeEvent(&Taken, NotificationEvent, FALSE);
        KeInitializeEvent(&Release, NotificationEvent, FALSE);
        PETHREAD Owner = KtStartThread(MutantOwner, Abandon ? NULL : (PVOID)1);
        KeWaitForSingleObject(&Taken, Executive, KernelMode, FALSE, NULL);
        KT_EQ(ZwReleaseMutant(SharedMutant, NULL), STATUS_MUTANT_NOT_OWNED);   /* not ours */
        KeSetEvent(&Release, 0, FALSE);
        KtJoin(Owner);
        KT_EQ(ZwWaitForSingleObject(SharedMutant, FALSE, NULL), Abandon ? STATUS_ABANDONED : STATUS_SUCCESS);
        KT_EQ(ZwReleaseMutant(SharedMutant, NULL), STATUS_SUCCESS);
    }
    /* abandoned again, seen by a multiple wait at its index */
    KeInitializeEvent(&Taken, NotificationEvent, FALSE);
    KeInitializeEvent(&Release, NotificationEvent, TRUE);
    KtJoin(KtStartThread(MutantOwner, NULL));
    HANDLE Signaled;
    KT_EQ(ZwCreateEvent(&Signaled, EVENT_ALL_ACCESS, Named(NULL, 0), NotificationEvent, TRUE), STATUS_SUCCESS);
    HANDLE Both[2] = { Signaled, SharedMutant };
    KT_EQ(ZwWaitForMultipleObjects(2, Both, WaitAll, FALSE, NULL), STATUS_ABANDONED_WAIT_0 + 1);
    KT_EQ(ZwReleaseMutant(SharedMutant, NULL), STATUS_SUCCESS);
    KT_EQ(ZwClose(Signaled), STATUS_SUCCESS);
    KT_EQ(ZwClose(SharedMutant), STATUS_SUCCESS);
}

static VOID WaitMultiple(HANDLE DriverHandle)
{
    HANDLE Events[MAXIMUM_WAIT_OBJECTS + 1];
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    for (int i = 0; i < 10; i++)
        KT_EQ(ZwCreateEvent(&Events[i], EVENT_ALL_ACCESS, Named(NULL, 0), NotificationEvent, FALSE),
              STATUS_SUCCESS);
    KT_EQ(ZwWaitForMultipleObjects(0, Events, WaitAny, FALSE, NULL), STATUS_INVALID_PARAMETER_1);
    KT_EQ(ZwWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, Events, WaitAny, FALSE, NULL),
          STATUS_INVALID_PARAMETER_1);
    KT_EQ(ZwWaitForMultipleObjects(2, Events, (WAIT_TYPE)2, FALSE, NULL), STATUS_INVALID_PARAMETER_3);
    /* more objects than THREAD_WAIT_OBJECTS */
    KT_EQ(ZwWaitForMultipleObjects(10, Events, WaitAny, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(ZwSetEvent(Events[7], NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForMultipleObjects(10, Events, WaitAny, FALSE, NULL), STATUS_WAIT_0 + 7);
    KT_EQ(ZwWaitForMultipleObjects(10, Events, WaitAll, FALSE, &Zero), STATUS_TIMEOUT);
    for (int i = 0; i < 10; i++)
        ZwSetEvent(Events[i], NULL);
    KT_EQ(ZwWaitForMultipleObjects(10, Events, WaitAll, FALSE, NULL), STATUS_SUCCESS);
    /* the same object twice: fine for WaitAny, not for WaitAll */
    HANDLE Again;
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), Events[0], NtCurrentProcess(), &Again, 0, OBJ_KERNEL_HANDLE,
                            DUPLICATE_SAME_ACCESS), STATUS_SUCCESS);
    HANDLE Pair[2] = { Events[0], Again };
    KT_EQ(ZwWaitForMultipleObjects(2, Pair, WaitAny, FALSE, NULL), STATUS_WAIT_0);
    KT_EQ(ZwWaitForMultipleObjects(2, Pair, WaitAll, FALSE, NULL), STATUS_INVALID_PARAMETER_MIX);
    Pair[1] = Events[0];
    KT_EQ(ZwWaitForMultipleObjects(2, Pair, WaitAll, FALSE, NULL), STATUS_INVALID_PARAMETER_MIX);
    KT_EQ(ZwClose(Again), STATUS_SUCCESS);
    /* a bad handle, and an object that cannot be waited on */
    Pair[1] = (HANDLE)(ULONG_PTR)0x7FFC;
    KT_EQ(ZwWaitForMultipleObjects(2, Pair, WaitAny, FALSE, NULL), STATUS_INVALID_HANDLE);
    Pair[1] = DriverHandle;
    KT_EQ(ZwWaitForMultipleObjects(2, Pair, WaitAny, FALSE, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwWaitForSingleObject(DriverHandle, FALSE, &Zero), STATUS_OBJECT_TYPE_MISMATCH);
    /* all 64 */
    for (int i = 10; i < MAXIMUM_WAIT_OBJECTS; i++)
        KT_EQ(ZwCreateEvent(&Events[i], EVENT_ALL_ACCESS, Named(NULL, 0), NotificationEvent, TRUE),
              STATUS_SUCCESS);
    KT_EQ(ZwWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Events, WaitAll, FALSE, NULL), STATUS_SUCCESS);
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++)
        KT_EQ(ZwClose(Events[i]), STATUS_SUCCESS);
}

/* A named event opened by a thread that waits on it. */
static VOID NamedWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    HANDLE E;
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\ObSyncKernelGo");
    InitializeObjectAttributes(&Attributes, &Name, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenEvent(&E, SYNCHRONIZE, &Attributes), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(E, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(ZwClose(E), STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    Events();
    Names();
    BadNames();
    Permanent();
    Semaphores();
    Mutants();
    HANDLE Driver;
    KT_EQ(ObOpenObjectByPointer(DriverObject, OBJ_KERNEL_HANDLE, NULL, 0, NULL, KernelMode, &Driver), STATUS_SUCCESS);
    WaitMultiple(Driver);
    KT_EQ(ZwClose(Driver), STATUS_SUCCESS);

    HANDLE Go;
    KT_EQ(ZwCreateEvent(&Go, EVENT_ALL_ACCESS, Named(L"\\BaseNamedObjects\\ObSyncKernelGo", 0), NotificationEvent,
                        FALSE), STATUS_SUCCESS);
    PETHREAD Waiter = KtStartThread(NamedWaiter, NULL);
    KtSleep(5);
    KT_EQ(ZwSetEvent(Go, NULL), STATUS_SUCCESS);
    KtJoin(Waiter);
    KT_EQ(ZwClose(Go), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
