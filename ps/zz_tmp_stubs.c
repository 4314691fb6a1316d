/* TEMPORARY, NOT COMMITTED: stand-ins until the notify and Ke suspend work merges. */
#include "ps/ps.h"
PUCHAR PsGetProcessImageFileName(PEPROCESS Process) { return (PUCHAR)PspProcess(Process)->ImageFileName; }
HANDLE PsGetProcessInheritedFromUniqueProcessId(PEPROCESS Process) { return PspProcess(Process)->InheritedFromUniqueProcessId; }
PPEB PsGetProcessPeb(PEPROCESS Process) { return PspProcess(Process)->Peb; }
PTEB PsGetThreadTeb(PETHREAD Thread) { return PspThread(Thread)->Teb; }
