/*
 * ex/mm.c - the two memory-manager routines drivers call without a memory
 * manager behind them:
 *
 * MmGetSystemRoutineAddress resolves a name among the kernel's exports:
 * the symbols the ntps executable exports to driver images (dlsym), and
 * only those (a name found in another library, libc say, is not the
 * kernel's: NULL).
 *
 * MmCopyVirtualMemory (exported, undocumented) copies between two
 * processes' address spaces. In ntps every process's user memory is the
 * host address space, so no attaching is needed; for a UserMode caller
 * both ranges must lie in user space (else STATUS_ACCESS_VIOLATION), and a
 * fault part way is STATUS_PARTIAL_COPY with *ReturnSize the bytes copied,
 * as ReadProcessMemory reports it.
 */
#include "ex/ex.h"
#include <ntps.h>

#include <dlfcn.h>
#include <string.h>

PVOID MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName)
{
    if (SystemRoutineName == NULL || SystemRoutineName->Buffer == NULL)
        return NULL;
    char Name[256];
    USHORT Count = SystemRoutineName->Length / sizeof(WCHAR);
    if (Count == 0 || Count >= sizeof(Name))
        return NULL;
    for (USHORT i = 0; i < Count; i++) {
        WCHAR C = SystemRoutineName->Buffer[i];
        if (C == 0 || C > 0x7E)
            return NULL;        /* export names are ASCII */
        Name[i] = (char)C;
    }
    Name[Count] = 0;
    PVOID Address = dlsym(RTLD_DEFAULT, Name);
    Dl_info Found, Kernel;
    if (Address == NULL || !dladdr(Address, &Found) || !dladdr((PVOID)MmGetSystemRoutineAddress, &Kernel) ||
        Found.dli_fbase != Kernel.dli_fbase)
        return NULL;
    return Address;
}


static BOOLEAN MmpInUserSpace(PVOID Address, SIZE_T Size)
{
    ULONG_PTR Start = (ULONG_PTR)Address, End = Start + Size;
    return End >= Start && End <= (ULONG_PTR)MmUserProbeAddress;
}

NTSTATUS MmCopyVirtualMemory(PEPROCESS SourceProcess, PVOID SourceAddress, PEPROCESS TargetProcess,
                             PVOID TargetAddress, SIZE_T BufferSize, KPROCESSOR_MODE PreviousMode, PSIZE_T ReturnSize)
{
    (void)SourceProcess;
    (void)TargetProcess;
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20007, Irql, APC_LEVEL, (ULONG_PTR)SourceAddress);
    SIZE_T Done = 0;
    NTSTATUS Status = STATUS_SUCCESS;
    if (BufferSize != 0 && PreviousMode != KernelMode &&
        (!MmpInUserSpace(SourceAddress, BufferSize) || !MmpInUserSpace(TargetAddress, BufferSize))) {
        Status = STATUS_ACCESS_VIOLATION;
    } else {
        /* A page at a time, so that a fault leaves a count of what was copied. */
        while (Done < BufferSize) {
            PCHAR From = (PCHAR)SourceAddress + Done, To = (PCHAR)TargetAddress + Done;
            SIZE_T Chunk = PAGE_SIZE - ((ULONG_PTR)From & (PAGE_SIZE - 1));
            SIZE_T ToRoom = PAGE_SIZE - ((ULONG_PTR)To & (PAGE_SIZE - 1));
            if (ToRoom < Chunk)
                Chunk = ToRoom;
            if (Chunk > BufferSize - Done)
                Chunk = BufferSize - Done;
            NTSTATUS Copied = ExpCopyFromCaller(KernelMode, To, From, Chunk);
            if (!NT_SUCCESS(Copied)) {
                Status = STATUS_PARTIAL_COPY;
                break;
            }
            Done += Chunk;
        }
    }
    if (ReturnSize != NULL)
        *ReturnSize = Done;
    return Status;
}
