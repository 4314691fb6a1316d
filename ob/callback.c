/*
 * ob/callback.c - object callbacks: ObRegisterCallbacks and
 * ObUnRegisterCallbacks for process and thread objects, and their calls
 * around every handle creation and duplication.
 *
 * Registrations sit in one list ordered by altitude, highest first, under a
 * short lock that is never held while a callback runs. A handle operation
 * on a process or thread first reads its type's CallbackCount (no
 * registration for the type: nothing more). Otherwise, under the lock, it
 * takes the rundown protection of each registration with an entry for the
 * type and operation and links a record of the call on its own stack into
 * that registration's list of calls in flight; then, without the lock, it
 * runs the pre-callbacks from the highest altitude down, creates the
 * handle, runs the post-callbacks from the lowest up, and lets the
 * registrations go. ObUnRegisterCallbacks unlinks the registration (no new
 * call sees it) and waits for its rundown; the list of calls in flight
 * tells it when the caller is itself inside one of them.
 */
#include "ob/ob.h"
#include "vf/vf.h"

#include <string.h>

typedef struct _OBP_CALLBACK_ENTRY {
    POBJECT_TYPE Type;
    OB_OPERATION Operations;
    POB_PRE_OPERATION_CALLBACK PreOperation;
    POB_POST_OPERATION_CALLBACK PostOperation;
    PRTL_MODULE PreModule, PostModule;      /* their driver images (call counts), or NULL */
} OBP_CALLBACK_ENTRY;

typedef struct _OBP_CALLBACK_REGISTRATION {
    LIST_ENTRY Link;                /* ObpCallbackList, highest altitude first */
    EX_RUNDOWN_REF Rundown;         /* one reference per call in flight */
    LIST_ENTRY InFlight;            /* OBP_CALLBACK_CALL.InFlightLink */
    PVOID RegistrationContext;
    PCHAR Altitude;                 /* normalized: "321000" or "325000.7" */
    ULONG EntryCount;
    OBP_CALLBACK_ENTRY Entries[];
} OBP_CALLBACK_REGISTRATION;

static LIST_ENTRY ObpCallbackList;
static EXP_SPIN_LOCK ObpCallbackLock;    /* the list, CallbackCount, InFlight lists */

/* The rights a pre-callback may take away (the documented lists). */
#define OBP_PROCESS_STRIPPABLE (0x0080 /* CREATE_PROCESS */ | 0x0002 /* CREATE_THREAD */ | PROCESS_DUP_HANDLE | \
                                0x0100 /* SET_QUOTA */ | 0x0200 /* SET_INFORMATION */ |                       \
                                0x0800 /* SUSPEND_RESUME */ | 0x0001 /* TERMINATE */ |                        \
                                0x0008 /* VM_OPERATION */ | 0x0020 /* VM_WRITE */)
#define OBP_THREAD_STRIPPABLE (0x0200 /* DIRECT_IMPERSONATION */ | 0x0100 /* IMPERSONATE */ |                   \
                               0x0010 /* SET_CONTEXT */ | 0x0020 /* SET_INFORMATION */ |                       \
                               0x0400 /* SET_LIMITED_INFORMATION */ | 0x0080 /* SET_THREAD_TOKEN */ |          \
                               0x0002 /* SUSPEND_RESUME */ | 0x0001 /* TERMINATE */)

VOID ObpInitializeCallbacks(VOID)
{
    InitializeListHead(&ObpCallbackList);
}

USHORT ObGetFilterVersion(VOID)
{
    return OB_FLT_REGISTRATION_VERSION;
}

/* ---- altitudes ------------------------------------------------------------------------------ */

/* An altitude is a decimal number of unbounded precision: digits, then
 * optionally a point and more digits. Normalized without leading zeros in
 * the integer part or trailing zeros in the fraction, equal numbers have
 * equal strings ("01000.50" is "1000.5", "1000.0" is "1000"). */
static NTSTATUS ObpNormalizeAltitude(PCUNICODE_STRING Altitude, PCHAR *Normalized)
{
    if (Altitude->Buffer == NULL || Altitude->Length == 0 || (Altitude->Length & 1))
        return STATUS_INVALID_PARAMETER;
    ULONG Count = Altitude->Length / sizeof(WCHAR), Point = Count;
    for (ULONG i = 0; i < Count; i++) {
        WCHAR c = Altitude->Buffer[i];
        if (c == L'.' && Point == Count)
            Point = i;
        else if (c < L'0' || c > L'9')
            return STATUS_INVALID_PARAMETER;
    }
    if (Point == 0 || Point + 1 == Count)
        return STATUS_INVALID_PARAMETER;    /* ".5" and "5." have a side without digits */
    ULONG First = 0, End = Count;
    while (First + 1 < Point && Altitude->Buffer[First] == L'0')
        First++;
    if (Point < Count)
        while (End > Point + 1 && Altitude->Buffer[End - 1] == L'0')
            End--;
    if (End == Point + 1)
        End = Point;                        /* nothing left of the fraction */
    PCHAR Out = ExpAllocateKernel(End - First + 1, 'tlAO');
    if (Out == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (ULONG i = First; i < End; i++)
        Out[i - First] = (CHAR)Altitude->Buffer[i];
    Out[End - First] = 0;
    *Normalized = Out;
    return STATUS_SUCCESS;
}

/* <0, 0, >0 as A is lower than, equal to or higher than B. */
static int ObpCompareAltitudes(PCSTR A, PCSTR B)
{
    size_t IntA = strcspn(A, "."), IntB = strcspn(B, ".");
    if (IntA != IntB)
        return IntA < IntB ? -1 : 1;
    int Order = memcmp(A, B, IntA);
    if (Order != 0)
        return Order;
    /* Fractions without trailing zeros compare as digit strings. */
    return strcmp(A[IntA] ? A + IntA + 1 : "", B[IntB] ? B + IntB + 1 : "");
}

/* ---- registration ----------------------------------------------------------------------------- */

static VOID ObpCheckIrql(PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)   /* DDI rule IrqlObPassive */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001B, Irql, APC_LEVEL, (ULONG_PTR)Caller);
}

static NTSTATUS ObpValidateEntry(const OB_OPERATION_REGISTRATION *Operation)
{
    if (Operation->ObjectType == NULL || (*Operation->ObjectType != ObpProcessType &&
                                          *Operation->ObjectType != ObpThreadType &&
                                          *Operation->ObjectType != ObpDesktopType))
        return STATUS_INVALID_PARAMETER;    /* the three documented types; no desktop handle is ever made */
    if (Operation->Operations == 0 ||
        (Operation->Operations & ~(OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE)))
        return STATUS_INVALID_PARAMETER;
    if (Operation->PreOperation == NULL && Operation->PostOperation == NULL)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/* Callbacks must be in a loaded image linked with /INTEGRITYCHECK (`ntps cc
 * --integritycheck`), as MmVerifyCallbackFunction requires on Windows. */
static BOOLEAN ObpCallbackInSignedImage(PVOID Routine)
{
    if (Routine == NULL)
        return TRUE;
    PRTL_MODULE Module = RtlpLookupModuleByAddress(Routine);
    return Module != NULL && (Module->Flags & RTL_MODULE_FORCE_INTEGRITY) != 0;
}

static NTSTATUS ObpValidateRegistration(const OB_CALLBACK_REGISTRATION *Registration)
{
    if (Registration->Version != OB_FLT_REGISTRATION_VERSION || Registration->OperationRegistrationCount == 0 ||
        Registration->OperationRegistration == NULL)
        return STATUS_INVALID_PARAMETER;
    for (ULONG i = 0; i < Registration->OperationRegistrationCount; i++) {
        const OB_OPERATION_REGISTRATION *Operation = &Registration->OperationRegistration[i];
        NTSTATUS Status = ObpValidateEntry(Operation);
        if (!NT_SUCCESS(Status))
            return Status;
        if (!ObpCallbackInSignedImage((PVOID)Operation->PreOperation) ||
            !ObpCallbackInSignedImage((PVOID)Operation->PostOperation))
            return STATUS_ACCESS_DENIED;
    }
    return STATUS_SUCCESS;
}

static VOID ObpCountEntries(OBP_CALLBACK_REGISTRATION *Registration, LONG Delta)
{
    for (ULONG i = 0; i < Registration->EntryCount; i++)
        __atomic_add_fetch(&Registration->Entries[i].Type->CallbackCount, Delta, __ATOMIC_RELAXED);
}

/* In altitude order; FALSE if the altitude is taken (by any driver). */
static BOOLEAN ObpInsertRegistration(OBP_CALLBACK_REGISTRATION *New)
{
    PLIST_ENTRY Before = &ObpCallbackList;
    for (PLIST_ENTRY E = ObpCallbackList.Flink; E != &ObpCallbackList; E = E->Flink) {
        OBP_CALLBACK_REGISTRATION *Old = CONTAINING_RECORD(E, OBP_CALLBACK_REGISTRATION, Link);
        int Order = ObpCompareAltitudes(New->Altitude, Old->Altitude);
        if (Order == 0)
            return FALSE;
        if (Order > 0 && Before == &ObpCallbackList)
            Before = E;
    }
    InsertTailList(Before, &New->Link);     /* just before the first lower one */
    ObpCountEntries(New, 1);
    return TRUE;
}

static VOID ObpFreeRegistration(OBP_CALLBACK_REGISTRATION *Registration)
{
    if (Registration->Altitude != NULL)
        ExpFreeKernel(Registration->Altitude);
    ExpFreeKernel(Registration);
}

NTSTATUS ObRegisterCallbacks(POB_CALLBACK_REGISTRATION CallbackRegistration, PVOID *RegistrationHandle)
{
    ObpCheckIrql(__builtin_return_address(0));
    if (CallbackRegistration == NULL || RegistrationHandle == NULL)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS Status = ObpValidateRegistration(CallbackRegistration);
    if (!NT_SUCCESS(Status))
        return Status;
    ULONG Count = CallbackRegistration->OperationRegistrationCount;
    OBP_CALLBACK_REGISTRATION *Registration =
        ExpAllocateKernel(sizeof(*Registration) + Count * sizeof(OBP_CALLBACK_ENTRY), 'bCbO');
    if (Registration == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(Registration, 0, sizeof(*Registration));
    Status = ObpNormalizeAltitude(&CallbackRegistration->Altitude, &Registration->Altitude);
    if (!NT_SUCCESS(Status)) {
        ObpFreeRegistration(Registration);
        return Status;
    }
    ExInitializeRundownProtection(&Registration->Rundown);
    InitializeListHead(&Registration->InFlight);
    Registration->RegistrationContext = CallbackRegistration->RegistrationContext;
    Registration->EntryCount = Count;
    for (ULONG i = 0; i < Count; i++) {
        const OB_OPERATION_REGISTRATION *Operation = &CallbackRegistration->OperationRegistration[i];
        Registration->Entries[i] = (OBP_CALLBACK_ENTRY){
            *Operation->ObjectType, Operation->Operations, Operation->PreOperation, Operation->PostOperation,
            RtlpLookupModuleByAddress((PVOID)Operation->PreOperation),
            RtlpLookupModuleByAddress((PVOID)Operation->PostOperation) };
    }
    ExpAcquireSpinLock(&ObpCallbackLock);
    BOOLEAN Inserted = ObpInsertRegistration(Registration);
    ExpReleaseSpinLock(&ObpCallbackLock);
    if (!Inserted) {
        ObpFreeRegistration(Registration);
        return STATUS_FLT_INSTANCE_ALTITUDE_COLLISION;
    }
    *RegistrationHandle = Registration;
    return STATUS_SUCCESS;
}

static OBP_CALLBACK_REGISTRATION *ObpFindRegistration(PVOID Handle)
{
    for (PLIST_ENTRY E = ObpCallbackList.Flink; E != &ObpCallbackList; E = E->Flink)
        if (CONTAINING_RECORD(E, OBP_CALLBACK_REGISTRATION, Link) == Handle)
            return Handle;
    return NULL;
}

static BOOLEAN ObpCallerIsInFlight(OBP_CALLBACK_REGISTRATION *Registration)
{
    PKTHREAD Self = KiCurrentThread();
    for (PLIST_ENTRY E = Registration->InFlight.Flink; E != &Registration->InFlight; E = E->Flink)
        if (CONTAINING_RECORD(E, OBP_CALLBACK_CALL, InFlightLink)->Thread == Self)
            return TRUE;
    return FALSE;
}

VOID ObUnRegisterCallbacks(PVOID RegistrationHandle)
{
    ObpCheckIrql(__builtin_return_address(0));
    ExpAcquireSpinLock(&ObpCallbackLock);
    OBP_CALLBACK_REGISTRATION *Registration = ObpFindRegistration(RegistrationHandle);
    if (Registration == NULL) {
        ExpReleaseSpinLock(&ObpCallbackLock);
        /* On Windows the handle is the pool block ObRegisterCallbacks
         * allocated and this call frees it: an unknown or already
         * unregistered handle is a free of an address no allocation
         * returned, Driver Verifier's 0xC4/0x10 (P2 the address). */
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x10, (ULONG_PTR)RegistrationHandle, 0, 0,
                          "ObUnRegisterCallbacks(%p): not a registration handle from ObRegisterCallbacks, "
                          "or one that was unregistered already", RegistrationHandle);
    }
    if (ObpCallerIsInFlight(Registration)) {
        ExpReleaseSpinLock(&ObpCallbackLock);
        VfReport("CallbackSelfRemoval", __builtin_return_address(0),
                 "ObUnRegisterCallbacks(%p) from inside a callback of that registration: on Windows the "
                 "thread waits for itself forever", RegistrationHandle);
        /* It would wait for its own callback to return: the verifier's
         * self-deadlock (0xC4/0x1000, P2 what it waits for). */
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, (ULONG_PTR)RegistrationHandle,
                          (ULONG_PTR)KiCurrentThread(), 0,
                          "ObUnRegisterCallbacks(%p) called from inside a callback of that registration: "
                          "it waits for the registration's callbacks to return, its own included",
                          RegistrationHandle);
    }
    ObpCountEntries(Registration, -1);
    RemoveEntryList(&Registration->Link);
    ExpReleaseSpinLock(&ObpCallbackLock);
    ExWaitForRundownProtectionRelease(&Registration->Rundown);
    ObpFreeRegistration(Registration);
}

/* Registrations of drivers that never unload (no DriverUnload) go at
 * shutdown, after the process and thread types. */
VOID ObpShutdownCallbacks(VOID)
{
    while (!IsListEmpty(&ObpCallbackList))
        ObpFreeRegistration(CONTAINING_RECORD(RemoveHeadList(&ObpCallbackList), OBP_CALLBACK_REGISTRATION, Link));
}

static BOOLEAN ObpInRange(PVOID Address, PVOID Base, SIZE_T Size)
{
    return Address != NULL && (PCHAR)Address >= (PCHAR)Base && (PCHAR)Address < (PCHAR)Base + Size;
}

/* Callbacks left registered by a driver that unloads would be called in
 * freed code: Windows stops with 0xCE. */
VOID ObCheckUnloadedCallbacks(PVOID Base, SIZE_T Size)
{
    ObpCheckUnloadedCallbackObjects(Base, Size);
    ExpAcquireSpinLock(&ObpCallbackLock);
    for (PLIST_ENTRY E = ObpCallbackList.Flink; E != &ObpCallbackList; E = E->Flink) {
        OBP_CALLBACK_REGISTRATION *Registration = CONTAINING_RECORD(E, OBP_CALLBACK_REGISTRATION, Link);
        for (ULONG i = 0; i < Registration->EntryCount; i++) {
            OBP_CALLBACK_ENTRY *Entry = &Registration->Entries[i];
            PVOID Routine = ObpInRange((PVOID)Entry->PreOperation, Base, Size) ? (PVOID)Entry->PreOperation
                            : ObpInRange((PVOID)Entry->PostOperation, Base, Size) ? (PVOID)Entry->PostOperation
                                                                                   : NULL;
            if (Routine == NULL)
                continue;
            ExpReleaseSpinLock(&ObpCallbackLock);
            KiBugCheckExplain(0xCE, (ULONG_PTR)Routine, 0, (ULONG_PTR)Routine, 0,
                              "the driver unloaded with object callbacks still registered (registration %p, "
                              "altitude %s, callback %p): ObUnRegisterCallbacks was not called",
                              (void *)Registration, Registration->Altitude, Routine);
        }
    }
    ExpReleaseSpinLock(&ObpCallbackLock);
}

/* ---- calls ---------------------------------------------------------------------------------------- */

static BOOLEAN ObpEntryApplies(const OBP_CALLBACK_ENTRY *Entry, POBJECT_TYPE Type, OB_OPERATION Operation)
{
    return Entry->Type == Type && (Entry->Operations & Operation) != 0;
}

static ULONG ObpCountCalls(POBJECT_TYPE Type, OB_OPERATION Operation)
{
    ULONG Count = 0;
    for (PLIST_ENTRY E = ObpCallbackList.Flink; E != &ObpCallbackList; E = E->Flink) {
        OBP_CALLBACK_REGISTRATION *Registration = CONTAINING_RECORD(E, OBP_CALLBACK_REGISTRATION, Link);
        for (ULONG i = 0; i < Registration->EntryCount; i++)
            Count += ObpEntryApplies(&Registration->Entries[i], Type, Operation);
    }
    return Count;
}

/* Under the lock: the calls of this operation, highest altitude first,
 * each holding its registration and linked in its list of calls in flight. */
static VOID ObpCollectCalls(OBP_CALLBACK_DISPATCH *Dispatch, POBJECT_TYPE Type, OB_OPERATION Operation)
{
    PKTHREAD Self = KiCurrentThread();
    for (PLIST_ENTRY E = ObpCallbackList.Flink; E != &ObpCallbackList; E = E->Flink) {
        OBP_CALLBACK_REGISTRATION *Registration = CONTAINING_RECORD(E, OBP_CALLBACK_REGISTRATION, Link);
        for (ULONG i = 0; i < Registration->EntryCount; i++) {
            if (!ObpEntryApplies(&Registration->Entries[i], Type, Operation) ||
                !ExAcquireRundownProtection(&Registration->Rundown))
                continue;
            OBP_CALLBACK_CALL *Call = &Dispatch->Calls[Dispatch->Count++];
            Call->Thread = Self;
            Call->Registration = Registration;
            Call->Entry = i;
            Call->CallContext = NULL;
            InsertTailList(&Registration->InFlight, &Call->InFlightLink);
        }
    }
}

static VOID ObpBeginDispatch(OBP_CALLBACK_DISPATCH *Dispatch, POBJECT_TYPE Type, OB_OPERATION Operation)
{
    ULONG Capacity = OBP_INLINE_CALLS;
    Dispatch->Calls = Dispatch->Inline;
    Dispatch->Count = 0;
    for (;;) {
        ExpAcquireSpinLock(&ObpCallbackLock);
        ULONG Needed = ObpCountCalls(Type, Operation);
        if (Needed <= Capacity) {
            ObpCollectCalls(Dispatch, Type, Operation);
            ExpReleaseSpinLock(&ObpCallbackLock);
            return;
        }
        ExpReleaseSpinLock(&ObpCallbackLock);
        if (Dispatch->Calls != Dispatch->Inline)
            ExpFreeKernel(Dispatch->Calls);
        Capacity = Needed + 4;  /* a few more may register meanwhile */
        Dispatch->Calls = ExpAllocateKernel(Capacity * sizeof(OBP_CALLBACK_CALL), 'lCbO');
        if (Dispatch->Calls == NULL)
            KiInternalError("out of memory calling %u object callbacks", Needed);
    }
}

static VOID ObpEndDispatch(OBP_CALLBACK_DISPATCH *Dispatch)
{
    ExpAcquireSpinLock(&ObpCallbackLock);
    for (ULONG i = 0; i < Dispatch->Count; i++)
        RemoveEntryList(&Dispatch->Calls[i].InFlightLink);
    ExpReleaseSpinLock(&ObpCallbackLock);
    for (ULONG i = 0; i < Dispatch->Count; i++)
        ExReleaseRundownProtection(&Dispatch->Calls[i].Registration->Rundown);
    if (Dispatch->Calls != Dispatch->Inline)
        ExpFreeKernel(Dispatch->Calls);
    Dispatch->Count = 0;
}

static const OBP_CALLBACK_ENTRY *ObpCallEntry(const OBP_CALLBACK_CALL *Call)
{
    return &Call->Registration->Entries[Call->Entry];
}

ACCESS_MASK ObpCallPreCallbacks(OBP_CALLBACK_DISPATCH *Dispatch, const OBP_HANDLE_REQUEST *Request)
{
    POBJECT_TYPE Type = OBJECT_TO_OBJECT_HEADER(Request->Object)->Type;
    ObpBeginDispatch(Dispatch, Type, Request->Operation);
    ACCESS_MASK Access = Request->Access;
    ACCESS_MASK Strippable = Type == ObpProcessType ? OBP_PROCESS_STRIPPABLE : OBP_THREAD_STRIPPABLE;
    if (Dispatch->Count == 0)
        return Access;
    KeEnterCriticalRegion();
    for (ULONG i = 0; i < Dispatch->Count; i++) {
        OBP_CALLBACK_CALL *Call = &Dispatch->Calls[i];
        const OBP_CALLBACK_ENTRY *Entry = ObpCallEntry(Call);
        if (Entry->PreOperation == NULL)
            continue;
        /* Each callback sees what the ones above it left; DesiredAccess is
         * the first field of both arms of the union. */
        OB_PRE_OPERATION_PARAMETERS Parameters;
        memset(&Parameters, 0, sizeof(Parameters));
        Parameters.DuplicateHandleInformation.DesiredAccess = Access;
        Parameters.DuplicateHandleInformation.OriginalDesiredAccess = Request->Access;
        if (Request->Operation == OB_OPERATION_HANDLE_DUPLICATE) {
            Parameters.DuplicateHandleInformation.SourceProcess = Request->SourceProcess;
            Parameters.DuplicateHandleInformation.TargetProcess = Request->TargetProcess;
        }
        OB_PRE_OPERATION_INFORMATION Information;
        memset(&Information, 0, sizeof(Information));
        Information.Operation = Request->Operation;
        Information.KernelHandle = (Request->Attributes & OBJ_KERNEL_HANDLE) != 0;
        Information.Object = Request->Object;
        Information.ObjectType = Type;
        Information.Parameters = &Parameters;
        VF_CALLBACK_FRAME Frame;
        RtlpCountCallback(Entry->PreModule, VfCallbackObjectPreOperation);
        VfEnterCallback(&Frame, VfCallbackObjectPreOperation, (PVOID)Entry->PreOperation);
        Entry->PreOperation(Call->Registration->RegistrationContext, &Information);
        VfLeaveCallback(&Frame);
        /* Only removal of the documented rights counts; added bits and
         * other removals are ignored. */
        ACCESS_MASK Removed = Access & ~Parameters.CreateHandleInformation.DesiredAccess;
        Access &= ~(Removed & Strippable);
        Call->CallContext = Information.CallContext;
    }
    KeLeaveCriticalRegion();
    return Access;
}

VOID ObpCallPostCallbacks(OBP_CALLBACK_DISPATCH *Dispatch, const OBP_HANDLE_REQUEST *Request, NTSTATUS Status,
                          ACCESS_MASK Granted)
{
    if (Dispatch->Count == 0) {
        ObpEndDispatch(Dispatch);
        return;
    }
    POBJECT_TYPE Type = OBJECT_TO_OBJECT_HEADER(Request->Object)->Type;
    KeEnterCriticalRegion();
    for (ULONG i = Dispatch->Count; i-- > 0;) {
        OBP_CALLBACK_CALL *Call = &Dispatch->Calls[i];
        const OBP_CALLBACK_ENTRY *Entry = ObpCallEntry(Call);
        if (Entry->PostOperation == NULL)
            continue;
        OB_POST_OPERATION_PARAMETERS Parameters;
        memset(&Parameters, 0, sizeof(Parameters));
        Parameters.CreateHandleInformation.GrantedAccess = Granted;
        OB_POST_OPERATION_INFORMATION Information;
        memset(&Information, 0, sizeof(Information));
        Information.Operation = Request->Operation;
        Information.KernelHandle = (Request->Attributes & OBJ_KERNEL_HANDLE) != 0;
        Information.Object = Request->Object;
        Information.ObjectType = Type;
        Information.CallContext = Call->CallContext;
        Information.ReturnStatus = Status;
        Information.Parameters = &Parameters;
        VF_CALLBACK_FRAME Frame;
        RtlpCountCallback(Entry->PostModule, VfCallbackObjectPostOperation);
        VfEnterCallback(&Frame, VfCallbackObjectPostOperation, (PVOID)Entry->PostOperation);
        Entry->PostOperation(Call->Registration->RegistrationContext, &Information);
        VfLeaveCallback(&Frame);
    }
    KeLeaveCriticalRegion();
    ObpEndDispatch(Dispatch);
}
