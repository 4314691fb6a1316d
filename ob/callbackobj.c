/*
 * ob/callbackobj.c - callback objects (ExCreateCallback, ExRegisterCallback,
 * ExUnregisterCallback, ExNotifyCallback): named objects of type Callback
 * in \Callback through which one driver calls the routines others
 * registered. Ex routines on Windows; here because Ex sits below Ob.
 *
 * The system's own objects (\Callback\ProcessorAdd, \Callback\PowerState,
 * \Callback\SetSystemTime) are permanent and allow many registrations;
 * they are made at the first ExCreateCallback that names one (nothing in
 * ntps notifies them: processors are not added, power does not change).
 *
 * ExNotifyCallback runs at the caller's IRQL (<= DISPATCH_LEVEL): it takes
 * the object's spin lock only to step through the list; each registration
 * in use is counted (Busy), and ExUnregisterCallback, after unlinking it,
 * waits until its calls in flight have returned. A registration holds a
 * reference on its object. A driver that unloads with a routine still
 * registered is bug check 0xCE (ObCheckUnloadedCallbacks calls here).
 */
#include "ob/ob.h"

#define OBP_CALLBACK_SIGNATURE 0x6b626c43    /* 'Clbk' */
#define DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS 0x000000CE

typedef struct _CALLBACK_OBJECT {
    ULONG Signature;
    BOOLEAN AllowMultipleCallbacks;
    KSPIN_LOCK Lock;
    LIST_ENTRY RegisteredCallbacks;
} CALLBACK_OBJECT;

typedef struct _OBP_NOTIFY_REGISTRATION {
    LIST_ENTRY Link;                /* in the object's list */
    PCALLBACK_OBJECT CallbackObject;
    PCALLBACK_FUNCTION CallbackFunction;
    PVOID CallbackContext;
    ULONG Busy;                     /* notifications running it (object lock) */
    BOOLEAN Leaving;                /* being unregistered: no new calls */
    PKEVENT Drained;                /* the unregistering thread's, while it waits */
    LIST_ENTRY AllLink;             /* in ObpAllRegistrations, for unload checks */
} OBP_NOTIFY_REGISTRATION;

static POBJECT_TYPE ObpCallbackType;
static KSPIN_LOCK ObpAllLock;
static LIST_ENTRY ObpAllRegistrations = { &ObpAllRegistrations, &ObpAllRegistrations };

static const PCWSTR ObpSystemCallbacks[] = { L"\\Callback\\ProcessorAdd", L"\\Callback\\PowerState",
                                             L"\\Callback\\SetSystemTime" };

VOID ObpInitializeCallbackObjects(VOID)
{
    OBJECT_TYPE_INITIALIZER Init = {
        .Name = L"Callback", .AsciiName = "Callback", .PoolTag = 'llaC',
        .GenericMapping = { STANDARD_RIGHTS_READ | 1, STANDARD_RIGHTS_WRITE | 1, STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE,
                            STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 1 },
        .ValidAccessMask = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 1,
    };
    ObpCallbackType = ObCreateObjectType(&Init);
    KeInitializeSpinLock(&ObpAllLock);
}

VOID ObpShutdownCallbackObjects(VOID)
{
    ObDeleteObjectType(ObpCallbackType);
    ObpCallbackType = NULL;
}

static BOOLEAN ObpIsSystemCallbackName(const OBP_CAPTURED_ATTRIBUTES *Captured)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(ObpSystemCallbacks); i++) {
        UNICODE_STRING Name;
        RtlInitUnicodeString(&Name, ObpSystemCallbacks[i]);
        if (RtlEqualUnicodeString(&Name, &Captured->Name, TRUE))
            return TRUE;
    }
    return FALSE;
}

/* The object a kernel handle names, referenced; the handle is closed. */
static NTSTATUS ObpCallbackFromHandle(HANDLE Handle, PCALLBACK_OBJECT *CallbackObject)
{
    PVOID Object;
    NTSTATUS Status = ObReferenceObjectByHandle(Handle, 0, ObpCallbackType, KernelMode, &Object, NULL);
    ObpCloseHandleIn(NULL, Handle, KernelMode);
    if (NT_SUCCESS(Status))
        *CallbackObject = Object;
    return Status;
}

static NTSTATUS ObpCreateCallbackObject(OBP_CAPTURED_ATTRIBUTES *Captured, BOOLEAN AllowMultipleCallbacks,
                                        PCALLBACK_OBJECT *CallbackObject)
{
    PVOID Object;
    NTSTATUS Status = ObpCreateObject(ObpCallbackType, sizeof(CALLBACK_OBJECT), Captured, &Object);
    if (!NT_SUCCESS(Status))
        return Status;
    PCALLBACK_OBJECT Callback = Object;
    Callback->Signature = OBP_CALLBACK_SIGNATURE;
    Callback->AllowMultipleCallbacks = AllowMultipleCallbacks;
    KeInitializeSpinLock(&Callback->Lock);
    InitializeListHead(&Callback->RegisteredCallbacks);
    if (!Captured->Named) {
        *CallbackObject = Callback;     /* our creation reference is the caller's */
        return STATUS_SUCCESS;
    }
    HANDLE Handle;
    Status = ObpInsertObject(Object, 0, Captured, KernelMode, &Handle);
    if (!NT_SUCCESS(Status))
        return Status;
    return ObpCallbackFromHandle(Handle, CallbackObject);
}

NTSTATUS ExCreateCallback(PCALLBACK_OBJECT *CallbackObject, POBJECT_ATTRIBUTES ObjectAttributes, BOOLEAN Create,
                          BOOLEAN AllowMultipleCallbacks)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))      /* IrqlExPassive */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20008, Irql, PASSIVE_LEVEL, (ULONG_PTR)ObjectAttributes);
    KeEnterCriticalRegion();
    OBP_CAPTURED_ATTRIBUTES Captured;
    NTSTATUS Status = ObpCaptureObjectAttributes(KernelMode, ObjectAttributes, &Captured);
    if (!NT_SUCCESS(Status)) {
        KeLeaveCriticalRegion();
        return Status;
    }
    Captured.Attributes |= OBJ_KERNEL_HANDLE | OBJ_OPENIF;
    Status = STATUS_OBJECT_NAME_NOT_FOUND;
    if (Captured.Named) {
        HANDLE Handle;
        Status = ObpOpenObjectByName(ObpCallbackType, 0, &Captured, &Handle);
        if (NT_SUCCESS(Status))
            Status = ObpCallbackFromHandle(Handle, CallbackObject);
    }
    if (Status == STATUS_OBJECT_NAME_NOT_FOUND && Captured.Named && ObpIsSystemCallbackName(&Captured)) {
        Captured.Attributes |= OBJ_PERMANENT;       /* there since boot, as on Windows */
        Status = ObpCreateCallbackObject(&Captured, TRUE, CallbackObject);
    } else if (Status == STATUS_OBJECT_NAME_NOT_FOUND && Create) {
        Status = ObpCreateCallbackObject(&Captured, AllowMultipleCallbacks, CallbackObject);
    }
    ObpReleaseObjectAttributes(&Captured);
    KeLeaveCriticalRegion();
    return Status == STATUS_OBJECT_NAME_EXISTS ? STATUS_SUCCESS : Status;
}

static VOID ObpCheckCallbackObject(PCALLBACK_OBJECT CallbackObject, PCSTR Routine)
{
    ObpCheckObject(CallbackObject, Routine, NULL);
    if (ObGetObjectType(CallbackObject) != ObpCallbackType)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1002, (ULONG_PTR)CallbackObject, 0, 0,
                          "%s(%p): not a callback object", Routine, (void *)CallbackObject);
}

PVOID ExRegisterCallback(PCALLBACK_OBJECT CallbackObject, PCALLBACK_FUNCTION CallbackFunction, PVOID CallbackContext)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)           /* IrqlExApcLte2 */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20006, Irql, APC_LEVEL, (ULONG_PTR)CallbackObject);
    ObpCheckCallbackObject(CallbackObject, __func__);
    OBP_NOTIFY_REGISTRATION *Registration = ExpAllocateForCaller(sizeof(*Registration), 'eRbC',
                                                                   __builtin_return_address(0));
    if (Registration == NULL)
        return NULL;
    Registration->CallbackObject = CallbackObject;
    Registration->CallbackFunction = CallbackFunction;
    Registration->CallbackContext = CallbackContext;
    ObfReferenceObject(CallbackObject);
    KIRQL OldIrql;
    KeAcquireSpinLock(&CallbackObject->Lock, &OldIrql);
    BOOLEAN Refused = !CallbackObject->AllowMultipleCallbacks && !IsListEmpty(&CallbackObject->RegisteredCallbacks);
    if (!Refused)
        InsertTailList(&CallbackObject->RegisteredCallbacks, &Registration->Link);
    KeReleaseSpinLock(&CallbackObject->Lock, OldIrql);
    if (Refused) {
        ObfDereferenceObject(CallbackObject);
        ExFreePoolWithTag(Registration, 'eRbC');
        return NULL;
    }
    KeAcquireSpinLock(&ObpAllLock, &OldIrql);
    InsertTailList(&ObpAllRegistrations, &Registration->AllLink);
    KeReleaseSpinLock(&ObpAllLock, OldIrql);
    return Registration;
}

VOID ExUnregisterCallback(PVOID CallbackRegistration)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)           /* IrqlExApcLte2 */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20006, Irql, APC_LEVEL, (ULONG_PTR)CallbackRegistration);
    OBP_NOTIFY_REGISTRATION *Registration = CallbackRegistration;
    PCALLBACK_OBJECT CallbackObject = Registration->CallbackObject;
    KIRQL OldIrql;
    KeAcquireSpinLock(&ObpAllLock, &OldIrql);
    BOOLEAN Known = FALSE;
    for (PLIST_ENTRY E = ObpAllRegistrations.Flink; E != &ObpAllRegistrations && !Known; E = E->Flink)
        Known = E == &Registration->AllLink;
    if (Known)
        RemoveEntryList(&Registration->AllLink);
    KeReleaseSpinLock(&ObpAllLock, OldIrql);
    if (!Known)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1007, (ULONG_PTR)CallbackRegistration, 0, 0,
                          "ExUnregisterCallback(%p): not a registration, or unregistered already",
                          CallbackRegistration);
    /* It stays linked until its calls in flight return (they step on
     * from it), but takes no new ones. */
    KEVENT Drained;
    KeInitializeEvent(&Drained, NotificationEvent, FALSE);
    KeAcquireSpinLock(&CallbackObject->Lock, &OldIrql);
    Registration->Leaving = TRUE;
    BOOLEAN Wait = Registration->Busy != 0;
    if (Wait)
        Registration->Drained = &Drained;
    else
        RemoveEntryList(&Registration->Link);
    KeReleaseSpinLock(&CallbackObject->Lock, OldIrql);
    if (Wait) {
        KeWaitForSingleObject(&Drained, Executive, KernelMode, FALSE, NULL);
        KeAcquireSpinLock(&CallbackObject->Lock, &OldIrql);
        RemoveEntryList(&Registration->Link);
        KeReleaseSpinLock(&CallbackObject->Lock, OldIrql);
    }
    ObfDereferenceObject(CallbackObject);
    ExFreePool(Registration);
}

/* Each registered routine in turn, at the caller's IRQL; one being
 * unregistered is skipped. */
VOID ExNotifyCallback(PVOID CallbackObject, PVOID Argument1, PVOID Argument2)
{
    PCALLBACK_OBJECT Callback = CallbackObject;
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL, (ULONG_PTR)CallbackObject);
    if (Callback == NULL)
        return;
    ObpCheckCallbackObject(Callback, __func__);
    KIRQL OldIrql;
    KeAcquireSpinLock(&Callback->Lock, &OldIrql);
    PLIST_ENTRY E = Callback->RegisteredCallbacks.Flink;
    while (E != &Callback->RegisteredCallbacks) {
        OBP_NOTIFY_REGISTRATION *R = CONTAINING_RECORD(E, OBP_NOTIFY_REGISTRATION, Link);
        if (R->Leaving) {
            E = E->Flink;
            continue;
        }
        R->Busy++;
        KeReleaseSpinLock(&Callback->Lock, OldIrql);
        R->CallbackFunction(R->CallbackContext, Argument1, Argument2);
        KeAcquireSpinLock(&Callback->Lock, &OldIrql);
        E = R->Link.Flink;      /* R stays linked while Busy */
        if (--R->Busy == 0 && R->Drained != NULL)
            KeSetEvent(R->Drained, 0, FALSE);
    }
    KeReleaseSpinLock(&Callback->Lock, OldIrql);
}

/* A driver unloads: a routine of its image still registered would be
 * called after the code is gone. */
VOID ObpCheckUnloadedCallbackObjects(PVOID Base, SIZE_T Size)
{
    KIRQL OldIrql;
    PVOID Found = NULL, Routine = NULL;
    KeAcquireSpinLock(&ObpAllLock, &OldIrql);
    for (PLIST_ENTRY E = ObpAllRegistrations.Flink; E != &ObpAllRegistrations && Found == NULL; E = E->Flink) {
        OBP_NOTIFY_REGISTRATION *R = CONTAINING_RECORD(E, OBP_NOTIFY_REGISTRATION, AllLink);
        if ((ULONG_PTR)R->CallbackFunction - (ULONG_PTR)Base < Size) {
            Found = R;
            Routine = (PVOID)R->CallbackFunction;
        }
    }
    KeReleaseSpinLock(&ObpAllLock, OldIrql);
    if (Found != NULL) {
        char Where[160];
        KiDescribeAddress(Routine, Where, sizeof(Where));
        KiBugCheckExplain(DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, (ULONG_PTR)Routine, 0, 0, 0,
                          "the callback routine %s is still registered on a callback object "
                          "(ExUnregisterCallback %p before unloading)",
                          Where, Found);
    }
}
