/*
 * NtDuplicateObject / ZwDuplicateObject: access (DUPLICATE_SAME_ACCESS or
 * the desired access through the generic mapping), attributes (OBJ_INHERIT,
 * DUPLICATE_SAME_ATTRIBUTES, kernel handles only into the System process
 * from kernel mode), DUPLICATE_CLOSE_SOURCE (with no target, and when the
 * duplicate fails), pseudo-handles as the source, bad arguments; across
 * processes: from the System process into a user process and back, and
 * from user mode, where both process handles need PROCESS_DUP_HANDLE,
 * kernel handles are not the caller's, and a bad output pointer is
 * STATUS_ACCESS_VIOLATION; a process that has ended takes no new handle.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

static HANDLE KernelEvent;              /* the driver's, kernel handle */
static volatile HANDLE EventInUser;     /* a duplicate of it in the user process */
static volatile HANDLE EventInSystem;   /* ... which the user process duplicates into the System process */
static volatile LONG Published, UserDone;
static PVOID volatile BadAddress = (PVOID)(ULONG_PTR)0x10;

static ACCESS_MASK Granted(HANDLE Handle, PVOID *Object, ULONG *Attributes)
{
    OBJECT_HANDLE_INFORMATION Info = { 0, 0 };
    PVOID Referenced = NULL;
    if (NT_SUCCESS(ObReferenceObjectByHandle(Handle, 0, NULL, KernelMode, &Referenced, &Info)))
        ObDereferenceObject(Referenced);
    if (Object != NULL)
        *Object = Referenced;
    if (Attributes != NULL)
        *Attributes = Info.HandleAttributes;
    return Info.GrantedAccess;
}

static VOID KernelCalls(VOID)
{
    HANDLE E = KernelEvent, D, D2;
    PVOID Event, Object;
    ULONG Attributes;
    Granted(E, &Event, NULL);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), E, NtCurrentProcess(), &D, 0, OBJ_KERNEL_HANDLE,
                            DUPLICATE_SAME_ACCESS), STATUS_SUCCESS);
    KT_CHECK((LONG_PTR)D < 0 && D != E);
    KT_EQ(Granted(D, &Object, &Attributes), EVENT_ALL_ACCESS);
    KT_CHECK(Object == Event);
    KT_EQ(Attributes, OBJ_KERNEL_HANDLE);
    KT_EQ(ZwClose(D), STATUS_SUCCESS);
    /* the desired access, through the type's generic mapping */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), E, NtCurrentProcess(), &D, GENERIC_READ, OBJ_KERNEL_HANDLE, 0),
          STATUS_SUCCESS);
    KT_EQ(Granted(D, NULL, NULL), STANDARD_RIGHTS_READ | EVENT_QUERY_STATE);
    KT_EQ(ZwClose(D), STATUS_SUCCESS);
    /* attributes as asked, or the source's */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), E, NtCurrentProcess(), &D, SYNCHRONIZE,
                            OBJ_KERNEL_HANDLE | OBJ_INHERIT, 0), STATUS_SUCCESS);
    Granted(D, NULL, &Attributes);
    KT_EQ(Attributes, OBJ_KERNEL_HANDLE | OBJ_INHERIT);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), D, NtCurrentProcess(), &D2, 0, 0,
                            DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES), STATUS_SUCCESS);
    KT_EQ(Granted(D2, NULL, &Attributes), SYNCHRONIZE);
    KT_EQ(Attributes, OBJ_KERNEL_HANDLE | OBJ_INHERIT);
    KT_EQ(ZwClose(D2), STATUS_SUCCESS);
    /* no OBJ_KERNEL_HANDLE: a handle of the System process's own */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), D, NtCurrentProcess(), &D2, 0, 0, DUPLICATE_SAME_ACCESS),
          STATUS_SUCCESS);
    KT_CHECK((LONG_PTR)D2 > 0);
    KT_EQ(ZwClose(D2), STATUS_SUCCESS);

    /* DUPLICATE_CLOSE_SOURCE alone closes; with a failing duplicate too */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), D, NULL, NULL, 0, 0, DUPLICATE_CLOSE_SOURCE), STATUS_SUCCESS);
    KT_EQ(Granted(D, NULL, NULL), 0);   /* gone */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), E, NtCurrentProcess(), &D, 0, OBJ_KERNEL_HANDLE,
                            DUPLICATE_SAME_ACCESS), STATUS_SUCCESS);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), D, (HANDLE)(ULONG_PTR)0x7FFC, &D2, 0, 0,
                            DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE), STATUS_INVALID_HANDLE);
    KT_EQ(Granted(D, NULL, NULL), 0);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), E, NtCurrentProcess(), &D, 0, OBJ_KERNEL_HANDLE,
                            DUPLICATE_SAME_ACCESS), STATUS_SUCCESS);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), D, NtCurrentProcess(), &D2, 0, OBJ_KERNEL_HANDLE,
                            DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE), STATUS_SUCCESS);
    KT_EQ(Granted(D, NULL, NULL), 0);
    KT_EQ(Granted(D2, NULL, NULL), EVENT_ALL_ACCESS);
    KT_EQ(ZwClose(D2), STATUS_SUCCESS);

    /* bad arguments */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), E, NULL, &D, 0, 0, DUPLICATE_SAME_ACCESS), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), E, NtCurrentProcess(), NULL, 0, 0, 0), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), E, NtCurrentProcess(), &D, 0, 0, 0x8), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), E, NtCurrentProcess(), &D, 0, 0x10000, 0), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), (HANDLE)(ULONG_PTR)0x7FFC, NtCurrentProcess(), &D, 0, 0, 0),
          STATUS_INVALID_HANDLE);
    KT_EQ(ZwDuplicateObject((HANDLE)(ULONG_PTR)0x7FFC, E, NtCurrentProcess(), &D, 0, 0, 0), STATUS_INVALID_HANDLE);
    KT_EQ(ZwDuplicateObject(NtCurrentThread(), E, NtCurrentProcess(), &D, 0, 0, 0), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), E, E, &D, 0, 0, 0), STATUS_OBJECT_TYPE_MISMATCH);

    /* pseudo-handles as the source: real handles to the process and thread */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), NtCurrentProcess(), NtCurrentProcess(), &D, 0, OBJ_KERNEL_HANDLE,
                            DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE), STATUS_SUCCESS);
    KT_EQ(Granted(D, &Object, NULL), PROCESS_ALL_ACCESS);
    KT_CHECK(Object == PsGetCurrentProcess());
    KT_EQ(ZwClose(D), STATUS_SUCCESS);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), NtCurrentThread(), NtCurrentProcess(), &D, SYNCHRONIZE,
                            OBJ_KERNEL_HANDLE, 0), STATUS_SUCCESS);
    KT_EQ(Granted(D, &Object, NULL), SYNCHRONIZE);
    KT_CHECK(Object == PsGetCurrentThread());
    KT_EQ(ZwClose(D), STATUS_SUCCESS);
}

/* ---- user mode ---------------------------------------------------------------------------------------- */

static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    LARGE_INTEGER Tick = { .QuadPart = KT_MS(1) };
    while (!InterlockedCompareExchange(&Published, 0, 0))
        NtDelayExecution(FALSE, &Tick);
    HANDLE Event = EventInUser, Copy;
    KT_EQ(NtSetEvent(Event, NULL), STATUS_SUCCESS);     /* the driver's event, through our own handle */
    KT_EQ(NtDuplicateObject(NtCurrentProcess(), Event, NtCurrentProcess(), &Copy, SYNCHRONIZE, OBJ_KERNEL_HANDLE,
                            0), STATUS_SUCCESS);
    KT_CHECK((LONG_PTR)Copy > 0);                       /* OBJ_KERNEL_HANDLE from user mode: ignored */
    KT_EQ(NtSetEvent(Copy, NULL), STATUS_ACCESS_DENIED);
    KT_EQ(NtDuplicateObject(NtCurrentProcess(), Copy, NULL, NULL, 0, 0, DUPLICATE_CLOSE_SOURCE), STATUS_SUCCESS);
    KT_EQ(NtClose(Copy), STATUS_INVALID_HANDLE);        /* closed by the duplicate call */

    /* PROCESS_DUP_HANDLE on both process handles */
    CLIENT_ID Self = { PsGetCurrentProcessId(), NULL };
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, NULL, 0, NULL, NULL);
    HANDLE Limited;
    KT_EQ(NtOpenProcess(&Limited, SYNCHRONIZE, &Oa, &Self), STATUS_SUCCESS);
    KT_EQ(NtDuplicateObject(Limited, Event, NtCurrentProcess(), &Copy, 0, 0, DUPLICATE_SAME_ACCESS),
          STATUS_ACCESS_DENIED);
    KT_EQ(NtDuplicateObject(NtCurrentProcess(), Event, Limited, &Copy, 0, 0, DUPLICATE_SAME_ACCESS),
          STATUS_ACCESS_DENIED);
    KT_EQ(NtClose(Limited), STATUS_SUCCESS);
    /* the driver's kernel handle is not ours to duplicate */
    KT_EQ(NtDuplicateObject(NtCurrentProcess(), KernelEvent, NtCurrentProcess(), &Copy, 0, 0, DUPLICATE_SAME_ACCESS),
          STATUS_INVALID_HANDLE);
    /* a bad output pointer: nothing is created, the source stays */
    KT_EQ(NtDuplicateObject(NtCurrentProcess(), Event, NtCurrentProcess(), BadAddress, 0, 0, DUPLICATE_SAME_ACCESS),
          STATUS_ACCESS_VIOLATION);
    KT_EQ(NtSetEvent(Event, NULL), STATUS_SUCCESS);

    /* into the System process, for the driver to use */
    CLIENT_ID System = { (HANDLE)4, NULL };
    HANDLE SystemProcess, InSystem;
    KT_EQ(NtOpenProcess(&SystemProcess, PROCESS_DUP_HANDLE, &Oa, &System), STATUS_SUCCESS);
    KT_EQ(NtDuplicateObject(NtCurrentProcess(), Event, SystemProcess, &InSystem, EVENT_MODIFY_STATE, 0, 0),
          STATUS_SUCCESS);
    KT_EQ(NtClose(SystemProcess), STATUS_SUCCESS);
    EventInSystem = InSystem;
    KT_EQ(NtClose(Event), STATUS_SUCCESS);
    InterlockedExchange(&UserDone, 1);
    return STATUS_SUCCESS;
}

static VOID AcrossProcesses(VOID)
{
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\dup.exe");
    /* with a command line: NtpsCreateProcess copies a NULL one with memcpy (UBSan) */
    UNICODE_STRING CommandLine = RTL_CONSTANT_STRING(L"test");
    NTPS_PROCESS_CREATE Create = { &Image, &CommandLine, SubsystemInformationTypeWin32, NULL, UserMain, NULL };
    HANDLE Process, InUser, Temporary;
    KT_EQ(NtpsCreateProcess(&Create, &Process, NULL), STATUS_SUCCESS);
    /* a kernel handle cannot go into a user process */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), KernelEvent, Process, &InUser, 0, OBJ_KERNEL_HANDLE,
                          DUPLICATE_SAME_ACCESS), STATUS_INVALID_PARAMETER);
    /* ... nor does DUPLICATE_SAME_ATTRIBUTES make one there */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), KernelEvent, Process, &Temporary, 0, 0,
                            DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES), STATUS_SUCCESS);
    KT_CHECK((LONG_PTR)Temporary > 0);
    /* closed there from here */
    KT_EQ(ZwDuplicateObject(Process, Temporary, NULL, NULL, 0, 0, DUPLICATE_CLOSE_SOURCE), STATUS_SUCCESS);
    KT_EQ(ZwDuplicateObject(Process, Temporary, NULL, NULL, 0, 0, DUPLICATE_CLOSE_SOURCE), STATUS_INVALID_HANDLE);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), KernelEvent, Process, &InUser, 0, 0, DUPLICATE_SAME_ACCESS),
          STATUS_SUCCESS);
    EventInUser = InUser;
    InterlockedExchange(&Published, 1);
    KT_EQ(ZwWaitForSingleObject(KernelEvent, FALSE, NULL), STATUS_SUCCESS);   /* set from user mode */
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(UserDone, 1);
    /* its handles are run down: it takes no new one */
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), KernelEvent, Process, &Temporary, 0, 0, DUPLICATE_SAME_ACCESS),
          STATUS_PROCESS_IS_TERMINATING);
    KT_EQ(ZwDuplicateObject(NtCurrentProcess(), Process, Process, &Temporary, 0, 0, DUPLICATE_SAME_ACCESS),
          STATUS_PROCESS_IS_TERMINATING);
    /* the user process put a handle in our (System) table */
    HANDLE InSystem = EventInSystem;
    PVOID Object, Event;
    Granted(KernelEvent, &Event, NULL);
    KT_EQ(Granted(InSystem, &Object, NULL), EVENT_MODIFY_STATE);
    KT_CHECK(Object == Event);
    KT_EQ(ZwResetEvent(InSystem, NULL), STATUS_SUCCESS);
    KT_EQ(ZwClose(InSystem), STATUS_SUCCESS);
    KT_EQ(ZwClose(Process), STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateEvent(&KernelEvent, EVENT_ALL_ACCESS, &Oa, NotificationEvent, FALSE), STATUS_SUCCESS);
    KernelCalls();
    AcrossProcesses();
    KT_EQ(ZwClose(KernelEvent), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
