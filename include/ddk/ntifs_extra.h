/*
 * ddk/ntifs_extra.h - declarations the WDK places in ntifs.h.
 */
#ifndef _NTPS_DDK_NTIFS_EXTRA_H
#define _NTPS_DDK_NTIFS_EXTRA_H

NTPS_BEGIN_DECLS

NTKERNELAPI NTSTATUS PsLookupProcessByProcessId(HANDLE ProcessId, PEPROCESS *Process);
NTKERNELAPI NTSTATUS PsLookupThreadByThreadId(HANDLE ThreadId, PETHREAD *Thread);
NTKERNELAPI BOOLEAN PsIsSystemThread(PETHREAD Thread);
NTKERNELAPI NTSTATUS PsGetProcessExitStatus(PEPROCESS Process);
NTKERNELAPI BOOLEAN PsIsThreadTerminating(PETHREAD Thread);

NTPS_END_DECLS

#endif
