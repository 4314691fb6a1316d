/*
 * rtl/rtl.h - the run-time library's kernel-internal interface. Rtl is the
 * bottom layer: every other layer may call it, it calls none of them
 * (allocation goes through routines Ex registers at boot).
 */
#ifndef NTPS_RTL_H
#define NTPS_RTL_H

#include <ntifs.h>

/* ---- exceptions (rtl/raise.c, ke/except.c) ---------------------------------- */
NTKERNELAPI DECLSPEC_NORETURN VOID RtlRaiseStatus(NTSTATUS Status);

/* ---- allocation used by Rtl routines that allocate strings ----------------- */
extern PVOID (*RtlpAllocateStringRoutine)(SIZE_T NumberOfBytes);
extern VOID (*RtlpFreeStringRoutine)(PVOID Buffer);

/* ---- loaded modules: address ranges of the kernel and of driver images ---- */
#define RTL_MODULE_CALLBACK_KINDS 8

typedef struct _RTL_MODULE {
    PVOID Base;
    SIZE_T Size;
    CHAR Name[64];          /* e.g. "mydriver.so" */
    PVOID Context;          /* the owner's (Io: the DRIVER_OBJECT) */
    PVOID Handle;           /* host loader handle */
    ULONG Flags;            /* RTL_MODULE_* */
    ULONG LoadOrder;        /* 1 for the first image registered, then 2, ... */
    /* Calls of its callbacks, by VF_CALLBACK_KIND (vf/vf.h): counted by the
     * dispatchers (ps notify routines, ob callbacks), read for summaries. */
    volatile ULONG64 CallbackCalls[RTL_MODULE_CALLBACK_KINDS];
} RTL_MODULE, *PRTL_MODULE;
/* The image's header has IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY (built
 * with `ntps cc --integritycheck`, as the linker's /INTEGRITYCHECK). */
#define RTL_MODULE_FORCE_INTEGRITY 0x0001
/* Built with memory-access points (`ntps cc`'s modes full and dual: the
 * image imports __ntps_race_access): its function-entry and back-edge
 * points are not exploration decisions (ke/irql.c). */
#define RTL_MODULE_MEMORY_POINTS 0x0002

PRTL_MODULE RtlpRegisterModule(PVOID Base, SIZE_T Size, PCSTR Name, PVOID Context, PVOID Handle);
VOID RtlpUnregisterModule(PRTL_MODULE Module);
PRTL_MODULE RtlpLookupModuleByAddress(PVOID Address);   /* NULL: not a driver image */
/* A copy of what is known of each registered image, in load order. */
typedef struct _RTL_MODULE_SNAPSHOT {
    PVOID Base;
    SIZE_T Size;
    CHAR Name[64];
    ULONG LoadOrder;
} RTL_MODULE_SNAPSHOT;
/* Copies up to Capacity entries; returns how many images are registered. */
ULONG RtlpSnapshotModules(RTL_MODULE_SNAPSHOT *Out, ULONG Capacity);
/* One more call of a callback of Module (NULL: none), of kind Kind. */
static inline VOID RtlpCountCallback(PRTL_MODULE Module, ULONG Kind)
{
    if (Module != NULL && Kind < RTL_MODULE_CALLBACK_KINDS)
        __atomic_add_fetch(&Module->CallbackCalls[Kind], 1, __ATOMIC_RELAXED);
}

/* ---- debug output (rtl/debug.c, rtl/format.c) -------------------------------- */
/* Write raw bytes to the debug output (standard output), atomically per call. */
VOID RtlpDebugWrite(PCSTR Text, SIZE_T Length);
/* Where the debug output goes (default standard output; `ntps run --json`
 * sends it to standard error), and a routine the host may register that
 * is called before (TRUE) and after (FALSE) each write (its status line
 * steps aside). */
extern int RtlpDebugOutputFd;
extern VOID (*RtlpDebugWriteHook)(BOOLEAN Before);
/* Set by a process whose debug output goes nowhere (an explore schedule
 * writing to /dev/null): no write is made and ntps's own messages are not
 * formatted. A driver's DbgPrint is still formatted, so a bad pointer it
 * passes faults as it would with output. */
extern BOOLEAN RtlpDebugDiscard;
/* ntps's own messages, with the C library's printf conversions. */
VOID RtlpReport(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));
/* "ntps: SERVICE: class N is not implemented", said once per class: Reported
 * holds one bit a class (Class % 32; callers with more classes pass the word
 * of Class / 32). Returns STATUS_NOT_IMPLEMENTED, for `return`. */
NTSTATUS RtlpClassNotImplemented(PCSTR Service, ULONG Class, volatile ULONG *Reported);
/* "ntps: ROUTINE is not implemented (STATUS_NOT_IMPLEMENTED)", said once
 * (Reported: the routine's own flag). Returns STATUS_NOT_IMPLEMENTED. */
NTSTATUS RtlpNotImplemented(PCSTR Routine, volatile ULONG *Reported);

#endif /* NTPS_RTL_H */
