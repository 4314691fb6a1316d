/*
 * ddk/cminfo.h - the registry callback information structures of the
 * notifications ntps's registry does not send (hive load/unload/save/
 * restore/replace, security, rename, set-information, flush, multiple
 * values, object context cleanup): registry filters name them in their
 * callback's switch. Part of wdm.h (after ddk/cm.h); layouts as
 * documented for x64. Written for ntps from the WDK documentation.
 */
#ifndef _NTPS_DDK_CMINFO_H
#define _NTPS_DDK_CMINFO_H

NTPS_BEGIN_DECLS

#ifndef _NTPS_SECURITY_INFORMATION
#define _NTPS_SECURITY_INFORMATION
typedef ULONG SECURITY_INFORMATION, *PSECURITY_INFORMATION;
#endif

typedef enum _KEY_SET_INFORMATION_CLASS {
    KeyWriteTimeInformation, KeyWow64FlagsInformation, KeyControlFlagsInformation, KeySetVirtualizationInformation,
    KeySetDebugInformation, KeySetHandleTagsInformation, KeySetLayerInformation, MaxKeySetInfoClass
} KEY_SET_INFORMATION_CLASS;

typedef REG_DELETE_KEY_INFORMATION REG_FLUSH_KEY_INFORMATION, *PREG_FLUSH_KEY_INFORMATION;

typedef struct _REG_CALLBACK_CONTEXT_CLEANUP_INFORMATION {
    PVOID Object;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_CALLBACK_CONTEXT_CLEANUP_INFORMATION, *PREG_CALLBACK_CONTEXT_CLEANUP_INFORMATION;

typedef struct _REG_LOAD_KEY_INFORMATION {
    PVOID Object;
    PUNICODE_STRING KeyName;
    PUNICODE_STRING SourceFile;
    ULONG Flags;
    PVOID TrustClassObject;
    PVOID UserEvent;
    ACCESS_MASK DesiredAccess;
    PHANDLE RootHandle;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_LOAD_KEY_INFORMATION, *PREG_LOAD_KEY_INFORMATION;

typedef struct _REG_UNLOAD_KEY_INFORMATION {
    PVOID Object;
    PVOID UserEvent;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_UNLOAD_KEY_INFORMATION, *PREG_UNLOAD_KEY_INFORMATION;

typedef struct _REG_QUERY_KEY_SECURITY_INFORMATION {
    PVOID Object;
    PSECURITY_INFORMATION SecurityInformation;
    PSECURITY_DESCRIPTOR SecurityDescriptor;
    PULONG Length;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_QUERY_KEY_SECURITY_INFORMATION, *PREG_QUERY_KEY_SECURITY_INFORMATION;

typedef struct _REG_SET_KEY_SECURITY_INFORMATION {
    PVOID Object;
    PSECURITY_INFORMATION SecurityInformation;
    PSECURITY_DESCRIPTOR SecurityDescriptor;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_SET_KEY_SECURITY_INFORMATION, *PREG_SET_KEY_SECURITY_INFORMATION;

typedef struct _REG_QUERY_MULTIPLE_VALUE_KEY_INFORMATION {
    PVOID Object;
    PKEY_VALUE_ENTRY ValueEntries;
    ULONG EntryCount;
    PVOID ValueBuffer;
    PULONG BufferLength;
    PULONG RequiredBufferLength;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_QUERY_MULTIPLE_VALUE_KEY_INFORMATION, *PREG_QUERY_MULTIPLE_VALUE_KEY_INFORMATION;

typedef struct _REG_RENAME_KEY_INFORMATION {
    PVOID Object;
    PUNICODE_STRING NewName;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_RENAME_KEY_INFORMATION, *PREG_RENAME_KEY_INFORMATION;

typedef struct _REG_REPLACE_KEY_INFORMATION {
    PVOID Object;
    PUNICODE_STRING OldFileName;
    PUNICODE_STRING NewFileName;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_REPLACE_KEY_INFORMATION, *PREG_REPLACE_KEY_INFORMATION;

typedef struct _REG_RESTORE_KEY_INFORMATION {
    PVOID Object;
    HANDLE FileHandle;
    ULONG Flags;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_RESTORE_KEY_INFORMATION, *PREG_RESTORE_KEY_INFORMATION;

typedef struct _REG_SAVE_KEY_INFORMATION {
    PVOID Object;
    HANDLE FileHandle;
    ULONG Format;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_SAVE_KEY_INFORMATION, *PREG_SAVE_KEY_INFORMATION;

typedef struct _REG_SET_INFORMATION_KEY_INFORMATION {
    PVOID Object;
    KEY_SET_INFORMATION_CLASS KeySetInformationClass;
    PVOID KeySetInformation;
    ULONG KeySetInformationLength;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_SET_INFORMATION_KEY_INFORMATION, *PREG_SET_INFORMATION_KEY_INFORMATION;

/* The registry callback version (1.1 here, as since Windows 7). */
NTKERNELAPI VOID CmGetCallbackVersion(PULONG Major, PULONG Minor);
/* The transaction a key object is bound to: none here (no KTM, ddk/ktm.h). */
NTKERNELAPI PVOID CmGetBoundTransaction(PLARGE_INTEGER Cookie, PVOID Object);
/* Not implemented yet: STATUS_NOT_IMPLEMENTED (cm/regcallback.c). */
NTKERNELAPI NTSTATUS CmSetCallbackObjectContext(PVOID Object, PLARGE_INTEGER Cookie, PVOID NewContext,
                                                PVOID *OldContext);
/* The key object's name, owned by the object (no release call). */
NTKERNELAPI NTSTATUS CmCallbackGetKeyObjectID(PLARGE_INTEGER Cookie, PVOID Object, PULONG_PTR ObjectID,
                                              PCUNICODE_STRING *ObjectName);

NTPS_END_DECLS

#endif /* _NTPS_DDK_CMINFO_H */
