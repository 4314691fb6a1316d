/*
 * ps/sysmodule.c - the loaded kernel modules, as ZwQuerySystemInformation
 * (SystemModuleInformation, 11) and aux_klib.h's
 * AuxKlibQueryModuleInformation report them: ntoskrnl first (ntps's own
 * image, \SystemRoot\system32\ntoskrnl.exe), then each loaded driver in
 * load order, named \SystemRoot\System32\drivers\<name>.sys as the
 * load-image notify routines saw it (io/driver.c). The list comes from
 * rtl's registry of images (rtl/module.c), which the host keeps from load
 * to unload.
 */
#include "ps/ps.h"

#include <ntps.h>
#include <aux_klib.h>

#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(RTL_PROCESS_MODULE_INFORMATION) == 0x128, "RTL_PROCESS_MODULE_INFORMATION layout");
_Static_assert(offsetof(RTL_PROCESS_MODULES, Modules) == 8, "RTL_PROCESS_MODULES layout");
_Static_assert(sizeof(AUX_MODULE_EXTENDED_INFO) == 0x110, "AUX_MODULE_EXTENDED_INFO layout");

#define PSP_MAX_MODULES 65          /* ntoskrnl and rtl's 64 images */

extern char __executable_start[], _end[];   /* the linker's: ntps's own image */

typedef struct _PSP_MODULE {
    PVOID Base;
    ULONG Size;
    USHORT NameOffset;              /* of the file name in Path */
    CHAR Path[AUX_KLIB_MODULE_PATH_LEN];
} PSP_MODULE;

static VOID PspModulePath(PSP_MODULE *Module, PCSTR Directory, PCSTR Stem, SIZE_T StemLength, PCSTR Extension)
{
    SIZE_T n = strlen(Directory);
    memcpy(Module->Path, Directory, n);
    Module->NameOffset = (USHORT)n;
    if (StemLength > sizeof(Module->Path) - n - strlen(Extension) - 1)
        StemLength = sizeof(Module->Path) - n - strlen(Extension) - 1;
    memcpy(Module->Path + n, Stem, StemLength);
    n += StemLength;
    strcpy(Module->Path + n, Extension);
}

/* ntoskrnl, then the drivers; returns how many (at most Capacity). */
static ULONG PspListModules(PSP_MODULE *Out, ULONG Capacity)
{
    const ULONG Room = PSP_MAX_MODULES - 1;
    RTL_MODULE_SNAPSHOT *Local = ExpAllocateKernel(sizeof(RTL_MODULE_SNAPSHOT) * Room, 'moMP');
    if (Local == NULL || Capacity == 0) {
        if (Local != NULL)
            ExpFreeKernel(Local);
        return 0;
    }
    ULONG Count = 0;
    Out[Count].Base = __executable_start;
    Out[Count].Size = (ULONG)(_end - __executable_start);
    PspModulePath(&Out[Count++], "\\SystemRoot\\system32\\", "ntoskrnl", 8, ".exe");
    ULONG Images = RtlpSnapshotModules(Local, Room);
    for (ULONG i = 0; i < Images && i < Room && Count < Capacity; i++) {
        PCSTR Dot = strrchr(Local[i].Name, '.');
        SIZE_T Stem = Dot != NULL ? (SIZE_T)(Dot - Local[i].Name) : strlen(Local[i].Name);
        Out[Count].Base = Local[i].Base;
        Out[Count].Size = (ULONG)Local[i].Size;
        PspModulePath(&Out[Count++], "\\SystemRoot\\System32\\drivers\\", Local[i].Name, Stem, ".sys");
    }
    ExpFreeKernel(Local);
    return Count;
}

NTSTATUS PspQueryModules(KPROCESSOR_MODE Mode, PVOID Out, ULONG Length, PULONG ReturnLength)
{
    PSP_MODULE *Modules = ExpAllocateKernel(sizeof(PSP_MODULE) * PSP_MAX_MODULES, 'moMP');
    if (Modules == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    ULONG Count = PspListModules(Modules, PSP_MAX_MODULES);
    ULONG Needed = (ULONG)(offsetof(RTL_PROCESS_MODULES, Modules) + Count * sizeof(RTL_PROCESS_MODULE_INFORMATION));
    *ReturnLength = Needed;
    if (Length < Needed) {
        ExpFreeKernel(Modules);
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    RTL_PROCESS_MODULES *Info = ExpAllocateKernel(Needed, 'moMP');
    if (Info == NULL) {
        ExpFreeKernel(Modules);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Info->NumberOfModules = Count;
    for (ULONG i = 0; i < Count; i++) {
        RTL_PROCESS_MODULE_INFORMATION *M = &Info->Modules[i];
        M->ImageBase = Modules[i].Base;
        M->ImageSize = Modules[i].Size;
        M->LoadOrderIndex = (USHORT)i;
        M->InitOrderIndex = (USHORT)i;
        M->LoadCount = 1;
        M->OffsetToFileName = Modules[i].NameOffset;
        memcpy(M->FullPathName, Modules[i].Path, sizeof(M->FullPathName));
    }
    NTSTATUS Status = ExpCopyToCaller(Mode, Out, Info, Needed);
    ExpFreeKernel(Info);
    ExpFreeKernel(Modules);
    return Status;
}

/* ---- aux_klib.h ------------------------------------------------------------------------------ */

static volatile LONG PspAuxKlibReady;

NTSTATUS AuxKlibInitialize(VOID)
{
    if (KeGetCurrentIrql() != PASSIVE_LEVEL && !KiPassiveRuleOff(KeGetCurrentIrql()))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, KeGetCurrentIrql(), PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    __atomic_store_n(&PspAuxKlibReady, 1, __ATOMIC_RELEASE);
    return STATUS_SUCCESS;
}

/* Documented: QueryInfo NULL asks for the size (in *BufferSize);
 * ElementSize is sizeof(AUX_MODULE_BASIC_INFO) or
 * sizeof(AUX_MODULE_EXTENDED_INFO); a buffer too small is
 * STATUS_BUFFER_TOO_SMALL with the size needed. AuxKlibInitialize first. */
NTSTATUS AuxKlibQueryModuleInformation(PULONG BufferSize, ULONG ElementSize, PVOID QueryInfo)
{
    if (KeGetCurrentIrql() != PASSIVE_LEVEL && !KiPassiveRuleOff(KeGetCurrentIrql()))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, KeGetCurrentIrql(), PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    if (!__atomic_load_n(&PspAuxKlibReady, __ATOMIC_ACQUIRE))
        return STATUS_UNSUCCESSFUL;
    if (BufferSize == NULL)
        return STATUS_INVALID_PARAMETER_1;
    if (ElementSize != sizeof(AUX_MODULE_BASIC_INFO) && ElementSize != sizeof(AUX_MODULE_EXTENDED_INFO))
        return STATUS_INVALID_PARAMETER_2;
    PSP_MODULE *Modules = ExpAllocateKernel(sizeof(PSP_MODULE) * PSP_MAX_MODULES, 'moMP');
    if (Modules == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    ULONG Count = PspListModules(Modules, PSP_MAX_MODULES);
    ULONG Needed = Count * ElementSize, Room = *BufferSize;
    *BufferSize = Needed;
    NTSTATUS Status = STATUS_SUCCESS;
    if (QueryInfo == NULL) {
        Status = STATUS_SUCCESS;
    } else if (Room < Needed) {
        Status = STATUS_BUFFER_TOO_SMALL;
    } else {
        for (ULONG i = 0; i < Count; i++) {
            if (ElementSize == sizeof(AUX_MODULE_BASIC_INFO)) {
                ((PAUX_MODULE_BASIC_INFO)QueryInfo)[i].ImageBase = Modules[i].Base;
                continue;
            }
            PAUX_MODULE_EXTENDED_INFO E = &((PAUX_MODULE_EXTENDED_INFO)QueryInfo)[i];
            memset(E, 0, sizeof(*E));
            E->BasicInfo.ImageBase = Modules[i].Base;
            E->ImageSize = Modules[i].Size;
            E->FileNameOffset = Modules[i].NameOffset;
            memcpy(E->FullPathName, Modules[i].Path, sizeof(E->FullPathName));
        }
    }
    ExpFreeKernel(Modules);
    return Status;
}
