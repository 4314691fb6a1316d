/*
 * Handles and references: ObReferenceObjectByHandle's type and access
 * checks and documented statuses, kernel handles, pseudo-handles,
 * ObOpenObjectByPointer, ObReferenceObjectByPointer, ZwClose, and object
 * lifetime (an object lives while a reference or handle does). Closing a
 * bad handle from kernel mode is a bug check: ob_close_bad.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include "ktest.h"

#define PROCESS_TERMINATE 0x0001
#define PROCESS_QUERY_INFORMATION 0x0400

static VOID Quick(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PVOID Object;
    OBJECT_HANDLE_INFORMATION Info;

    /* pseudo-handles */
    KT_EQ(ObReferenceObjectByHandle(NtCurrentProcess(), PROCESS_QUERY_INFORMATION, *PsProcessType, KernelMode,
                                    &Object, &Info), STATUS_SUCCESS);
    KT_CHECK(Object == PsGetCurrentProcess());
    KT_EQ(Info.GrantedAccess, PROCESS_ALL_ACCESS);
    ObDereferenceObject(Object);
    KT_EQ(ObReferenceObjectByHandle(NtCurrentThread(), SYNCHRONIZE, *PsThreadType, KernelMode, &Object, NULL),
          STATUS_SUCCESS);
    KT_CHECK(Object == PsGetCurrentThread());
    ObDereferenceObject(Object);
    KT_EQ(ObReferenceObjectByHandle(NtCurrentThread(), 0, *PsProcessType, KernelMode, &Object, NULL),
          STATUS_OBJECT_TYPE_MISMATCH);
    KT_CHECK(Object == NULL);
    KT_EQ(ZwClose(NtCurrentProcess()), STATUS_INVALID_HANDLE);

    /* a handle with limited access: kernel-mode callers skip the access check */
    HANDLE Limited;
    KT_EQ(ObOpenObjectByPointer(PsGetCurrentProcess(), OBJ_KERNEL_HANDLE, NULL, PROCESS_QUERY_INFORMATION,
                                *PsProcessType, KernelMode, &Limited), STATUS_SUCCESS);
    KT_CHECK((LONG_PTR)Limited < 0);
    KT_EQ(ObReferenceObjectByHandle(Limited, PROCESS_TERMINATE, *PsProcessType, KernelMode, &Object, &Info),
          STATUS_SUCCESS);
    KT_EQ(Info.GrantedAccess, PROCESS_QUERY_INFORMATION);
    KT_EQ(Info.HandleAttributes & OBJ_KERNEL_HANDLE, OBJ_KERNEL_HANDLE);
    ObDereferenceObject(Object);
    /* UserMode with a kernel handle: invalid */
    KT_EQ(ObReferenceObjectByHandle(Limited, PROCESS_QUERY_INFORMATION, *PsProcessType, UserMode, &Object, NULL),
          STATUS_INVALID_HANDLE);
    KT_EQ(ObReferenceObjectByHandle(Limited, 0, *PsThreadType, KernelMode, &Object, NULL),
          STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwClose(Limited), STATUS_SUCCESS);
    KT_EQ(ObReferenceObjectByHandle(Limited, 0, NULL, KernelMode, &Object, NULL), STATUS_INVALID_HANDLE);

    /* a non-kernel handle in the System process: UserMode access checks apply */
    HANDLE Plain;
    KT_EQ(ObOpenObjectByPointer(PsGetCurrentProcess(), 0, NULL, PROCESS_QUERY_INFORMATION, *PsProcessType,
                                KernelMode, &Plain), STATUS_SUCCESS);
    KT_CHECK((LONG_PTR)Plain > 0 && ((ULONG_PTR)Plain & 3) == 0);
    KT_EQ(ObReferenceObjectByHandle(Plain, PROCESS_TERMINATE, *PsProcessType, UserMode, &Object, NULL),
          STATUS_ACCESS_DENIED);
    KT_EQ(ObReferenceObjectByHandle(Plain, PROCESS_QUERY_INFORMATION, *PsProcessType, UserMode, &Object, NULL),
          STATUS_SUCCESS);
    ObDereferenceObject(Object);
    KT_EQ(ZwClose(Plain), STATUS_SUCCESS);

    /* generic rights map through the type's mapping; MAXIMUM_ALLOWED gives all */
    HANDLE All;
    KT_EQ(ObOpenObjectByPointer(PsGetCurrentThread(), OBJ_KERNEL_HANDLE, NULL, GENERIC_ALL, *PsThreadType,
                                KernelMode, &All), STATUS_SUCCESS);
    KT_EQ(ObReferenceObjectByHandle(All, SYNCHRONIZE, *PsThreadType, KernelMode, &Object, &Info), STATUS_SUCCESS);
    KT_EQ(Info.GrantedAccess, THREAD_ALL_ACCESS);
    ObDereferenceObject(Object);
    ZwClose(All);

    /* bad handles */
    KT_EQ(ObReferenceObjectByHandle(NULL, 0, NULL, KernelMode, &Object, NULL), STATUS_INVALID_HANDLE);
    KT_EQ(ObReferenceObjectByHandle((HANDLE)(ULONG_PTR)0x7FFF0, 0, NULL, KernelMode, &Object, NULL),
          STATUS_INVALID_HANDLE);
    /* ZwClose of a bad handle from kernel mode is bug check 0x93: ob_close_bad */

    /* by pointer */
    KT_EQ(ObReferenceObjectByPointer(PsGetCurrentThread(), 0, *PsProcessType, KernelMode),
          STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ObReferenceObjectByPointer(PsGetCurrentThread(), 0, *PsThreadType, KernelMode), STATUS_SUCCESS);
    ObDereferenceObject(PsGetCurrentThread());

    /* a terminated thread's object lives while referenced; its ID is found
     * until the object goes, then returns to the pool */
    HANDLE Handle;
    CLIENT_ID Cid;
    KT_EQ(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, &Cid, Quick, NULL), STATUS_SUCCESS);
    PETHREAD Thread;
    KT_EQ(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode, (PVOID *)&Thread, NULL),
          STATUS_SUCCESS);
    KT_EQ(ZwClose(Handle), STATUS_SUCCESS);
    KT_EQ(KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_CHECK(PsIsThreadTerminating(Thread));
    PETHREAD Again;
    KT_EQ(PsLookupThreadByThreadId(Cid.UniqueThread, &Again), STATUS_SUCCESS);
    ObDereferenceObject(Again);
    ObDereferenceObject(Thread);   /* last reference: the ID is freed */
    KT_EQ(PsLookupThreadByThreadId(Cid.UniqueThread, &Again), STATUS_INVALID_CID);
    KT_DONE();
    return STATUS_SUCCESS;
}
