/*
 * ddk/ntddk_extra.h - declarations the WDK places in ntddk.h (not wdm.h).
 */
#ifndef _NTPS_DDK_NTDDK_EXTRA_H
#define _NTPS_DDK_NTDDK_EXTRA_H

NTPS_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI ZwYieldExecution(VOID);

/* ---- processes and threads ---------------------------------------------- */
NTKERNELAPI LONGLONG PsGetThreadCreateTime(PETHREAD Thread);
NTKERNELAPI LONGLONG PsGetProcessCreateTimeQuadPart(PEPROCESS Process);
NTKERNELAPI BOOLEAN PsIsSystemProcess(PEPROCESS Process);
NTKERNELAPI ULONG PsGetCurrentProcessSessionId(VOID);
NTKERNELAPI BOOLEAN IoIsSystemThread(PETHREAD Thread);
NTKERNELAPI PVOID PsGetCurrentThreadTeb(VOID);

/* Thread-specific access rights: ntddk.h has them (drivers that include it
 * use THREAD_TERMINATE in their ObRegisterCallbacks filters without defining
 * it), unlike the process ones, which drivers define themselves. */
#ifndef THREAD_TERMINATE
#define THREAD_TERMINATE 0x0001
#endif
#ifndef THREAD_SUSPEND_RESUME
#define THREAD_SUSPEND_RESUME 0x0002
#endif
#ifndef THREAD_GET_CONTEXT
#define THREAD_GET_CONTEXT 0x0008
#endif
#ifndef THREAD_SET_CONTEXT
#define THREAD_SET_CONTEXT 0x0010
#endif
#ifndef THREAD_SET_INFORMATION
#define THREAD_SET_INFORMATION 0x0020
#endif
#ifndef THREAD_QUERY_INFORMATION
#define THREAD_QUERY_INFORMATION 0x0040
#endif
#ifndef THREAD_SET_LIMITED_INFORMATION
#define THREAD_SET_LIMITED_INFORMATION 0x0400
#endif
#ifndef THREAD_QUERY_LIMITED_INFORMATION
#define THREAD_QUERY_LIMITED_INFORMATION 0x0800
#endif

/* ---- counted 8-bit strings ------------------------------------------------- */
NTSYSAPI CHAR NTAPI RtlUpperChar(CHAR Character);
NTSYSAPI LONG NTAPI RtlCompareString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive);
NTSYSAPI BOOLEAN NTAPI RtlEqualString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive);
NTSYSAPI VOID NTAPI RtlCopyString(PSTRING DestinationString, const STRING *SourceString);
NTSYSAPI VOID NTAPI RtlUpperString(PSTRING DestinationString, const STRING *SourceString);

/* ---- registry information classes of ntddk.h ------------------------------- */
typedef struct _KEY_NAME_INFORMATION {
    ULONG NameLength;
    WCHAR Name[1];
} KEY_NAME_INFORMATION, *PKEY_NAME_INFORMATION;

typedef struct _KEY_CACHED_INFORMATION {
    LARGE_INTEGER LastWriteTime;
    ULONG TitleIndex;
    ULONG SubKeys;
    ULONG MaxNameLen;
    ULONG Values;
    ULONG MaxValueNameLen;
    ULONG MaxValueDataLen;
    ULONG NameLength;
} KEY_CACHED_INFORMATION, *PKEY_CACHED_INFORMATION;

NTPS_END_DECLS

#endif
