/*
 * ke/fpstate.c - saving and restoring floating-point and extended processor
 * state around a driver's own floating-point work.
 *
 * ntps is x64, where kernel code may use SSE freely and these calls only
 * bracket the work: a save always succeeds. What ntps does keep is the
 * documented contract: save at IRQL <= DISPATCH_LEVEL; restore on the same
 * thread, at the same IRQL, a state that a save filled in; anything else is
 * bug check 0xE7 INVALID_FLOATING_POINT_STATE with its documented
 * parameters (1: saved/current IRQL, 2: saved/current thread, 0: the saved
 * state is not valid). The control state that outlives a routine (MXCSR and
 * the x87 control word) is saved and put back, so a driver that changed its
 * rounding mode in between leaves the thread as it found it. The
 * registers themselves need no saving here: ntps never interrupts code
 * between two instructions, only at calls, across which no vector register
 * is preserved anyway. Not checked: that nested pairs are at non-decreasing
 * IRQLs.
 */
#include "ke/ke.h"

#define KI_FLOAT_SAVE_VALID 0x4E465053  /* 'NFPS' */
#define INVALID_FLOATING_POINT_STATE 0xE7

typedef struct _KI_FLOAT_STATE {
    ULONG Valid;
    KIRQL Irql;
    PKTHREAD Thread;
    ULONG MxCsr;
    USHORT ControlWord;
    ULONG64 Mask;
} KI_FLOAT_STATE;

C_ASSERT(sizeof(KI_FLOAT_STATE) <= sizeof(KFLOATING_SAVE));
C_ASSERT(sizeof(KI_FLOAT_STATE) <= sizeof(XSTATE_SAVE));

static VOID KiSaveFloatState(KI_FLOAT_STATE *State, ULONG64 Mask, PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL,
                     (ULONG_PTR)Caller);
    State->Irql = Irql;
    State->Thread = KiCurrentThread();
    State->Mask = Mask;
    State->MxCsr = __builtin_ia32_stmxcsr();
    __asm__ volatile("fnstcw %0" : "=m"(State->ControlWord));
    State->Valid = KI_FLOAT_SAVE_VALID;
}

static VOID KiRestoreFloatState(KI_FLOAT_STATE *State)
{
    KIRQL Irql = KeGetCurrentIrql();
    PKTHREAD Thread = KiCurrentThread();
    if (State->Valid != KI_FLOAT_SAVE_VALID)
        KeBugCheckEx(INVALID_FLOATING_POINT_STATE, 0, State->Valid, 0, 0);
    if (State->Irql != Irql)
        KeBugCheckEx(INVALID_FLOATING_POINT_STATE, 1, State->Irql, Irql, 0);
    if (State->Thread != Thread)
        KeBugCheckEx(INVALID_FLOATING_POINT_STATE, 2, (ULONG_PTR)State->Thread, (ULONG_PTR)Thread, 0);
    __builtin_ia32_ldmxcsr(State->MxCsr);
    __asm__ volatile("fldcw %0" : : "m"(State->ControlWord));
    State->Valid = 0;   /* restored once */
}

NTSTATUS KeSaveFloatingPointState(PKFLOATING_SAVE FloatSave)
{
    KiSaveFloatState((KI_FLOAT_STATE *)FloatSave, XSTATE_MASK_LEGACY, __builtin_return_address(0));
    return STATUS_SUCCESS;
}

NTSTATUS KeRestoreFloatingPointState(PKFLOATING_SAVE FloatSave)
{
    KiRestoreFloatState((KI_FLOAT_STATE *)FloatSave);
    return STATUS_SUCCESS;
}

NTSTATUS KeSaveExtendedProcessorState(ULONG64 Mask, PXSTATE_SAVE XStateSave)
{
    KiSaveFloatState((KI_FLOAT_STATE *)XStateSave, Mask, __builtin_return_address(0));
    return STATUS_SUCCESS;
}

VOID KeRestoreExtendedProcessorState(PXSTATE_SAVE XStateSave)
{
    KiRestoreFloatState((KI_FLOAT_STATE *)XStateSave);
}

/* The features the host processor and kernel have enabled (XCR0), of those
 * asked for. */
ULONG64 RtlGetEnabledExtendedFeatures(ULONG64 FeatureMask)
{
    ULONG64 Enabled = XSTATE_MASK_LEGACY;
    unsigned int Eax, Ebx, Ecx, Edx;
    __asm__ volatile("cpuid" : "=a"(Eax), "=b"(Ebx), "=c"(Ecx), "=d"(Edx) : "a"(1), "c"(0));
    if (Ecx & (1u << 27)) {     /* OSXSAVE: XGETBV reads XCR0 */
        unsigned int Low, High;
        __asm__ volatile("xgetbv" : "=a"(Low), "=d"(High) : "c"(0));
        Enabled = ((ULONG64)High << 32) | Low;
    }
    return FeatureMask & Enabled;
}
