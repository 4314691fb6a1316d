/* TEMPORARY, NOT COMMITTED: stand-ins until the notify and Ke suspend work merges. */
#include "ps/ps.h"
NTSTATUS KiSuspendThread(PKTHREAD Thread, PULONG PreviousCount) { (void)Thread; *PreviousCount = 0; return STATUS_NOT_IMPLEMENTED; }
ULONG KeResumeThread(PKTHREAD Thread) { (void)Thread; return 0; }
ULONG KeForceResumeThread(PKTHREAD Thread) { (void)Thread; return 0; }
PUCHAR PsGetProcessImageFileName(PEPROCESS Process) { return (PUCHAR)PspProcess(Process)->ImageFileName; }
HANDLE PsGetProcessInheritedFromUniqueProcessId(PEPROCESS Process) { return PspProcess(Process)->InheritedFromUniqueProcessId; }
PPEB PsGetProcessPeb(PEPROCESS Process) { return PspProcess(Process)->Peb; }
PTEB PsGetThreadTeb(PETHREAD Thread) { return PspThread(Thread)->Teb; }
