/* TEMPORARY, NOT COMMITTED: stand-ins until the notify and Ke suspend work merges. */
#include "ps/ps.h"
VOID PspInitializeNotify(VOID) {}
NTSTATUS PspNotifyProcessCreate(EPROCESS *Process, PPS_CREATE_NOTIFY_INFO CreateInfo) { (void)Process; return CreateInfo->CreationStatus; }
VOID PspNotifyProcessExit(EPROCESS *Process) { (void)Process; }
VOID PspNotifyThreadCreate(ETHREAD *Thread, BOOLEAN InNewThread) { (void)Thread; (void)InNewThread; }
VOID PspNotifyThreadExit(ETHREAD *Thread) { (void)Thread; }
VOID PspNotifyImageLoad(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo) { (void)FullImageName; (void)ProcessId; (void)ImageInfo; }
NTSTATUS KiSuspendThread(PKTHREAD Thread, PULONG PreviousCount) { (void)Thread; *PreviousCount = 0; return STATUS_NOT_IMPLEMENTED; }
ULONG KeResumeThread(PKTHREAD Thread) { (void)Thread; return 0; }
ULONG KeForceResumeThread(PKTHREAD Thread) { (void)Thread; return 0; }
PUCHAR PsGetProcessImageFileName(PEPROCESS Process) { return (PUCHAR)PspProcess(Process)->ImageFileName; }
HANDLE PsGetProcessInheritedFromUniqueProcessId(PEPROCESS Process) { return PspProcess(Process)->InheritedFromUniqueProcessId; }
PPEB PsGetProcessPeb(PEPROCESS Process) { return PspProcess(Process)->Peb; }
PTEB PsGetThreadTeb(PETHREAD Thread) { return PspThread(Thread)->Teb; }
