/*
 * Conformance (from the WDK pages): ObReferenceObjectByHandle's statuses.
 * - the wrong ObjectType: STATUS_OBJECT_TYPE_MISMATCH; NULL type: any object;
 * - AccessMode UserMode: the desired access is checked against the
 *   handle's granted access (STATUS_ACCESS_DENIED); KernelMode: always
 *   allowed; a kernel handle (OBJ_KERNEL_HANDLE) from UserMode:
 *   STATUS_INVALID_HANDLE; a closed or never-opened handle:
 *   STATUS_INVALID_HANDLE;
 * - NtCurrentProcess()/NtCurrentThread() name the current objects;
 * - HandleInformation gets the handle's GrantedAccess;
 * - ObOpenObjectByPointer grants the access asked for;
 * - ObCloseHandle: a kernel handle is closed with KernelMode; with UserMode
 *   it is not a valid handle (STATUS_INVALID_HANDLE) and stays open.
 * DriverEntry runs in the System process: handles opened without
 * OBJ_KERNEL_HANDLE are in its (non-kernel) handle table.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include "ktest.h"

static VOID TypeChecks(VOID)
{
    HANDLE Event;
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateEvent(&Event, EVENT_ALL_ACCESS, &Oa, NotificationEvent, FALSE), STATUS_SUCCESS);
    PVOID Object = (PVOID)(ULONG_PTR)1;
    KT_EQ(ObReferenceObjectByHandle(Event, SYNCHRONIZE, *PsProcessType, KernelMode, &Object, NULL),
          STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ObReferenceObjectByHandle(Event, SYNCHRONIZE, *PsThreadType, KernelMode, &Object, NULL),
          STATUS_OBJECT_TYPE_MISMATCH);
    NTSTATUS Status = ObReferenceObjectByHandle(Event, SYNCHRONIZE, *ExEventObjectType, KernelMode, &Object, NULL);
    KT_EQ(Status, STATUS_SUCCESS);
    if (NT_SUCCESS(Status)) {
        KT_EQ(KeReadStateEvent((PRKEVENT)Object), 0);
        ObDereferenceObject(Object);
    }
    KT_EQ(ObReferenceObjectByHandle(Event, SYNCHRONIZE, NULL, KernelMode, &Object, NULL), STATUS_SUCCESS);
    ObDereferenceObject(Object);
    /* a kernel handle is not valid from user mode */
    KT_EQ(ObReferenceObjectByHandle(Event, SYNCHRONIZE, *ExEventObjectType, UserMode, &Object, NULL),
          STATUS_INVALID_HANDLE);
    KT_EQ(ZwClose(Event), STATUS_SUCCESS);
    KT_EQ(ObReferenceObjectByHandle(Event, SYNCHRONIZE, *ExEventObjectType, KernelMode, &Object, NULL),
          STATUS_INVALID_HANDLE);
    KT_EQ(ObReferenceObjectByHandle(NULL, SYNCHRONIZE, NULL, KernelMode, &Object, NULL), STATUS_INVALID_HANDLE);
}

static VOID Pseudo(VOID)
{
    PVOID Object = NULL;
    KT_EQ(ObReferenceObjectByHandle(NtCurrentProcess(), PROCESS_ALL_ACCESS, *PsProcessType, KernelMode,
                                    &Object, NULL), STATUS_SUCCESS);
    KT_CHECK(Object == PsGetCurrentProcess());
    if (Object != NULL)
        ObDereferenceObject(Object);
    Object = NULL;
    KT_EQ(ObReferenceObjectByHandle(NtCurrentThread(), THREAD_ALL_ACCESS, *PsThreadType, KernelMode,
                                    &Object, NULL), STATUS_SUCCESS);
    KT_CHECK(Object == PsGetCurrentThread());
    if (Object != NULL)
        ObDereferenceObject(Object);
    KT_EQ(ObReferenceObjectByHandle(NtCurrentThread(), SYNCHRONIZE, *PsProcessType, KernelMode, &Object, NULL),
          STATUS_OBJECT_TYPE_MISMATCH);
}

static VOID AccessChecks(VOID)
{
    HANDLE Handle = NULL;
    /* a handle in the System process's table with SYNCHRONIZE only */
    KT_EQ(ObOpenObjectByPointer(PsGetCurrentThread(), 0, NULL, SYNCHRONIZE, *PsThreadType, KernelMode, &Handle),
          STATUS_SUCCESS);
    PVOID Object = NULL;
    OBJECT_HANDLE_INFORMATION Info = { 0, 0 };
    KT_EQ(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, UserMode, &Object, &Info), STATUS_SUCCESS);
    KT_CHECK(Object == PsGetCurrentThread());
    KT_EQ(Info.GrantedAccess, SYNCHRONIZE);
    if (Object != NULL)
        ObDereferenceObject(Object);
    Object = (PVOID)(ULONG_PTR)1;
    KT_EQ(ObReferenceObjectByHandle(Handle, THREAD_ALERT, *PsThreadType, UserMode, &Object, NULL),
          STATUS_ACCESS_DENIED);
    /* KernelMode: the requested access is always allowed */
    Object = NULL;
    KT_EQ(ObReferenceObjectByHandle(Handle, THREAD_ALERT, *PsThreadType, KernelMode, &Object, NULL),
          STATUS_SUCCESS);
    if (Object != NULL)
        ObDereferenceObject(Object);
    KT_EQ(ZwClose(Handle), STATUS_SUCCESS);
}

static VOID Closing(VOID)
{
    HANDLE Event;
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateEvent(&Event, EVENT_ALL_ACCESS, &Oa, SynchronizationEvent, FALSE), STATUS_SUCCESS);
    KT_EQ(ObCloseHandle(Event, UserMode), STATUS_INVALID_HANDLE);
    PVOID Object = NULL;
    KT_EQ(ObReferenceObjectByHandle(Event, SYNCHRONIZE, *ExEventObjectType, KernelMode, &Object, NULL),
          STATUS_SUCCESS);
    if (Object != NULL)
        ObDereferenceObject(Object);
    KT_EQ(ObCloseHandle(Event, KernelMode), STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    TypeChecks();
    Pseudo();
    AccessChecks();
    Closing();
    KT_DONE();
    return STATUS_SUCCESS;
}
