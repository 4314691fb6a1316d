/*
 * ob/ob.h - the object manager's internal interface: object headers and
 * types, creating objects, and handles in per-process handle tables.
 */
#ifndef NTPS_OB_H
#define NTPS_OB_H

#include "ex/ex.h"
#include <ntps.h>

/* A name being put together (ObQueryNameString): characters go into
 * Buffer while they fit in Capacity; Count counts them all, so one pass
 * both measures and copies. */
typedef struct _OBP_NAME_BUILDER {
    PWCH Buffer;
    SIZE_T Capacity;                /* characters */
    SIZE_T Count;                   /* characters the whole name takes */
    ULONG Depth;                    /* nested names (a file's related files) */
} OBP_NAME_BUILDER;
static inline VOID ObpAppendName(OBP_NAME_BUILDER *Builder, PCWCH Text, SIZE_T Count)
{
    for (SIZE_T i = 0; i < Count; i++)
        if (Builder->Count + i < Builder->Capacity)
            Builder->Buffer[Builder->Count + i] = Text[i];
    Builder->Count += Count;
}

typedef struct _OBJECT_TYPE {
    UNICODE_STRING Name;
    WCHAR NameBuffer[32];
    CHAR AsciiName[32];
    GENERIC_MAPPING GenericMapping;
    ACCESS_MASK ValidAccessMask;
    ULONG PoolTag;
    VOID (*DeleteProcedure)(PVOID Object);
    /* Called when the object's last handle is closed (Io: IRP_MJ_CLEANUP). */
    VOID (*CloseProcedure)(PVOID Object);
    /* The full name of an object of this type, when it is not its name in
     * the namespace (Io: a file's device and path, a driver's \Driver\X). */
    VOID (*QueryNameProcedure)(PVOID Object, OBP_NAME_BUILDER *Builder);
    volatile LONG TotalNumberOfObjects;
    volatile LONG TotalNumberOfHandles;
    /* Object callback entries (ObRegisterCallbacks) registered for this
     * type: the one load a handle creation pays when there are none. */
    volatile LONG CallbackCount;
    /* Type-stable memory (ObpAllocateObject): objects of StableSize are
     * kept in this cache when deleted instead of going back to the heap,
     * so a look-up that races with a deletion never touches freed memory
     * (the client-ID table is read without a lock). */
    SIZE_T StableSize;
    EXP_SPIN_LOCK CacheLock;
    PVOID FreeObjects;              /* bodies, linked through their first word */
} OBJECT_TYPE;

typedef struct _OBJECT_HEADER {
    volatile LONG_PTR PointerCount;
    volatile LONG_PTR HandleCount;
    POBJECT_TYPE Type;
    volatile ULONG Flags;           /* OB_FLAG_* */
    ULONG NameInfoOffset;           /* named: the OBP_NAME_INFO is this far before the header */
} OBJECT_HEADER, *POBJECT_HEADER;

#define OB_FLAG_NAMED       0x0001  /* an OBP_NAME_INFO precedes the header */
#define OB_FLAG_PERMANENT   0x0002  /* OBJ_PERMANENT: stays named without handles */
#define OB_FLAG_TYPE_STABLE 0x0004  /* cached by its type when deleted, never freed */

#define OBJECT_TO_OBJECT_HEADER(o) ((POBJECT_HEADER)((PCHAR)(o) - sizeof(OBJECT_HEADER)))
#define OBJECT_HEADER_TO_BODY(h) ((PVOID)((PCHAR)(h) + sizeof(OBJECT_HEADER)))

/* ObReferenceObjectSafe for kernel hot paths: a reference unless the
 * object is already being deleted. */
static inline BOOLEAN ObpReferenceObjectSafe(PVOID Object)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    LONG_PTR Count = __atomic_load_n(&Header->PointerCount, __ATOMIC_RELAXED);
    while (Count > 0) {
        if (__atomic_compare_exchange_n(&Header->PointerCount, &Count, Count + 1, TRUE, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return TRUE;
    }
    return FALSE;
}

typedef struct _OBJECT_TYPE_INITIALIZER {
    PCWSTR Name;
    PCSTR AsciiName;
    ULONG PoolTag;
    GENERIC_MAPPING GenericMapping;
    ACCESS_MASK ValidAccessMask;
    VOID (*DeleteProcedure)(PVOID Object);
    SIZE_T StableSize;              /* nonzero: objects of this body size are type-stable */
} OBJECT_TYPE_INITIALIZER;

POBJECT_TYPE ObCreateObjectType(const OBJECT_TYPE_INITIALIZER *Initializer);
VOID ObDeleteObjectType(POBJECT_TYPE Type);
/* A new object with one pointer reference, zero-filled body. */
NTSTATUS ObCreateObject(POBJECT_TYPE Type, SIZE_T BodySize, PVOID *Object);
/* ... with PrefixSize bytes before the header (*Prefix), for a name. */
NTSTATUS ObpAllocateObject(POBJECT_TYPE Type, SIZE_T BodySize, SIZE_T PrefixSize, PVOID *Object, PVOID *Prefix);
/* Exported but in no WDK header: drivers declare it (NTKERNELAPI POBJECT_TYPE
 * ObGetObjectType(PVOID Object)). */
NTPS_EXPORT POBJECT_TYPE ObGetObjectType(PVOID Object);
/* Object, given to Routine by the code at Caller, must be an object (its
 * header names an object type): bug check 0x189 if not. */
VOID ObpCheckObject(PVOID Object, PCSTR Routine, PVOID Caller);
VOID ObInitializeSystem(VOID);
VOID ObShutdownSystem(VOID);

/* Handles. The table is the current process's; a kernel handle (value with
 * the sign bit) lives in the System process's table. */
extern PEX_HANDLE_TABLE (*ObpProcessHandleTable)(PVOID Process);   /* registered by Ps */
extern PVOID (*ObpCurrentProcess)(VOID);
extern PVOID (*ObpSystemProcess)(VOID);
/* A handle in the current process's table (the System process's for
 * OBJ_KERNEL_HANDLE), with object callbacks for process and thread
 * objects (OB_OPERATION_HANDLE_CREATE). */
NTSTATUS ObpCreateHandle(PVOID Object, ACCESS_MASK GrantedAccess, ULONG Attributes, PHANDLE Handle);
VOID ObCloseAllHandles(PEX_HANDLE_TABLE Table);
ACCESS_MASK ObMapGenericMask(POBJECT_TYPE Type, ACCESS_MASK Access);

extern POBJECT_TYPE ObpProcessType, ObpThreadType, ObpEventType, ObpSemaphoreType, ObpMutantType, ObpFileType,
    ObpDriverType, ObpDesktopType;
/* Driver objects are not in the namespace: Io (which keeps them) answers
 * for \Driver\Name here (ObReferenceObjectByName): the driver object whose
 * DriverName is Name, referenced, or NULL. Set by IoInitializeSystem. */
extern PVOID (*ObpReferenceDriverByName)(PCUNICODE_STRING Name);

/* ---- handles in a given process's table (ob/handle.c) ------------------------------ */
typedef struct _OBP_HANDLE_REQUEST {
    PVOID Process;                  /* whose table; NULL: the current process */
    PVOID Object;
    ACCESS_MASK Access;             /* mapped, before object callbacks */
    ULONG Attributes;               /* OBJ_INHERIT | OBJ_KERNEL_HANDLE */
    OB_OPERATION Operation;         /* OB_OPERATION_HANDLE_CREATE or _DUPLICATE */
    PVOID SourceProcess;            /* duplicate only */
    PVOID TargetProcess;
    BOOLEAN HandleCountTaken;       /* the caller already counted this handle (ob/namespace.c) */
} OBP_HANDLE_REQUEST;
NTSTATUS ObpCreateHandleEx(const OBP_HANDLE_REQUEST *Request, PHANDLE Handle);
/* The entry a handle names in Process's table (kernel handles: the
 * System process's), referenced; pseudo-handles are not resolved here. */
BOOLEAN ObpLookupHandle(PVOID Process, HANDLE Handle, PHANDLE_TABLE_ENTRY Entry);
/* Remove a handle from Process's table (NULL: the current process). */
NTSTATUS ObpCloseHandleIn(PVOID Process, HANDLE Handle, KPROCESSOR_MODE PreviousMode);
/* One handle fewer on Object: a named object leaves the namespace with
 * its last handle (ob/namespace.c). */
VOID ObpDecrementHandleCount(PVOID Object);
BOOLEAN ObpIsWaitableType(POBJECT_TYPE Type);
PVOID ObpWaitableBody(PVOID Object);

/* ---- object callbacks (ob/callback.c) ------------------------------------------------- */
/* One registered entry taking part in one handle operation, on the stack
 * of the thread doing it: its registration stays (rundown protection) from
 * the pre-callback to the post-callback. */
typedef struct _OBP_CALLBACK_CALL {
    LIST_ENTRY InFlightLink;        /* in the registration's list of calls in flight */
    PKTHREAD Thread;
    struct _OBP_CALLBACK_REGISTRATION *Registration;
    ULONG Entry;                    /* which OB_OPERATION_REGISTRATION */
    PVOID CallContext;              /* what its pre-callback left for its post-callback */
} OBP_CALLBACK_CALL;
#define OBP_INLINE_CALLS 8
typedef struct _OBP_CALLBACK_DISPATCH {
    ULONG Count;
    OBP_CALLBACK_CALL *Calls;       /* Inline, or pool for more */
    OBP_CALLBACK_CALL Inline[OBP_INLINE_CALLS];
} OBP_CALLBACK_DISPATCH;
/* Pre-callbacks of a handle operation: returns the access left after
 * them. Only called when Type->CallbackCount != 0. */
ACCESS_MASK ObpCallPreCallbacks(OBP_CALLBACK_DISPATCH *Dispatch, const OBP_HANDLE_REQUEST *Request);
VOID ObpCallPostCallbacks(OBP_CALLBACK_DISPATCH *Dispatch, const OBP_HANDLE_REQUEST *Request, NTSTATUS Status,
                          ACCESS_MASK Granted);
/* A driver image is unloading: no callback of it may stay registered (0xCE). */
VOID ObCheckUnloadedCallbacks(PVOID Base, SIZE_T Size);

/* ---- named objects (ob/namespace.c) --------------------------------------------------- */
typedef struct _OBP_CAPTURED_ATTRIBUTES {
    ULONG Attributes;
    HANDLE RootDirectory;
    BOOLEAN Named;                  /* a non-empty name was given */
    UNICODE_STRING Name;            /* kernel copy */
} OBP_CAPTURED_ATTRIBUTES;
/* Probe (user callers) and copy ObjectAttributes (NULL: no name, no
 * attributes); a user caller's OBJ_KERNEL_HANDLE is dropped. */
NTSTATUS ObpCaptureObjectAttributes(KPROCESSOR_MODE Mode, POBJECT_ATTRIBUTES ObjectAttributes,
                                    OBP_CAPTURED_ATTRIBUTES *Captured);
/* The same for a type with its own namespace (the registry's keys): the
 * RootDirectory handle is left for that type to check. */
NTSTATUS ObpCaptureObjectAttributesEx(KPROCESSOR_MODE Mode, POBJECT_ATTRIBUTES ObjectAttributes,
                                      OBP_CAPTURED_ATTRIBUTES *Captured, BOOLEAN OwnNamespace);
VOID ObpReleaseObjectAttributes(OBP_CAPTURED_ATTRIBUTES *Captured);
/* A new object, with room for its name when Captured names it. */
NTSTATUS ObpCreateObject(POBJECT_TYPE Type, SIZE_T BodySize, const OBP_CAPTURED_ATTRIBUTES *Captured,
                         PVOID *Object);
/* Insert a new object (its reference is consumed): a handle to it, or,
 * for a name that exists and OBJ_OPENIF, to the existing object with
 * STATUS_OBJECT_NAME_EXISTS. */
NTSTATUS ObpInsertObject(PVOID Object, ACCESS_MASK DesiredAccess, const OBP_CAPTURED_ATTRIBUTES *Captured,
                         KPROCESSOR_MODE Mode, PHANDLE Handle);
NTSTATUS ObpOpenObjectByName(POBJECT_TYPE Type, ACCESS_MASK DesiredAccess, const OBP_CAPTURED_ATTRIBUTES *Captured,
                             PHANDLE Handle);
/* The object of any type named Name (absolute; \??\ and \DosDevices\ are
 * \GLOBAL??\), referenced; STATUS_OBJECT_NAME_NOT_FOUND or a path status. */
NTSTATUS ObpReferenceObjectByName(PCUNICODE_STRING Name, BOOLEAN CaseInsensitive, PVOID *Object);
/* Append Object's full name (its type's QueryNameProcedure, else its
 * namespace name: directory and leaf; nothing when unnamed). */
VOID ObpAppendObjectName(PVOID Object, OBP_NAME_BUILDER *Builder);
VOID ObpInitializeNamespace(VOID);
VOID ObpShutdownNamespace(VOID);
VOID ObpInitializeCallbacks(VOID);
VOID ObpShutdownCallbacks(VOID);
/* Callback objects (ob/callbackobj.c): the type, and the unload check
 * (ObCheckUnloadedCallbacks calls it). */
VOID ObpInitializeCallbackObjects(VOID);
VOID ObpShutdownCallbackObjects(VOID);
VOID ObpCheckUnloadedCallbackObjects(PVOID Base, SIZE_T Size);

#define KERNEL_HANDLE_FLAG ((ULONG_PTR)0xFFFFFFFF80000000ULL)
static inline BOOLEAN ObIsKernelHandle(HANDLE Handle)
{
    return ((ULONG_PTR)Handle & KERNEL_HANDLE_FLAG) == KERNEL_HANDLE_FLAG &&
           Handle != NtCurrentProcess() && Handle != NtCurrentThread();
}

#endif /* NTPS_OB_H */
