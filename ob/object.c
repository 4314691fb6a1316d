/*
 * ob/object.c - object headers, types and reference counts.
 *
 * Every object is preceded by an OBJECT_HEADER. Pointer references keep it
 * alive; each handle also holds one. At zero the type's delete procedure
 * runs and the memory is freed.
 */
#include "ob/ob.h"

#include <string.h>

#if defined(NTPS_ASAN)
#include <sanitizer/asan_interface.h>
#endif

VOID ObpUnpoisonBody(PVOID Body, SIZE_T Size);

POBJECT_TYPE ObpProcessType, ObpThreadType, ObpEventType, ObpSemaphoreType, ObpMutantType, ObpFileType,
    ObpDriverType, ObpDesktopType;
POBJECT_TYPE *PsProcessType = &ObpProcessType;
POBJECT_TYPE *PsThreadType = &ObpThreadType;
POBJECT_TYPE *ExEventObjectType = &ObpEventType;
POBJECT_TYPE *ExSemaphoreObjectType = &ObpSemaphoreType;
POBJECT_TYPE *IoFileObjectType = &ObpFileType;
POBJECT_TYPE *ExDesktopObjectType = &ObpDesktopType;

/* Every type that exists: an object pointer a driver passes must have a
 * header naming one of them (ObpCheckObject). Types live in slots of a
 * fixed array, one power-of-two stride apart, so that the check on every
 * reference and dereference is a range test and one load, not a search,
 * and never dereferences the (maybe garbage) type pointer. ObpTypes[i]
 * names the live type of slot i. Read without a lock; types come and go
 * only at boot and shutdown. */
#define OBP_MAX_TYPES 32
#define OBP_TYPE_STRIDE 256
typedef union _OBP_TYPE_SLOT {
    OBJECT_TYPE Type;
    UCHAR Pad[OBP_TYPE_STRIDE];
} OBP_TYPE_SLOT;
_Static_assert(sizeof(OBJECT_TYPE) <= OBP_TYPE_STRIDE, "OBJECT_TYPE outgrew its slot");
static OBP_TYPE_SLOT ObpTypeStore[OBP_MAX_TYPES] __attribute__((aligned(OBP_TYPE_STRIDE)));
static POBJECT_TYPE volatile ObpTypes[OBP_MAX_TYPES];
#define OBP_TYPE_RESERVED ((POBJECT_TYPE)1)     /* slot taken, type being filled in */

static POBJECT_TYPE ObpReserveType(VOID)
{
    for (ULONG i = 0; i < OBP_MAX_TYPES; i++) {
        POBJECT_TYPE Expected = NULL;
        if (__atomic_compare_exchange_n(&ObpTypes[i], &Expected, OBP_TYPE_RESERVED, FALSE, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
            memset(&ObpTypeStore[i], 0, sizeof(ObpTypeStore[i]));
            return &ObpTypeStore[i].Type;
        }
    }
    KiInternalError("more than %u object types", OBP_MAX_TYPES);
}

static ULONG ObpTypeSlot(POBJECT_TYPE Type)
{
    return (ULONG)(((ULONG_PTR)Type - (ULONG_PTR)ObpTypeStore) / OBP_TYPE_STRIDE);
}

static inline BOOLEAN ObpIsType(POBJECT_TYPE Type)
{
    ULONG_PTR Offset = (ULONG_PTR)Type - (ULONG_PTR)ObpTypeStore;
    return Offset < sizeof(ObpTypeStore) && Offset % OBP_TYPE_STRIDE == 0 &&
           __atomic_load_n(&ObpTypes[Offset / OBP_TYPE_STRIDE], __ATOMIC_ACQUIRE) == Type;
}

/* Object, given to Routine by the code at Caller, must be an object: its
 * header is read (a bad pointer faults here, with nothing held) and must
 * name an object type, or it is bug check 0x189 BAD_OBJECT_HEADER (P1 the
 * header, P2 the type it names, P3 0: the type is corrupt). */
static __attribute__((noinline, noreturn)) VOID ObpBadObject(PVOID Object, POBJECT_TYPE Type, PCSTR Routine,
                                                              PVOID Caller)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    char Where[192];
    KiDescribeAddress(Caller, Where, sizeof(Where));
    KiBugCheckExplain(BAD_OBJECT_HEADER, (ULONG_PTR)Header, (ULONG_PTR)Type, 0, 0,
                      "%s(%p) called from %s: not an object (its header names no object type)", Routine, Object,
                      Where);
}

/* The report out of line: every reference and dereference passes here. */
VOID ObpCheckObject(PVOID Object, PCSTR Routine, PVOID Caller)
{
    POBJECT_TYPE Type = *(POBJECT_TYPE volatile *)&OBJECT_TO_OBJECT_HEADER(Object)->Type;
    if (!ObpIsType(Type))
        ObpBadObject(Object, Type, Routine, Caller);
}

/* Inline here (the hot DDIs of this file): the test, then the report. */
static inline VOID ObpCheckObjectInline(PVOID Object, PCSTR Routine, PVOID Caller)
{
    POBJECT_TYPE Type = *(POBJECT_TYPE volatile *)&OBJECT_TO_OBJECT_HEADER(Object)->Type;
    if (__builtin_expect(!ObpIsType(Type), 0))
        ObpBadObject(Object, Type, Routine, Caller);
}

#define OBP_CHECK_OBJECT(Object) ObpCheckObjectInline((Object), __func__, __builtin_return_address(0))

POBJECT_TYPE ObCreateObjectType(const OBJECT_TYPE_INITIALIZER *Initializer)
{
    POBJECT_TYPE Type = ObpReserveType();
    SIZE_T Length = 0;
    while (Initializer->Name[Length] != 0 && Length < RTL_NUMBER_OF(Type->NameBuffer) - 1) {
        Type->NameBuffer[Length] = Initializer->Name[Length];
        Length++;
    }
    Type->Name.Buffer = Type->NameBuffer;
    Type->Name.Length = (USHORT)(Length * sizeof(WCHAR));
    Type->Name.MaximumLength = (USHORT)sizeof(Type->NameBuffer);
    strncpy(Type->AsciiName, Initializer->AsciiName, sizeof(Type->AsciiName) - 1);
    Type->GenericMapping = Initializer->GenericMapping;
    Type->ValidAccessMask = Initializer->ValidAccessMask;
    Type->PoolTag = Initializer->PoolTag;
    Type->DeleteProcedure = Initializer->DeleteProcedure;
    Type->StableSize = Initializer->StableSize;
    __atomic_store_n(&ObpTypes[ObpTypeSlot(Type)], Type, __ATOMIC_RELEASE);
    return Type;
}

VOID ObDeleteObjectType(POBJECT_TYPE Type)
{
    if (Type == NULL)
        return;
    if (!ObpIsType(Type))
        KiInternalError("deleting an object type that does not exist (%p)", (void *)Type);
    while (Type->FreeObjects != NULL) {
        PVOID Body = Type->FreeObjects;
        ObpUnpoisonBody(Body, Type->StableSize);
        Type->FreeObjects = *(PVOID *)Body;
        ExpFreeKernel(OBJECT_TO_OBJECT_HEADER(Body));
    }
    __atomic_store_n(&ObpTypes[ObpTypeSlot(Type)], NULL, __ATOMIC_RELEASE);
}

/* ---- type-stable memory ------------------------------------------------------------ */

/* A cached object's body is poisoned (a driver that kept a pointer to a
 * deleted process gets an ASan report); its header stays readable, since
 * a racing look-up reads the reference count there. */
static VOID ObpPoisonBody(PVOID Body, SIZE_T Size)
{
#if defined(NTPS_ASAN)
    __asan_poison_memory_region((PCHAR)Body + sizeof(PVOID), Size - sizeof(PVOID));
#else
    (void)Body; (void)Size;
#endif
}

VOID ObpUnpoisonBody(PVOID Body, SIZE_T Size)
{
#if defined(NTPS_ASAN)
    __asan_unpoison_memory_region(Body, Size);
#else
    (void)Body; (void)Size;
#endif
}

static POBJECT_HEADER ObpTakeCachedObject(POBJECT_TYPE Type)
{
    ExpAcquireSpinLock(&Type->CacheLock);
    PVOID Body = Type->FreeObjects;
    if (Body != NULL)
        Type->FreeObjects = *(PVOID *)Body;
    ExpReleaseSpinLock(&Type->CacheLock);
    if (Body == NULL)
        return NULL;
    ObpUnpoisonBody(Body, Type->StableSize);
    memset(Body, 0, Type->StableSize);
    return OBJECT_TO_OBJECT_HEADER(Body);
}

static VOID ObpCacheObject(POBJECT_TYPE Type, POBJECT_HEADER Header)
{
    PVOID Body = OBJECT_HEADER_TO_BODY(Header);
    /* Before it is on the list: once there, another thread may take it
     * (and unpoison it) at once. */
    ObpPoisonBody(Body, Type->StableSize);
    ExpAcquireSpinLock(&Type->CacheLock);
    *(PVOID *)Body = Type->FreeObjects;
    Type->FreeObjects = Body;
    ExpReleaseSpinLock(&Type->CacheLock);
}

/* Prefix bytes (a named object's OBP_NAME_INFO) go before the header,
 * rounded so that the header and body keep the allocation's alignment. */
NTSTATUS ObpAllocateObject(POBJECT_TYPE Type, SIZE_T BodySize, SIZE_T PrefixSize, PVOID *Object, PVOID *Prefix)
{
    PrefixSize = (PrefixSize + 15) & ~(SIZE_T)15;
    if (PrefixSize > MAXULONG || BodySize > MAXULONG)
        return STATUS_INSUFFICIENT_RESOURCES;
    BOOLEAN Stable = Type->StableSize != 0 && BodySize == Type->StableSize && PrefixSize == 0;
    POBJECT_HEADER Header = Stable ? ObpTakeCachedObject(Type) : NULL;
    PCHAR Start = (PCHAR)Header;
    if (Header == NULL) {
        Start = ExpAllocateKernel(PrefixSize + sizeof(OBJECT_HEADER) + BodySize, Type->PoolTag);
        if (Start == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        Header = (POBJECT_HEADER)(Start + PrefixSize);
    }
    Header->HandleCount = 0;
    Header->Type = Type;
    Header->Flags = (PrefixSize != 0 ? OB_FLAG_NAMED : 0) | (Stable ? OB_FLAG_TYPE_STABLE : 0);
    Header->NameInfoOffset = (ULONG)PrefixSize;
    /* Last: from here a racing look-up of an old incarnation may take a
     * reference; it then finds the client-ID entry changed and drops it. */
    __atomic_store_n(&Header->PointerCount, 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&Type->TotalNumberOfObjects, 1, __ATOMIC_RELAXED);
    *Object = OBJECT_HEADER_TO_BODY(Header);
    if (Prefix != NULL)
        *Prefix = PrefixSize != 0 ? Start : NULL;
    return STATUS_SUCCESS;
}

NTSTATUS ObCreateObject(POBJECT_TYPE Type, SIZE_T BodySize, PVOID *Object)
{
    return ObpAllocateObject(Type, BodySize, 0, Object, NULL);
}

POBJECT_TYPE ObGetObjectType(PVOID Object)
{
    OBP_CHECK_OBJECT(Object);
    return OBJECT_TO_OBJECT_HEADER(Object)->Type;
}

/* Deleted objects of types that are not type-stable wait here before their
 * memory goes back to the pool, their header naming no type: a driver that
 * dereferences one it no longer holds meets ObpCheckObject's 0x189, not
 * reused memory. */
#define OBP_DELETED_KEPT 256
static PVOID ObpDeletedObjects[OBP_DELETED_KEPT];
static ULONG ObpDeletedNext;
static EXP_SPIN_LOCK ObpDeletedLock;

static VOID ObpRetireObject(POBJECT_HEADER Header)
{
    __atomic_store_n(&Header->Type, NULL, __ATOMIC_RELEASE);
    PVOID Start = (PCHAR)Header - Header->NameInfoOffset;
    ExpAcquireSpinLock(&ObpDeletedLock);
    PVOID Oldest = ObpDeletedObjects[ObpDeletedNext];
    ObpDeletedObjects[ObpDeletedNext] = Start;
    ObpDeletedNext = (ObpDeletedNext + 1) % OBP_DELETED_KEPT;
    ExpReleaseSpinLock(&ObpDeletedLock);
    if (Oldest != NULL)
        ExpFreeKernel(Oldest);
}

static VOID ObpFreeRetiredObjects(VOID)
{
    for (ULONG i = 0; i < OBP_DELETED_KEPT; i++) {
        if (ObpDeletedObjects[i] != NULL)
            ExpFreeKernel(ObpDeletedObjects[i]);
        ObpDeletedObjects[i] = NULL;
    }
    ObpDeletedNext = 0;
}

static __attribute__((noinline)) VOID ObpDeleteObject(PVOID Object)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    POBJECT_TYPE Type = Header->Type;
    if (Type->DeleteProcedure != NULL)
        Type->DeleteProcedure(Object);
    __atomic_sub_fetch(&Type->TotalNumberOfObjects, 1, __ATOMIC_RELAXED);
    if (Header->Flags & OB_FLAG_TYPE_STABLE)
        ObpCacheObject(Type, Header);
    else
        ObpRetireObject(Header);
}

LONG_PTR ObfReferenceObject(PVOID Object)
{
    OBP_CHECK_OBJECT(Object);
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    LONG_PTR New = __atomic_add_fetch(&Header->PointerCount, 1, __ATOMIC_RELAXED);
    if (New <= 1)   /* it was already at zero: the object is being deleted */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3F, (ULONG_PTR)Object, 1, 0);
    return New;
}

LONG_PTR ObfReferenceObjectWithTag(PVOID Object, ULONG Tag)
{
    OBP_CHECK_OBJECT(Object);
    (void)Tag;      /* tags are accepted; per-tag reference tracing is not kept */
    return ObfReferenceObject(Object);
}

BOOLEAN ObReferenceObjectSafe(PVOID Object)
{
    OBP_CHECK_OBJECT(Object);
    return ObpReferenceObjectSafe(Object);
}

LONG_PTR ObfDereferenceObject(PVOID Object)
{
    OBP_CHECK_OBJECT(Object);
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    KIRQL Irql = KiCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL, (ULONG_PTR)Object);
    LONG_PTR New = __atomic_sub_fetch(&Header->PointerCount, 1, __ATOMIC_ACQ_REL);
    if (New < 0)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3F, (ULONG_PTR)Object, (ULONG_PTR)-1, 0);
    if (New == 0) {
        ObpDeleteObject(Object);
        return 0;       /* New not kept across the call: the hot path saves no register */
    }
    return New;
}

LONG_PTR ObfDereferenceObjectWithTag(PVOID Object, ULONG Tag)
{
    OBP_CHECK_OBJECT(Object);
    (void)Tag;
    return ObfDereferenceObject(Object);
}

VOID ObDereferenceObjectDeferDelete(PVOID Object)
{
    OBP_CHECK_OBJECT(Object);
    ObfDereferenceObject(Object);
}

VOID ObDereferenceObjectDeferDeleteWithTag(PVOID Object, ULONG Tag)
{
    OBP_CHECK_OBJECT(Object);
    (void)Tag;
    ObfDereferenceObject(Object);
}

NTSTATUS ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                    KPROCESSOR_MODE AccessMode)
{
    (void)DesiredAccess;
    (void)AccessMode;
    OBP_CHECK_OBJECT(Object);
    if (ObjectType != NULL && OBJECT_TO_OBJECT_HEADER(Object)->Type != ObjectType)
        return STATUS_OBJECT_TYPE_MISMATCH;
    ObfReferenceObject(Object);
    return STATUS_SUCCESS;
}

NTSTATUS ObReferenceObjectByPointerWithTag(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                           KPROCESSOR_MODE AccessMode, ULONG Tag)
{
    (void)Tag;
    return ObReferenceObjectByPointer(Object, DesiredAccess, ObjectType, AccessMode);
}

ACCESS_MASK ObMapGenericMask(POBJECT_TYPE Type, ACCESS_MASK Access)
{
    if (Access & GENERIC_READ) Access |= Type->GenericMapping.GenericRead;
    if (Access & GENERIC_WRITE) Access |= Type->GenericMapping.GenericWrite;
    if (Access & GENERIC_EXECUTE) Access |= Type->GenericMapping.GenericExecute;
    if (Access & GENERIC_ALL) Access |= Type->GenericMapping.GenericAll;
    if (Access & MAXIMUM_ALLOWED) Access |= Type->ValidAccessMask;
    return Access & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED);
}

/* ---- the types that exist before any driver loads --------------------------------- */

/* The dispatcher objects Ob hands out handles to; waiting by handle on
 * anything else (a file, a driver) is STATUS_OBJECT_TYPE_MISMATCH. */
BOOLEAN ObpIsWaitableType(POBJECT_TYPE Type)
{
    return Type == ObpProcessType || Type == ObpThreadType || Type == ObpEventType || Type == ObpSemaphoreType ||
           Type == ObpMutantType || Type == ObpFileType;
}

/* What a wait on the object waits for: a file object's Event (set when
 * an I/O request on it completes), else the object itself. */
PVOID ObpWaitableBody(PVOID Object)
{
    if (OBJECT_TO_OBJECT_HEADER(Object)->Type == ObpFileType)
        return &((PFILE_OBJECT)Object)->Event;
    return Object;
}

static POBJECT_TYPE ObpSimpleType(PCWSTR Name, PCSTR Ascii, ULONG Tag, ACCESS_MASK Query, ACCESS_MASK Modify,
                                  ACCESS_MASK All, VOID (*DeleteProcedure)(PVOID Object))
{
    OBJECT_TYPE_INITIALIZER Init = {
        .Name = Name, .AsciiName = Ascii, .PoolTag = Tag,
        .GenericMapping = { STANDARD_RIGHTS_READ | Query, STANDARD_RIGHTS_WRITE | Modify,
                            STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, All },
        .ValidAccessMask = All, .DeleteProcedure = DeleteProcedure,
    };
    return ObCreateObjectType(&Init);
}

/* A mutant that goes away while a thread owns it leaves that thread's
 * list of owned mutants (a mutant created owned whose OBJ_OPENIF create
 * found an existing one goes this way too). */
static VOID ObpDeleteMutant(PVOID Object)
{
    PKMUTANT Mutant = Object;
    if (__atomic_load_n(&Mutant->OwnerThread, __ATOMIC_ACQUIRE) != NULL)
        KeReleaseMutant(Mutant, MUTANT_INCREMENT, TRUE, FALSE);
}

VOID ObInitializeSystem(VOID)
{
    ObpEventType = ObpSimpleType(L"Event", "Event", 'tnvE', EVENT_QUERY_STATE, EVENT_MODIFY_STATE,
                                 EVENT_ALL_ACCESS, NULL);
    ObpSemaphoreType = ObpSimpleType(L"Semaphore", "Semaphore", 'meSE', SEMAPHORE_QUERY_STATE,
                                     SEMAPHORE_MODIFY_STATE, SEMAPHORE_ALL_ACCESS, NULL);
    ObpMutantType = ObpSimpleType(L"Mutant", "Mutant", 'atuM', MUTANT_QUERY_STATE, 0, MUTANT_ALL_ACCESS,
                                  ObpDeleteMutant);
    ObpFileType = ObpSimpleType(L"File", "File", 'eliF', 0, 0, STANDARD_RIGHTS_ALL | 0x1FF, NULL);
    /* No desktop is ever created (no win32k); the type exists because
     * object callbacks may be registered for it (OB_OPERATION_REGISTRATION). */
    ObpDesktopType = ObpSimpleType(L"Desktop", "Desktop", 'kseD', 0, 0, STANDARD_RIGHTS_REQUIRED | 0x1FF, NULL);
    ObpInitializeNamespace();
    ObpInitializeCallbacks();
    ObpInitializeCallbackObjects();
}

VOID ObShutdownSystem(VOID)
{
    ObpShutdownCallbacks();
    ObpShutdownNamespace();
    ObpShutdownCallbackObjects();
    ObDeleteObjectType(ObpEventType);
    ObDeleteObjectType(ObpSemaphoreType);
    ObDeleteObjectType(ObpMutantType);
    ObDeleteObjectType(ObpFileType);
    ObDeleteObjectType(ObpDesktopType);
    ObpEventType = ObpSemaphoreType = ObpMutantType = ObpFileType = ObpDesktopType = NULL;
    ObpFreeRetiredObjects();
}
