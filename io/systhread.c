/*
 * io/systhread.c - IoCreateSystemThread: PsCreateSystemThread for a thread
 * tied to a driver or device object. The object is referenced before the
 * thread starts and released when the thread ends, so the object (and the
 * driver's code it stands for) outlives the thread, as documented.
 */
#include "io/io.h"

NTSTATUS IoCreateSystemThread(PVOID IoObject, PHANDLE ThreadHandle, ULONG DesiredAccess,
                              POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle, PCLIENT_ID ClientId,
                              PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    PVOID Caller = __builtin_return_address(0);
    if (IopIoObjectType(IoObject) == NULL) {
        VfReport("IoCreateSystemThreadObject", Caller,
                 "IoCreateSystemThread: %p is neither a driver object nor a device object", IoObject);
        return STATUS_INVALID_PARAMETER;
    }
    ObfReferenceObject(IoObject);
    NTSTATUS Status = PspCreateSystemThread(ThreadHandle, DesiredAccess, ObjectAttributes, ProcessHandle, ClientId,
                                            StartRoutine, StartContext, Caller, IoObject);
    if (!NT_SUCCESS(Status))
        ObfDereferenceObject(IoObject);
    return Status;
}
