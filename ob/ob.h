/*
 * ob/ob.h - the object manager's internal interface: object headers and
 * types, creating objects, and handles in per-process handle tables.
 */
#ifndef NTPS_OB_H
#define NTPS_OB_H

#include "ex/ex.h"

typedef struct _OBJECT_TYPE {
    UNICODE_STRING Name;
    WCHAR NameBuffer[32];
    CHAR AsciiName[32];
    GENERIC_MAPPING GenericMapping;
    ACCESS_MASK ValidAccessMask;
    ULONG PoolTag;
    VOID (*DeleteProcedure)(PVOID Object);
    volatile LONG TotalNumberOfObjects;
    volatile LONG TotalNumberOfHandles;
    PVOID CallbackContext;          /* object callbacks (ObRegisterCallbacks) */
} OBJECT_TYPE;

typedef struct _OBJECT_HEADER {
    volatile LONG_PTR PointerCount;
    volatile LONG_PTR HandleCount;
    POBJECT_TYPE Type;
    ULONG Flags;
    ULONG Reserved;
} OBJECT_HEADER, *POBJECT_HEADER;

#define OBJECT_TO_OBJECT_HEADER(o) ((POBJECT_HEADER)((PCHAR)(o) - sizeof(OBJECT_HEADER)))
#define OBJECT_HEADER_TO_BODY(h) ((PVOID)((PCHAR)(h) + sizeof(OBJECT_HEADER)))

typedef struct _OBJECT_TYPE_INITIALIZER {
    PCWSTR Name;
    PCSTR AsciiName;
    ULONG PoolTag;
    GENERIC_MAPPING GenericMapping;
    ACCESS_MASK ValidAccessMask;
    VOID (*DeleteProcedure)(PVOID Object);
} OBJECT_TYPE_INITIALIZER;

POBJECT_TYPE ObCreateObjectType(const OBJECT_TYPE_INITIALIZER *Initializer);
VOID ObDeleteObjectType(POBJECT_TYPE Type);
/* A new object with one pointer reference, zero-filled body. */
NTSTATUS ObCreateObject(POBJECT_TYPE Type, SIZE_T BodySize, PVOID *Object);
/* Exported but in no WDK header: drivers declare it (NTKERNELAPI POBJECT_TYPE
 * ObGetObjectType(PVOID Object)). */
NTPS_EXPORT POBJECT_TYPE ObGetObjectType(PVOID Object);
VOID ObInitializeSystem(VOID);
VOID ObShutdownSystem(VOID);

/* Handles. The table is the current process's; a kernel handle (value with
 * the sign bit) lives in the System process's table. */
extern PEX_HANDLE_TABLE (*ObpProcessHandleTable)(PVOID Process);   /* registered by Ps */
extern PVOID (*ObpCurrentProcess)(VOID);
extern PVOID (*ObpSystemProcess)(VOID);
NTSTATUS ObpCreateHandle(PVOID Object, ACCESS_MASK GrantedAccess, ULONG Attributes, PHANDLE Handle);
VOID ObCloseAllHandles(PEX_HANDLE_TABLE Table);
ACCESS_MASK ObMapGenericMask(POBJECT_TYPE Type, ACCESS_MASK Access);

extern POBJECT_TYPE ObpProcessType, ObpThreadType, ObpEventType, ObpSemaphoreType, ObpFileType, ObpDriverType;

#define KERNEL_HANDLE_FLAG ((ULONG_PTR)0xFFFFFFFF80000000ULL)
static inline BOOLEAN ObIsKernelHandle(HANDLE Handle)
{
    return ((ULONG_PTR)Handle & KERNEL_HANDLE_FLAG) == KERNEL_HANDLE_FLAG &&
           Handle != NtCurrentProcess() && Handle != NtCurrentThread();
}

#endif /* NTPS_OB_H */
