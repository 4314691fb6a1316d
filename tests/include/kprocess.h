/*
 * tests/include/kprocess.h - running a user process to its end from a
 * test driver: create it, wait for it, and return its exit status.
 */
#ifndef NTPS_KPROCESS_H
#define NTPS_KPROCESS_H

#include <ntps.h>

/* Creates the process (the caller's process is its parent), waits until
 * it has ended and returns its exit status, or the status creation failed
 * with. *Pid, if given, gets its ID. */
static inline NTSTATUS KtRunProcess(PCUNICODE_STRING Image, PCUNICODE_STRING CommandLine,
                                    SUBSYSTEM_INFORMATION_TYPE Subsystem, PUSER_THREAD_START_ROUTINE Start,
                                    PVOID Parameter, PHANDLE Pid)
{
    NTPS_PROCESS_CREATE C = { Image, CommandLine, Subsystem, NULL, Start, Parameter };
    HANDLE Handle;
    CLIENT_ID Cid;
    NTSTATUS Status = NtpsCreateProcess(&C, &Handle, &Cid);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Pid != NULL)
        *Pid = Cid.UniqueProcess;
    ZwWaitForSingleObject(Handle, FALSE, NULL);
    PEPROCESS Process;
    ObReferenceObjectByHandle(Handle, 0, *PsProcessType, KernelMode, (PVOID *)&Process, NULL);
    Status = PsGetProcessExitStatus(Process);
    ObDereferenceObject(Process);
    ZwClose(Handle);
    return Status;
}

#endif
