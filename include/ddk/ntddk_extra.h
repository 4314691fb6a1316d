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
