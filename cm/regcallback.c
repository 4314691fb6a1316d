/*
 * cm/regcallback.c - registry callbacks: CmRegisterCallbackEx,
 * CmRegisterCallback, CmUnRegisterCallback, and the notifications the
 * registry services send them (cm/key.c, value.c, query.c): pre and post
 * SetValueKey, DeleteValueKey, DeleteKey, CreateKeyEx, OpenKeyEx,
 * QueryValueKey, EnumerateValueKey, QueryKey, EnumerateKey and
 * KeyHandleClose (the table in docs/registry.md).
 *
 * Registrations are kept by altitude, highest first (a decimal number of
 * any precision; an equal one is STATUS_FLT_INSTANCE_ALTITUDE_COLLISION;
 * CmRegisterCallback's have the lowest). A notification takes each
 * registration's rundown protection under the short list lock, then calls
 * the routines with no lock held, at PASSIVE_LEVEL, in the thread doing the
 * operation. A pre-notification routine that returns an error stops the
 * operation with that status (the ones already called get the post
 * notification with it); STATUS_CALLBACK_BYPASS stops it too, and the
 * caller sees STATUS_SUCCESS. CmUnRegisterCallback waits for calls in
 * flight; a driver that unloads with a routine registered is 0xCE.
 */
#include "cm/cm.h"

#include <string.h>

#define DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS 0x000000CE

typedef struct _CMP_REG_CALLBACK {
    LIST_ENTRY Link;
    PEX_CALLBACK_FUNCTION Function;
    PVOID Context;
    LARGE_INTEGER Cookie;
    EX_RUNDOWN_REF Rundown;
    BOOLEAN Legacy;                 /* CmRegisterCallback: no altitude, lowest */
    USHORT AltitudeLength;          /* characters */
    WCHAR Altitude[64];
} CMP_REG_CALLBACK;

static EXP_SPIN_LOCK CmpRegCallbackLock;
static LIST_ENTRY CmpRegCallbacks = { &CmpRegCallbacks, &CmpRegCallbacks };
static volatile LONG CmpRegCallbackCount;
static LONGLONG CmpNextCookie = 0x10000;

/* ---- altitudes -------------------------------------------------------------------------------- */

/* "0370.50" and "370.5" are the same number: the integer digits without
 * leading zeros and the fraction without trailing ones. */
static VOID CmpSplitAltitude(const CMP_REG_CALLBACK *R, PCWCH *Int, ULONG *IntLength, PCWCH *Frac, ULONG *FracLength)
{
    ULONG i = 0, n = R->AltitudeLength;
    while (i < n && R->Altitude[i] == L'0')
        i++;
    ULONG Dot = i;
    while (Dot < n && R->Altitude[Dot] != L'.')
        Dot++;
    *Int = R->Altitude + i;
    *IntLength = Dot - i;
    ULONG End = n;
    while (End > Dot + 1 && R->Altitude[End - 1] == L'0')
        End--;
    *Frac = R->Altitude + (Dot < n ? Dot + 1 : n);
    *FracLength = Dot < n ? End - Dot - 1 : 0;
}

static int CmpCompareAltitudes(const CMP_REG_CALLBACK *A, const CMP_REG_CALLBACK *B)
{
    if (A->Legacy || B->Legacy)
        return A->Legacy == B->Legacy ? -1 : A->Legacy ? -1 : 1;   /* legacy ones never collide */
    PCWCH AI, AF, BI, BF;
    ULONG AIL, AFL, BIL, BFL;
    CmpSplitAltitude(A, &AI, &AIL, &AF, &AFL);
    CmpSplitAltitude(B, &BI, &BIL, &BF, &BFL);
    if (AIL != BIL)
        return AIL < BIL ? -1 : 1;
    for (ULONG i = 0; i < AIL; i++)
        if (AI[i] != BI[i])
            return AI[i] < BI[i] ? -1 : 1;
    for (ULONG i = 0; i < AFL || i < BFL; i++) {
        WCHAR a = i < AFL ? AF[i] : L'0', b = i < BFL ? BF[i] : L'0';
        if (a != b)
            return a < b ? -1 : 1;
    }
    return 0;
}

static BOOLEAN CmpValidAltitude(PCUNICODE_STRING Altitude)
{
    ULONG n = Altitude->Length / sizeof(WCHAR), Dots = 0;
    if (n == 0 || n >= 64)
        return FALSE;
    for (ULONG i = 0; i < n; i++) {
        WCHAR C = Altitude->Buffer[i];
        if (C == L'.' && ++Dots == 1 && i != 0 && i + 1 != n)
            continue;
        if (C < L'0' || C > L'9')
            return FALSE;
    }
    return TRUE;
}

/* ---- registering -------------------------------------------------------------------------------- */

static NTSTATUS CmpRegister(PEX_CALLBACK_FUNCTION Function, PCUNICODE_STRING Altitude, PVOID Context,
                            PLARGE_INTEGER Cookie, PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)           /* IrqlExApcLte2 */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20006, Irql, APC_LEVEL, (ULONG_PTR)Function);
    if (Function == NULL || Cookie == NULL || (Altitude != NULL && !CmpValidAltitude(Altitude)))
        return STATUS_INVALID_PARAMETER;
    CMP_REG_CALLBACK *R = ExpAllocateForCaller(sizeof(*R), 'bCmC', Caller);
    if (R == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    R->Function = Function;
    R->Context = Context;
    R->Legacy = Altitude == NULL;
    if (Altitude != NULL) {
        R->AltitudeLength = Altitude->Length / sizeof(WCHAR);
        memcpy(R->Altitude, Altitude->Buffer, Altitude->Length);
    }
    ExInitializeRundownProtection(&R->Rundown);
    NTSTATUS Status = STATUS_SUCCESS;
    ExpAcquireSpinLock(&CmpRegCallbackLock);
    PLIST_ENTRY Before = &CmpRegCallbacks;
    for (PLIST_ENTRY E = CmpRegCallbacks.Flink; E != &CmpRegCallbacks; E = E->Flink) {
        int Order = CmpCompareAltitudes(R, CONTAINING_RECORD(E, CMP_REG_CALLBACK, Link));
        if (Order == 0) {
            Status = STATUS_FLT_INSTANCE_ALTITUDE_COLLISION;
            break;
        }
        if (Order > 0) {
            Before = E;
            break;
        }
    }
    if (NT_SUCCESS(Status) && CmpRegCallbackCount >= CMP_MAX_CALLBACKS)
        Status = STATUS_INSUFFICIENT_RESOURCES;
    if (NT_SUCCESS(Status)) {
        R->Cookie.QuadPart = CmpNextCookie++;
        InsertTailList(Before, &R->Link);      /* just before Before: descending altitudes */
        __atomic_add_fetch(&CmpRegCallbackCount, 1, __ATOMIC_RELEASE);
    }
    ExpReleaseSpinLock(&CmpRegCallbackLock);
    if (!NT_SUCCESS(Status)) {
        ExFreePool(R);
        return Status;
    }
    *Cookie = R->Cookie;
    return STATUS_SUCCESS;
}

NTSTATUS CmRegisterCallbackEx(PEX_CALLBACK_FUNCTION Function, PCUNICODE_STRING Altitude, PVOID Driver, PVOID Context,
                              PLARGE_INTEGER Cookie, PVOID Reserved)
{
    (void)Driver;
    (void)Reserved;
    if (Altitude == NULL)
        return STATUS_INVALID_PARAMETER;
    return CmpRegister(Function, Altitude, Context, Cookie, __builtin_return_address(0));
}

NTSTATUS CmRegisterCallback(PEX_CALLBACK_FUNCTION Function, PVOID Context, PLARGE_INTEGER Cookie)
{
    return CmpRegister(Function, NULL, Context, Cookie, __builtin_return_address(0));
}

NTSTATUS CmUnRegisterCallback(LARGE_INTEGER Cookie)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20006, Irql, APC_LEVEL, (ULONG_PTR)Cookie.QuadPart);
    CMP_REG_CALLBACK *Found = NULL;
    ExpAcquireSpinLock(&CmpRegCallbackLock);
    for (PLIST_ENTRY E = CmpRegCallbacks.Flink; E != &CmpRegCallbacks && Found == NULL; E = E->Flink)
        if (CONTAINING_RECORD(E, CMP_REG_CALLBACK, Link)->Cookie.QuadPart == Cookie.QuadPart)
            Found = CONTAINING_RECORD(E, CMP_REG_CALLBACK, Link);
    if (Found != NULL) {
        RemoveEntryList(&Found->Link);
        __atomic_sub_fetch(&CmpRegCallbackCount, 1, __ATOMIC_RELEASE);
    }
    ExpReleaseSpinLock(&CmpRegCallbackLock);
    if (Found == NULL)
        return STATUS_INVALID_PARAMETER;
    ExWaitForRundownProtectionRelease(&Found->Rundown);     /* calls in flight */
    ExFreePool(Found);
    return STATUS_SUCCESS;
}

/* ---- notifications ---------------------------------------------------------------------------- */

/* In a verifier frame: its stack use is measured, and the registry calls
 * it makes are not CallbackRegistryCall (they are what it is for). */
static NTSTATUS CmpCall(CMP_REG_CALLBACK *R, REG_NOTIFY_CLASS Class, PVOID Info)
{
    VF_CALLBACK_FRAME Frame;
    VfEnterCallback(&Frame, VfCallbackRegistry, (PVOID)R->Function);
    Frame.Registration = R;         /* whose registry calls see only lower altitudes (CmpPreNotify) */
    NTSTATUS Status = R->Function(R->Context, (PVOID)(ULONG_PTR)Class, Info);
    VfLeaveCallback(&Frame);
    return Status;
}

BOOLEAN CmpRegCallbacksActive(VOID)
{
    return __atomic_load_n(&CmpRegCallbackCount, __ATOMIC_ACQUIRE) != 0;
}

/* The CallContext member of a pre-notification's information: each routine
 * may set it and gets its own value back in the post information. */
static PVOID *CmpCallContextOf(REG_NOTIFY_CLASS Class, PVOID Info)
{
    switch (Class) {
    case RegNtPreSetValueKey: return &((PREG_SET_VALUE_KEY_INFORMATION)Info)->CallContext;
    case RegNtPreDeleteValueKey: return &((PREG_DELETE_VALUE_KEY_INFORMATION)Info)->CallContext;
    case RegNtPreDeleteKey: return &((PREG_DELETE_KEY_INFORMATION)Info)->CallContext;
    case RegNtPreCreateKeyEx:
    case RegNtPreOpenKeyEx: return &((PREG_CREATE_KEY_INFORMATION_V1)Info)->CallContext;
    case RegNtPreQueryValueKey: return &((PREG_QUERY_VALUE_KEY_INFORMATION)Info)->CallContext;
    case RegNtPreEnumerateValueKey: return &((PREG_ENUMERATE_VALUE_KEY_INFORMATION)Info)->CallContext;
    case RegNtPreQueryKey: return &((PREG_QUERY_KEY_INFORMATION)Info)->CallContext;
    case RegNtPreEnumerateKey: return &((PREG_ENUMERATE_KEY_INFORMATION)Info)->CallContext;
    case RegNtPreKeyHandleClose: return &((PREG_KEY_HANDLE_CLOSE_INFORMATION)Info)->CallContext;
    default: return NULL;
    }
}

/* Pre-notification Class with Info to every registration, highest
 * altitude first. STATUS_SUCCESS: go on; otherwise the operation ends with
 * that status (STATUS_CALLBACK_BYPASS: a routine did it itself). */
NTSTATUS CmpPreNotify(CMP_CALLS *Calls, REG_NOTIFY_CLASS Class, PVOID Info)
{
    Calls->Count = Calls->Called = 0;
    /* An operation a registry callback routine makes itself goes only to the
     * registrations below its own altitude (documented: "Invoking Registry
     * Operations Within a RegistryCallback Routine"); it never comes back to it. */
    VF_CALLBACK_FRAME *Frame = VfFindCallback(KiCurrentThread(), 1u << VfCallbackRegistry);
    CMP_REG_CALLBACK *Caller = Frame != NULL ? Frame->Registration : NULL;
    ExpAcquireSpinLock(&CmpRegCallbackLock);
    BOOLEAN Below = Caller == NULL;
    if (Caller != NULL) {       /* unregistered meanwhile: by altitude */
        BOOLEAN Listed = FALSE;
        for (PLIST_ENTRY E = CmpRegCallbacks.Flink; E != &CmpRegCallbacks && !Listed; E = E->Flink)
            Listed = CONTAINING_RECORD(E, CMP_REG_CALLBACK, Link) == Caller;
        Below = !Listed;
    }
    for (PLIST_ENTRY E = CmpRegCallbacks.Flink; E != &CmpRegCallbacks && Calls->Count < CMP_MAX_CALLBACKS;
         E = E->Flink) {
        CMP_REG_CALLBACK *R = CONTAINING_RECORD(E, CMP_REG_CALLBACK, Link);
        if (R == Caller) {
            Below = TRUE;       /* the list is highest first: the rest are lower */
            continue;
        }
        if (Caller != NULL && (!Below || CmpCompareAltitudes(R, Caller) >= 0))
            continue;
        if (ExAcquireRundownProtection(&R->Rundown))
            Calls->Taken[Calls->Count++] = R;
    }
    ExpReleaseSpinLock(&CmpRegCallbackLock);
    NTSTATUS Status = STATUS_SUCCESS;
    PVOID *CallContext = CmpCallContextOf(Class, Info);
    for (ULONG i = 0; i < Calls->Count && Status == STATUS_SUCCESS; i++) {
        if (CallContext != NULL)
            *CallContext = NULL;        /* each routine starts with none */
        NTSTATUS Result = CmpCall(Calls->Taken[i], Class, Info);
        Calls->CallContext[i] = CallContext != NULL ? *CallContext : NULL;
        if (Result == STATUS_CALLBACK_BYPASS || !NT_SUCCESS(Result))
            Status = Result;
        else
            Calls->Called = i + 1;
    }
    return Status;
}

/* Post-notification to those that got the pre one, then let go of them.
 * As documented, a routine that returns STATUS_CALLBACK_BYPASS changes
 * the operation's status to the ReturnStatus it set (the routines after
 * it see the new one); the final status is returned. */
NTSTATUS CmpPostNotify(CMP_CALLS *Calls, REG_NOTIFY_CLASS Class, PVOID Object, NTSTATUS Status, PVOID PreInfo)
{
    for (ULONG i = 0; i < Calls->Called; i++) {
        REG_POST_OPERATION_INFORMATION Post = { .Object = Object, .Status = Status, .PreInformation = PreInfo,
                                                .ReturnStatus = Status, .CallContext = Calls->CallContext[i] };
        if (CmpCall(Calls->Taken[i], Class, &Post) == STATUS_CALLBACK_BYPASS)
            Status = Post.ReturnStatus;
    }
    for (ULONG i = 0; i < Calls->Count; i++)
        ExReleaseRundownProtection(&Calls->Taken[i]->Rundown);
    return Status;
}

/* ---- the key's name ------------------------------------------------------------------------------ */

NTSTATUS CmCallbackGetKeyObjectIDEx(PLARGE_INTEGER Cookie, PVOID Object, PULONG_PTR ObjectID,
                                    PCUNICODE_STRING *ObjectName, ULONG Flags)
{
    (void)Cookie;
    if (Flags != 0 || Object == NULL || ObGetObjectType(Object) != CmpKeyObjectType)
        return STATUS_INVALID_PARAMETER;
    PCM_KEY_NODE Node = ((PCM_KEY_BODY)Object)->Node;
    if (ObjectID != NULL)
        *ObjectID = (ULONG_PTR)Node;
    if (ObjectName == NULL)
        return STATUS_SUCCESS;
    for (;;) {
        CmpLockRegistry();
        ULONG Length = 0;
        for (PCM_KEY_NODE N = Node; N != NULL; N = N->Parent)
            Length += sizeof(WCHAR) + N->NameLength;
        CmpUnlockRegistry();
        PUNICODE_STRING Name = ExAllocatePool2(POOL_FLAG_PAGED, sizeof(UNICODE_STRING) + Length, 'nKmC');
        if (Name == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        CmpLockRegistry();
        ULONG Now = 0;
        for (PCM_KEY_NODE N = Node; N != NULL; N = N->Parent)
            Now += sizeof(WCHAR) + N->NameLength;
        if (Now == Length && Length <= MAXUSHORT) {
            PUCHAR End = (PUCHAR)(Name + 1) + Length;
            for (PCM_KEY_NODE N = Node; N != NULL; N = N->Parent) {
                End -= N->NameLength;
                memcpy(End, N->Name, N->NameLength);
                End -= sizeof(WCHAR);
                *(PWCH)End = L'\\';
            }
        }
        CmpUnlockRegistry();
        if (Now == Length && Length <= MAXUSHORT) {
            Name->Buffer = (PWCH)(Name + 1);
            Name->Length = Name->MaximumLength = (USHORT)Length;
            *ObjectName = Name;
            return STATUS_SUCCESS;
        }
        ExFreePoolWithTag(Name, 'nKmC');   /* renamed meanwhile: again */
    }
}

VOID CmCallbackReleaseKeyObjectIDEx(PCUNICODE_STRING ObjectName)
{
    if (ObjectName != NULL)
        ExFreePoolWithTag((PVOID)ObjectName, 'nKmC');
}

/* The older form: the name belongs to the key object, valid while it
 * lives (made once, kept in the key body, freed with it). A key renamed
 * after the first call keeps the first name, as Windows's cached one. */
NTSTATUS CmCallbackGetKeyObjectID(PLARGE_INTEGER Cookie, PVOID Object, PULONG_PTR ObjectID,
                                  PCUNICODE_STRING *ObjectName)
{
    if (Object == NULL || ObGetObjectType(Object) != CmpKeyObjectType)
        return STATUS_INVALID_PARAMETER;
    PCM_KEY_BODY Body = Object;
    if (ObjectName == NULL)
        return CmCallbackGetKeyObjectIDEx(Cookie, Object, ObjectID, NULL, 0);
    PUNICODE_STRING Name = __atomic_load_n(&Body->Name, __ATOMIC_ACQUIRE);
    if (Name == NULL) {
        PCUNICODE_STRING Made;
        NTSTATUS Status = CmCallbackGetKeyObjectIDEx(Cookie, Object, ObjectID, &Made, 0);
        if (!NT_SUCCESS(Status))
            return Status;
        PUNICODE_STRING Expected = NULL;
        if (__atomic_compare_exchange_n(&Body->Name, &Expected, (PUNICODE_STRING)Made, FALSE, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            Name = (PUNICODE_STRING)Made;
        } else {
            CmCallbackReleaseKeyObjectIDEx(Made);       /* another caller's is kept */
            Name = Expected;
        }
    } else if (ObjectID != NULL) {
        *ObjectID = (ULONG_PTR)Body->Node;
    }
    *ObjectName = Name;
    return STATUS_SUCCESS;
}

/* Registry callback version 1.1 (Windows 7 and later): a failed create or
 * open has a NULL Object in its post information. */
VOID CmGetCallbackVersion(PULONG Major, PULONG Minor)
{
    if (Major != NULL)
        *Major = 1;
    if (Minor != NULL)
        *Minor = 1;
}

/* No registry operation is transacted here (KTM is not implemented: cm/ktm.c). */
PVOID CmGetBoundTransaction(PLARGE_INTEGER Cookie, PVOID Object)
{
    (void)Cookie;
    (void)Object;
    return NULL;
}

/* Per-key contexts need the RegNtCallbackObjectContextCleanup notification
 * at the key's close and at CmUnRegisterCallback: not implemented yet. */
NTSTATUS CmSetCallbackObjectContext(PVOID Object, PLARGE_INTEGER Cookie, PVOID NewContext, PVOID *OldContext)
{
    (void)Object;
    (void)Cookie;
    (void)NewContext;
    if (OldContext != NULL)
        *OldContext = NULL;
    static volatile ULONG Reported;
    return RtlpNotImplemented("CmSetCallbackObjectContext", &Reported);
}

/* ---- unload ------------------------------------------------------------------------------------- */

VOID CmCheckUnloadedCallbacks(PVOID Base, SIZE_T Size)
{
    PVOID Routine = NULL;
    ExpAcquireSpinLock(&CmpRegCallbackLock);
    for (PLIST_ENTRY E = CmpRegCallbacks.Flink; E != &CmpRegCallbacks && Routine == NULL; E = E->Flink) {
        CMP_REG_CALLBACK *R = CONTAINING_RECORD(E, CMP_REG_CALLBACK, Link);
        if ((ULONG_PTR)R->Function - (ULONG_PTR)Base < Size)
            Routine = (PVOID)R->Function;
    }
    ExpReleaseSpinLock(&CmpRegCallbackLock);
    if (Routine != NULL) {
        char Where[160];
        KiDescribeAddress(Routine, Where, sizeof(Where));
        KiBugCheckExplain(DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, (ULONG_PTR)Routine, 0, 0, 0,
                          "the registry callback %s is still registered (CmUnRegisterCallback before unloading)",
                          Where);
    }
}
