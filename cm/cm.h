/*
 * cm/cm.h - the configuration manager's internal interface: the in-memory
 * hive (keys and their values in a tree under \REGISTRY), the key object
 * type whose bodies are open keys, and what the host calls at boot.
 *
 * Layering: cm calls ob, ex, ke, rtl and vf. The host initializes it after
 * boot and shuts it down after the last handle table was run down.
 */
#ifndef NTPS_CM_H
#define NTPS_CM_H

#include "ob/ob.h"
#include "vf/vf.h"

/* ---- the hive (cm/hive.c) ----------------------------------------------------------------- */

/* Windows' limits on names, in characters. */
#define CMP_MAX_KEY_NAME 255
#define CMP_MAX_VALUE_NAME 16383

typedef struct _CM_KEY_VALUE {
    ULONG Type;
    ULONG DataLength;
    PUCHAR Data;                    /* NULL when DataLength is 0 */
    USHORT NameLength;              /* bytes */
    WCHAR Name[];                   /* as set (case kept) */
} CM_KEY_VALUE, *PCM_KEY_VALUE;

typedef struct _CM_KEY_NODE {
    struct _CM_KEY_NODE *Parent;    /* NULL for \REGISTRY and for deleted keys */
    struct _CM_KEY_NODE **Subkeys;  /* sorted by name, case-insensitively */
    ULONG SubkeyCount, SubkeyCapacity;
    PCM_KEY_VALUE *Values;          /* in the order they were first set */
    ULONG ValueCount, ValueCapacity;
    LONG References;                /* open key bodies, and 1 while in the tree */
    BOOLEAN Deleted;
    BOOLEAN Volatile;
    BOOLEAN HiveRoot;               /* \REGISTRY and the hive roots: never deleted */
    LARGE_INTEGER LastWriteTime;
    PWCH Class;                     /* optional, not terminated */
    USHORT ClassLength;             /* bytes */
    USHORT NameLength;              /* bytes */
    WCHAR Name[];
} CM_KEY_NODE, *PCM_KEY_NODE;

/* The body of a key object: one per open (as Windows' key body), so a
 * deleted key's handles still name it and see STATUS_KEY_DELETED. */
typedef struct _CM_KEY_BODY {
    PCM_KEY_NODE Node;
    PUNICODE_STRING Name;           /* CmCallbackGetKeyObjectID's answer, kept with the object; or NULL */
} CM_KEY_BODY, *PCM_KEY_BODY;

extern POBJECT_TYPE CmpKeyObjectType;
extern PCM_KEY_NODE CmpRootNode;   /* \REGISTRY */
/* A key object for \REGISTRY, held by the registry: the RootObject of a
 * create or open by absolute name, as registry callbacks are given it. */
extern PCM_KEY_BODY CmpRootKeyObject;

/* One lock for the whole tree. Never held while a driver's routine runs,
 * nor while a key body is dereferenced (its delete procedure takes it). */
VOID CmpLockRegistry(VOID);
VOID CmpUnlockRegistry(VOID);

/* Lock held. Find a direct subkey by one name component. */
PCM_KEY_NODE CmpFindSubkey(PCM_KEY_NODE Parent, PCWCH Name, USHORT Length, PULONG Index);
/* Lock held. A new subkey (reference: the tree's). */
NTSTATUS CmpInsertSubkey(PCM_KEY_NODE Parent, PCWCH Name, USHORT Length, BOOLEAN Volatile, PCWCH Class,
                         USHORT ClassLength, PCM_KEY_NODE *Node);
/* Lock held. Unlink a key without subkeys; its values go at once. */
VOID CmpRemoveKey(PCM_KEY_NODE Node);
VOID CmpReferenceNode(PCM_KEY_NODE Node);
VOID CmpDereferenceNode(PCM_KEY_NODE Node);
/* Lock held. Values by name (case-insensitive) or index. */
PCM_KEY_VALUE CmpFindValue(PCM_KEY_NODE Node, PCWCH Name, USHORT Length, PULONG Index);
/* Lock held. Data is copied; an existing value keeps its place. */
NTSTATUS CmpSetValue(PCM_KEY_NODE Node, PCWCH Name, USHORT Length, ULONG Type, const VOID *Data, ULONG DataLength);
VOID CmpDeleteValue(PCM_KEY_NODE Node, ULONG Index);
VOID CmpTouch(PCM_KEY_NODE Node);

/* Walking a path: components separated by one backslash, none empty nor
 * longer than CMP_MAX_KEY_NAME characters. */
typedef struct _CMP_PATH {
    PCWCH Buffer;
    SIZE_T Count;                   /* characters left */
} CMP_PATH;
/* The next component: FALSE at the end; *Status is set for a bad one. */
BOOLEAN CmpNextComponent(CMP_PATH *Path, PCWCH *Name, USHORT *Length, NTSTATUS *Status);

/* ---- names to keys (cm/key.c) ----------------------------------------------------------------- */

/* A key referenced by handle, with its granted access. */
NTSTATUS CmpReferenceKey(HANDLE Handle, ACCESS_MASK Access, KPROCESSOR_MODE Mode, PCM_KEY_BODY *Body,
                         ACCESS_MASK *Granted);

/* ---- a registry routine called inside a driver callback (cm/key.c) ------------------------------- */

/* The WDK: notify routines and object callbacks must not call the
 * registry. Reported (the call goes on); work items may. */
VOID CmpCheckCallbackRule(PCSTR Routine, PVOID Caller);
#define CMP_CALLBACK_RULE(Routine) CmpCheckCallbackRule(Routine, __builtin_return_address(0))

/* IRQL rule of the Zw and Rtl registry routines: PASSIVE_LEVEL. */
VOID CmpCheckIrql(ULONG Rule, PVOID Caller);
/* A debug line for what ntps does not implement (the call fails with
 * STATUS_NOT_IMPLEMENTED). */
VOID CmpNotImplemented(PCSTR What);

#define CMP_IRQL_ZW_PASSIVE 0x2001F

/* A Zw* routine: the checks, then the body with PreviousMode KernelMode. */
/* ---- registry callbacks (cm/regcallback.c) ---------------------------------------------- */
#define CMP_MAX_CALLBACKS 64
typedef struct _CMP_CALLS {
    ULONG Count;
    struct _CMP_REG_CALLBACK *Taken[CMP_MAX_CALLBACKS];
    ULONG Called;                   /* how many got the pre-notification */
    PVOID CallContext[CMP_MAX_CALLBACKS];   /* what each set in the pre information, for its post */
} CMP_CALLS;
BOOLEAN CmpRegCallbacksActive(VOID);
/* STATUS_SUCCESS: do the operation; else its result (BYPASS: success). */
NTSTATUS CmpPreNotify(CMP_CALLS *Calls, REG_NOTIFY_CLASS Class, PVOID Info);
/* Always after CmpPreNotify: post-notifies those called, releases all;
 * the operation's status, as a post routine may have changed it. */
NTSTATUS CmpPostNotify(CMP_CALLS *Calls, REG_NOTIFY_CLASS Class, PVOID Object, NTSTATUS Status, PVOID PreInfo);
/* The Key type's close procedure (cm/key.c): the last handle closed. */
VOID CmpCloseKeyHandle(PVOID Object);
/* A driver unloads: 0xCE if one of its routines is still registered. */
VOID CmCheckUnloadedCallbacks(PVOID Base, SIZE_T Size);

#define CMP_ZW(Name, Body, ...)                                                                \
    do {                                                                                       \
        CmpCheckIrql(CMP_IRQL_ZW_PASSIVE, __builtin_return_address(0));                        \
        CMP_CALLBACK_RULE(Name);                                                               \
        KPROCESSOR_MODE Previous_ = KiEnterKernelService();                                    \
        NTSTATUS Status_ = Body(__VA_ARGS__);                                                  \
        KiLeaveKernelService(Previous_);                                                       \
        return Status_;                                                                        \
    } while (0)
/* An Nt* routine: the checks, then the body in the caller's mode. */
#define CMP_NT(Name, Body, ...)                                                                \
    do {                                                                                       \
        CmpCheckIrql(CMP_IRQL_ZW_PASSIVE, __builtin_return_address(0));                        \
        CMP_CALLBACK_RULE(Name);                                                               \
        return Body(__VA_ARGS__);                                                              \
    } while (0)
/* For the Rtl routines, which made the checks at their own entry. */
#define CMP_INTERNAL(Body, ...)                                                                \
    do {                                                                                       \
        KPROCESSOR_MODE Previous_ = KiEnterKernelService();                                    \
        NTSTATUS Status_ = Body(__VA_ARGS__);                                                  \
        KiLeaveKernelService(Previous_);                                                       \
        return Status_;                                                                        \
    } while (0)


/* ---- information for the caller (cm/query.c) ------------------------------------------------------- */

/* Info (Required bytes, built in kernel memory) goes to the caller's
 * Buffer whole (STATUS_SUCCESS); or, when Length holds at least its Fixed
 * part, as its first Length bytes (STATUS_BUFFER_OVERFLOW: partial data);
 * or not at all (STATUS_BUFFER_TOO_SMALL). *ResultLength is Required in
 * all three cases, as documented. */
NTSTATUS CmpReturnInformation(KPROCESSOR_MODE Mode, const VOID *Info, ULONG Required, ULONG Fixed, PVOID Buffer,
                              ULONG Length, PULONG ResultLength);
/* A user-mode caller's buffer and result length, before anything is done. */
NTSTATUS CmpProbeInformation(KPROCESSOR_MODE Mode, PVOID Buffer, ULONG Length, PULONG ResultLength);
/* Bytes from a caller's memory, inside the caller's __try (a bad pointer,
 * NULL included, faults there). */
VOID CmpCopyFromCaller(PVOID To, const VOID *From, SIZE_T Bytes);
/* A name from the caller (value names), in kernel memory. */
NTSTATUS CmpCaptureName(KPROCESSOR_MODE Mode, PUNICODE_STRING Name, PUNICODE_STRING Copy);
VOID CmpReleaseName(PUNICODE_STRING Copy);
/* Once per class: the class exists but ntps does not answer it. */

/* ---- internal services for the Rtl routines (cm/key.c, cm/query.c) ---------------------------------- */
/* The Zw* services without the callback report (the Rtl routine that
 * calls them made it, naming its own caller). */
NTSTATUS CmpZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                        ULONG CreateOptions, PULONG Disposition);
NTSTATUS CmpZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
NTSTATUS CmpZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG Type, PVOID Data, ULONG DataSize);
NTSTATUS CmpZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName);
NTSTATUS CmpZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, KEY_VALUE_INFORMATION_CLASS Class,
                            PVOID Information, ULONG Length, PULONG ResultLength);
NTSTATUS CmpZwEnumerateValueKey(HANDLE KeyHandle, ULONG Index, KEY_VALUE_INFORMATION_CLASS Class,
                                PVOID Information, ULONG Length, PULONG ResultLength);
NTSTATUS CmpZwClose(HANDLE Handle);

/* ---- boot (cm/hive.c) ---------------------------------------------------------------------------- */

/* The key type and the tree with the keys Windows has at boot. */
VOID CmInitializeSystem(VOID);
/* The host made its keys and values (before the first DriverEntry and any
 * other thread): from here the registry's lock is taken. */
VOID CmEndBoot(VOID);
/* After every handle table was run down: the tree and the type go. */
VOID CmShutdownSystem(VOID);
/* For the host: set a value under an absolute path (\Registry\...),
 * creating the keys on the way. Kernel mode, no handle. */
NTSTATUS CmCreateKeyByPath(PCUNICODE_STRING KeyPath);
NTSTATUS CmSetValueByPath(PCUNICODE_STRING KeyPath, PCUNICODE_STRING ValueName, ULONG Type, const VOID *Data,
                          ULONG DataLength);

#endif /* NTPS_CM_H */
