/*
 * ddk/rtl.h - run-time library: doubly and singly linked lists, memory
 * helpers, counted strings, bitmaps, debug output, assertions.
 * Part of wdm.h; written for ntps from the WDK documentation.
 */
#ifndef _NTPS_DDK_RTL_H
#define _NTPS_DDK_RTL_H

#include <string.h>
#include <wchar.h>      /* wcs*, wmem*: the ntps executable defines them for a 16-bit wchar_t */

NTPS_BEGIN_DECLS

/* ---- doubly linked lists (inline, as in the WDK) ----------------------- */
NTPS_INLINE VOID InitializeListHead(PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}

NTPS_INLINE BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
    return (BOOLEAN)(ListHead->Flink == ListHead);
}

NTKERNELAPI DECLSPEC_NORETURN VOID RtlFailFast(ULONG Code);
#define FAST_FAIL_CORRUPT_LIST_ENTRY 3

/* Unlinking checks the neighbours first, as the WDK's list routines do;
 * a corrupted list is a fast-fail (bug check 0x139), never a silent write. */
NTPS_INLINE BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = Entry->Flink, Blink = Entry->Blink;
    if (Flink->Blink != Entry || Blink->Flink != Entry)
        RtlFailFast(FAST_FAIL_CORRUPT_LIST_ENTRY);
    Blink->Flink = Flink;
    Flink->Blink = Blink;
    return (BOOLEAN)(Flink == Blink);
}

NTPS_INLINE PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink, Flink = Entry->Flink;
    if (Entry->Blink != ListHead || Flink->Blink != Entry)
        RtlFailFast(FAST_FAIL_CORRUPT_LIST_ENTRY);
    ListHead->Flink = Flink;
    Flink->Blink = ListHead;
    return Entry;
}

NTPS_INLINE PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Blink, Blink = Entry->Blink;
    if (Entry->Flink != ListHead || Blink->Flink != Entry)
        RtlFailFast(FAST_FAIL_CORRUPT_LIST_ENTRY);
    ListHead->Blink = Blink;
    Blink->Flink = ListHead;
    return Entry;
}

NTPS_INLINE VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Blink = ListHead->Blink;
    if (Blink->Flink != ListHead)
        RtlFailFast(FAST_FAIL_CORRUPT_LIST_ENTRY);
    Entry->Flink = ListHead;
    Entry->Blink = Blink;
    Blink->Flink = Entry;
    ListHead->Blink = Entry;
}

NTPS_INLINE VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = ListHead->Flink;
    if (Flink->Blink != ListHead)
        RtlFailFast(FAST_FAIL_CORRUPT_LIST_ENTRY);
    Entry->Flink = Flink;
    Entry->Blink = ListHead;
    Flink->Blink = Entry;
    ListHead->Flink = Entry;
}

NTPS_INLINE VOID AppendTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListToAppend)
{
    PLIST_ENTRY ListEnd = ListHead->Blink;
    ListHead->Blink->Flink = ListToAppend;
    ListHead->Blink = ListToAppend->Blink;
    ListToAppend->Blink->Flink = ListHead;
    ListToAppend->Blink = ListEnd;
}

NTPS_INLINE PSINGLE_LIST_ENTRY PopEntryList(PSINGLE_LIST_ENTRY ListHead)
{
    PSINGLE_LIST_ENTRY FirstEntry = ListHead->Next;
    if (FirstEntry != NULL)
        ListHead->Next = FirstEntry->Next;
    return FirstEntry;
}

NTPS_INLINE VOID PushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY Entry)
{
    Entry->Next = ListHead->Next;
    ListHead->Next = Entry;
}

/* ---- memory ------------------------------------------------------------ */
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlSecureZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlCopyBytes RtlCopyMemory
#define RtlZeroBytes RtlZeroMemory
#define RtlFillBytes RtlFillMemory
NTKERNELAPI SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);

/* ---- the kernel C run-time's string routines -------------------------------
 * The standard names come from <string.h> and <wchar.h>; the executable
 * defines the wide ones for a 16-bit wchar_t (rtl/crt.c). These are the
 * Microsoft names glibc lacks. */
#ifndef _ERRNO_T_DEFINED
#define _ERRNO_T_DEFINED
typedef int errno_t;
#endif
#ifndef _TRUNCATE
#define _TRUNCATE ((size_t)-1)
#endif
#ifndef STRUNCATE
#define STRUNCATE 80
#endif
NTKERNELAPI int _wcsicmp(const wchar_t *String1, const wchar_t *String2);
NTKERNELAPI int _wcsnicmp(const wchar_t *String1, const wchar_t *String2, size_t Count);
NTKERNELAPI wchar_t *_wcslwr(wchar_t *String);
NTKERNELAPI wchar_t *_wcsupr(wchar_t *String);
NTKERNELAPI int _wtoi(const wchar_t *String);
NTKERNELAPI long _wtol(const wchar_t *String);
NTKERNELAPI errno_t wcscpy_s(wchar_t *Destination, size_t SizeInWords, const wchar_t *Source);
NTKERNELAPI errno_t wcscat_s(wchar_t *Destination, size_t SizeInWords, const wchar_t *Source);
NTKERNELAPI errno_t wcsncpy_s(wchar_t *Destination, size_t SizeInWords, const wchar_t *Source, size_t Count);
NTKERNELAPI errno_t wcsncat_s(wchar_t *Destination, size_t SizeInWords, const wchar_t *Source, size_t Count);
NTKERNELAPI errno_t strcpy_s(char *Destination, size_t SizeInBytes, const char *Source);
NTKERNELAPI errno_t strcat_s(char *Destination, size_t SizeInBytes, const char *Source);
NTKERNELAPI errno_t strncpy_s(char *Destination, size_t SizeInBytes, const char *Source, size_t Count);
NTKERNELAPI int _stricmp(const char *String1, const char *String2);
NTKERNELAPI int _strnicmp(const char *String1, const char *String2, size_t Count);
NTKERNELAPI char *_strlwr(char *String);
NTKERNELAPI char *_strupr(char *String);
#define _wcsicmp_l(a, b, l) _wcsicmp((a), (b))
#define _strcmpi _stricmp
#define _wcscmpi _wcsicmp

/* ---- counted strings ----------------------------------------------------- */
/* Documented as a FORCEINLINE in wdm.h: an empty string over a caller's buffer. */
NTPS_INLINE VOID RtlInitEmptyUnicodeString(PUNICODE_STRING UnicodeString, PWCHAR Buffer, USHORT BufferSize)
{
    UnicodeString->Length = 0;
    UnicodeString->MaximumLength = BufferSize;
    UnicodeString->Buffer = Buffer;
}
NTPS_INLINE VOID RtlInitEmptyAnsiString(PANSI_STRING AnsiString, PCHAR Buffer, USHORT BufferSize)
{
    AnsiString->Length = 0;
    AnsiString->MaximumLength = BufferSize;
    AnsiString->Buffer = Buffer;
}
NTKERNELAPI VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
NTKERNELAPI NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString);
NTKERNELAPI VOID RtlInitString(PSTRING DestinationString, PCSTR SourceString);
NTKERNELAPI VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSTR SourceString);
NTKERNELAPI VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString);
NTKERNELAPI LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
NTKERNELAPI BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
NTKERNELAPI BOOLEAN RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
NTKERNELAPI NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source);
NTKERNELAPI NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source);
NTKERNELAPI WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter);
NTKERNELAPI WCHAR RtlDowncaseUnicodeChar(WCHAR SourceCharacter);
NTKERNELAPI NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                            BOOLEAN AllocateDestinationString);
NTKERNELAPI NTSTATUS RtlDowncaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                              BOOLEAN AllocateDestinationString);
NTKERNELAPI BOOLEAN RtlCreateUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
NTKERNELAPI NTSTATUS RtlDuplicateUnicodeString(ULONG Flags, PCUNICODE_STRING StringIn, PUNICODE_STRING StringOut);
NTKERNELAPI VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString);
NTKERNELAPI VOID RtlFreeAnsiString(PANSI_STRING AnsiString);
NTKERNELAPI NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                                  BOOLEAN AllocateDestinationString);
NTKERNELAPI NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
                                                  BOOLEAN AllocateDestinationString);
NTKERNELAPI NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String);
NTKERNELAPI NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value);
NTKERNELAPI NTSTATUS RtlInt64ToUnicodeString(ULONGLONG Value, ULONG Base, PUNICODE_STRING String);
#define HASH_STRING_ALGORITHM_DEFAULT 0
#define HASH_STRING_ALGORITHM_X65599 1
#define HASH_STRING_ALGORITHM_INVALID 0xffffffff
NTKERNELAPI NTSTATUS RtlHashUnicodeString(PCUNICODE_STRING String, BOOLEAN CaseInSensitive, ULONG HashAlgorithm,
                                          PULONG HashValue);
NTKERNELAPI NTSTATUS RtlUnicodeToUTF8N(PCHAR UTF8StringDestination, ULONG UTF8StringMaxByteCount,
                                       PULONG UTF8StringActualByteCount, PCWCH UnicodeStringSource,
                                       ULONG UnicodeStringByteCount);
NTKERNELAPI NTSTATUS RtlUTF8ToUnicodeN(PWSTR UnicodeStringDestination, ULONG UnicodeStringMaxByteCount,
                                       PULONG UnicodeStringActualByteCount, PCCH UTF8StringSource,
                                       ULONG UTF8StringByteCount);
#define RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE 1
#define RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING 2

/* ---- bitmaps ------------------------------------------------------------------ */
typedef struct _RTL_BITMAP {
    ULONG SizeOfBitMap;     /* bits */
    PULONG Buffer;
} RTL_BITMAP, *PRTL_BITMAP;

NTKERNELAPI VOID RtlInitializeBitMap(PRTL_BITMAP BitMapHeader, PULONG BitMapBuffer, ULONG SizeOfBitMap);
NTKERNELAPI VOID RtlClearAllBits(PRTL_BITMAP BitMapHeader);
NTKERNELAPI VOID RtlSetAllBits(PRTL_BITMAP BitMapHeader);
NTKERNELAPI VOID RtlSetBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToSet);
NTKERNELAPI VOID RtlClearBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToClear);
NTKERNELAPI VOID RtlSetBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber);
NTKERNELAPI VOID RtlClearBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber);
NTKERNELAPI BOOLEAN RtlTestBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber);
NTKERNELAPI BOOLEAN RtlAreBitsSet(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length);
NTKERNELAPI BOOLEAN RtlAreBitsClear(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length);
NTKERNELAPI ULONG RtlFindClearBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
NTKERNELAPI ULONG RtlFindSetBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
NTKERNELAPI ULONG RtlFindClearBitsAndSet(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
NTKERNELAPI ULONG RtlFindSetBitsAndClear(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
NTKERNELAPI ULONG RtlNumberOfSetBits(PRTL_BITMAP BitMapHeader);
NTKERNELAPI ULONG RtlNumberOfClearBits(PRTL_BITMAP BitMapHeader);
NTKERNELAPI ULONG RtlFindFirstRunClear(PRTL_BITMAP BitMapHeader, PULONG StartingIndex);
NTKERNELAPI ULONG RtlFindLongestRunClear(PRTL_BITMAP BitMapHeader, PULONG StartingIndex);

/* ---- debug output ---------------------------------------------------------- */
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_MASK 0x80000000
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_DEFAULT_ID 101

/* Called with Microsoft's x64 convention, as on Windows: an argument over
 * 8 bytes (a UNICODE_STRING passed itself for %wZ) goes by reference. */
#ifndef NTPS_MS_VARARGS
#define NTPS_MS_VARARGS __attribute__((ms_abi))
#endif
NTKERNELAPI ULONG NTPS_MS_VARARGS DbgPrint(PCSTR Format, ...);
NTKERNELAPI ULONG NTPS_MS_VARARGS DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
NTKERNELAPI ULONG vDbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, va_list arglist);
NTKERNELAPI ULONG vDbgPrintExWithPrefix(PCSTR Prefix, ULONG ComponentId, ULONG Level, PCSTR Format, va_list arglist);
NTKERNELAPI VOID DbgBreakPoint(VOID);
NTKERNELAPI VOID DbgBreakPointWithStatus(ULONG Status);
/* Whether a kernel debugger is attached (ntps run --debugger). */
NTKERNELAPI extern PBOOLEAN KdDebuggerEnabled;
NTKERNELAPI extern PBOOLEAN KdDebuggerNotPresent;
#define KD_DEBUGGER_ENABLED (*KdDebuggerEnabled)
#define KD_DEBUGGER_NOT_PRESENT (*KdDebuggerNotPresent)
NTKERNELAPI BOOLEAN KdRefreshDebuggerNotPresent(VOID);
/* The WDK's DbgRaiseAssertionFailure is the __int2c intrinsic, an
 * expression: it raises STATUS_ASSERTION_FAILURE in the caller, as the
 * int 2c handler does (unhandled: a bug check naming the driver). */
NTKERNELAPI DECLSPEC_NORETURN VOID RtlRaiseStatus(NTSTATUS Status);
NTPS_INLINE VOID __int2c(VOID)
{
    RtlRaiseStatus(STATUS_ASSERTION_FAILURE);
}
#define DbgRaiseAssertionFailure __int2c

#ifndef DBG
#define DBG 1
#endif
#if DBG
#define KdPrint(_x_) DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
#define KdBreakPoint() DbgBreakPoint()
#else
#define KdPrint(_x_) ((void)0)
#define KdPrintEx(_x_) ((void)0)
#define KdBreakPoint() ((void)0)
#endif

NTKERNELAPI VOID RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber, PSTR MutableMessage);
#if DBG
#define ASSERT(exp) ((!(exp)) ? (RtlAssert((PVOID)#exp, (PVOID)__FILE__, __LINE__, NULL), FALSE) : TRUE)
#define ASSERTMSG(msg, exp) ((!(exp)) ? (RtlAssert((PVOID)#exp, (PVOID)__FILE__, __LINE__, (PSTR)(msg)), FALSE) : TRUE)
#else
#define ASSERT(exp) ((void)0)
#define ASSERTMSG(msg, exp) ((void)0)
#endif
/* The NT_ forms are expressions of type BOOLEAN, as in the WDK (usable in
 * a condition or a comma expression); a failure reports the expression,
 * file and line and raises STATUS_ASSERTION_FAILURE. The W forms take a
 * wide message. NT_VERIFY evaluates its expression in every build. */
#define NT_ANALYSIS_ASSUME(exp) ((void)0)
#define NTPS_ASSERT_FAILED(exp, msg) (RtlAssert((PVOID)(exp), (PVOID)__FILE__, __LINE__, (PSTR)(msg)), (BOOLEAN)FALSE)
#define NTPS_ASSERT_FAILED_W(exp, msg) (DbgPrint("%ws\n", (msg)), NTPS_ASSERT_FAILED(exp, NULL))
#if DBG
#define NT_ASSERT_ACTION(exp) ((!(exp)) ? NTPS_ASSERT_FAILED(#exp, NULL) : (BOOLEAN)TRUE)
#define NT_ASSERTMSG_ACTION(msg, exp) ((!(exp)) ? NTPS_ASSERT_FAILED(#exp, msg) : (BOOLEAN)TRUE)
#define NT_ASSERTMSGW_ACTION(msg, exp) ((!(exp)) ? NTPS_ASSERT_FAILED_W(#exp, msg) : (BOOLEAN)TRUE)
#define NT_ASSERT(exp) NT_ASSERT_ACTION(exp)
#define NT_ASSERTMSG(msg, exp) NT_ASSERTMSG_ACTION(msg, exp)
#define NT_ASSERTMSGW(msg, exp) NT_ASSERTMSGW_ACTION(msg, exp)
#define NT_ASSERT_ASSUME(exp) NT_ASSERT(exp)
#define NT_ASSERT_NOASSUME(exp) NT_ASSERT(exp)
#define NT_ASSERTMSG_ASSUME(msg, exp) NT_ASSERTMSG(msg, exp)
#define NT_ASSERTMSG_NOASSUME(msg, exp) NT_ASSERTMSG(msg, exp)
#define NT_ASSERTMSGW_ASSUME(msg, exp) NT_ASSERTMSGW(msg, exp)
#define NT_ASSERTMSGW_NOASSUME(msg, exp) NT_ASSERTMSGW(msg, exp)
#define NT_VERIFY(exp) NT_ASSERT_ACTION(exp)
#define NT_VERIFYMSG(msg, exp) NT_ASSERTMSG_ACTION(msg, exp)
#define NT_VERIFYMSGW(msg, exp) NT_ASSERTMSGW_ACTION(msg, exp)
#else
#define NT_ASSERT(exp) ((void)0)
#define NT_ASSERTMSG(msg, exp) ((void)0)
#define NT_ASSERTMSGW(msg, exp) ((void)0)
#define NT_ASSERT_ASSUME(exp) ((void)0)
#define NT_ASSERT_NOASSUME(exp) ((void)0)
#define NT_ASSERTMSG_ASSUME(msg, exp) ((void)0)
#define NT_ASSERTMSG_NOASSUME(msg, exp) ((void)0)
#define NT_ASSERTMSGW_ASSUME(msg, exp) ((void)0)
#define NT_ASSERTMSGW_NOASSUME(msg, exp) ((void)0)
#define NT_VERIFY(exp) ((exp) ? TRUE : FALSE)
#define NT_VERIFYMSG(msg, exp) ((exp) ? TRUE : FALSE)
#define NT_VERIFYMSGW(msg, exp) ((exp) ? TRUE : FALSE)
#endif
/* Checked in every build. */
#define NT_FRE_ASSERT(exp) ((!(exp)) ? NTPS_ASSERT_FAILED(#exp, NULL) : TRUE)
#define NT_FRE_ASSERTMSG(msg, exp) ((!(exp)) ? NTPS_ASSERT_FAILED(#exp, msg) : TRUE)
#define NT_RELEASE_ASSERT(exp) NT_FRE_ASSERT(exp)

/* ---- version ----------------------------------------------------------------- */
typedef struct _OSVERSIONINFOW {
    ULONG dwOSVersionInfoSize;      /* the caller sets sizeof the structure it passes */
    ULONG dwMajorVersion;
    ULONG dwMinorVersion;
    ULONG dwBuildNumber;
    ULONG dwPlatformId;
    WCHAR szCSDVersion[128];
} OSVERSIONINFOW, *POSVERSIONINFOW, *LPOSVERSIONINFOW, RTL_OSVERSIONINFOW, *PRTL_OSVERSIONINFOW;

typedef struct _OSVERSIONINFOEXW {
    ULONG dwOSVersionInfoSize;
    ULONG dwMajorVersion;
    ULONG dwMinorVersion;
    ULONG dwBuildNumber;
    ULONG dwPlatformId;
    WCHAR szCSDVersion[128];
    USHORT wServicePackMajor;
    USHORT wServicePackMinor;
    USHORT wSuiteMask;
    UCHAR wProductType;
    UCHAR wReserved;
} OSVERSIONINFOEXW, *POSVERSIONINFOEXW, *LPOSVERSIONINFOEXW, RTL_OSVERSIONINFOEXW, *PRTL_OSVERSIONINFOEXW;

#define VER_PLATFORM_WIN32_NT 2
#define VER_NT_WORKSTATION 0x0000001
#define VER_NT_DOMAIN_CONTROLLER 0x0000002
#define VER_NT_SERVER 0x0000003
#define VER_SUITE_SINGLEUSERTS 0x00000100

/* ntps reports 10.0.22631 (Windows 11 23H2, as PsGetVersion), see rtl/version.c. */
NTKERNELAPI NTSTATUS RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation);

/* RtlVerifyVersionInfo: what TypeMask names is compared, each by its
 * condition in ConditionMask (VER_SET_CONDITION / VerSetConditionMask). */
#define VER_MINORVERSION 0x0000001
#define VER_MAJORVERSION 0x0000002
#define VER_BUILDNUMBER 0x0000004
#define VER_PLATFORMID 0x0000008
#define VER_SERVICEPACKMINOR 0x0000010
#define VER_SERVICEPACKMAJOR 0x0000020
#define VER_SUITENAME 0x0000040
#define VER_PRODUCT_TYPE 0x0000080
#define VER_EQUAL 1
#define VER_GREATER 2
#define VER_GREATER_EQUAL 3
#define VER_LESS 4
#define VER_LESS_EQUAL 5
#define VER_AND 6
#define VER_OR 7
#define VER_CONDITION_MASK 7
#define VER_NUM_BITS_PER_CONDITION_MASK 3
#define VER_SET_CONDITION(_m_, _t_, _c_) ((_m_) = VerSetConditionMask((_m_), (_t_), (_c_)))
NTKERNELAPI ULONGLONG VerSetConditionMask(ULONGLONG ConditionMask, ULONG TypeMask, UCHAR Condition);
NTKERNELAPI NTSTATUS RtlVerifyVersionInfo(PRTL_OSVERSIONINFOEXW VersionInfo, ULONG TypeMask,
                                          ULONGLONG ConditionMask);

NTPS_END_DECLS

#ifdef __cplusplus
/* The CRT's C++ overloads: the destination size is the array's. */
extern "C++" {
template <size_t N> inline errno_t wcscpy_s(wchar_t (&Destination)[N], const wchar_t *Source)
{ return wcscpy_s(Destination, N, Source); }
template <size_t N> inline errno_t wcscat_s(wchar_t (&Destination)[N], const wchar_t *Source)
{ return wcscat_s(Destination, N, Source); }
template <size_t N> inline errno_t wcsncpy_s(wchar_t (&Destination)[N], const wchar_t *Source, size_t Count)
{ return wcsncpy_s(Destination, N, Source, Count); }
template <size_t N> inline errno_t wcsncat_s(wchar_t (&Destination)[N], const wchar_t *Source, size_t Count)
{ return wcsncat_s(Destination, N, Source, Count); }
template <size_t N> inline errno_t strcpy_s(char (&Destination)[N], const char *Source)
{ return strcpy_s(Destination, N, Source); }
template <size_t N> inline errno_t strcat_s(char (&Destination)[N], const char *Source)
{ return strcat_s(Destination, N, Source); }
template <size_t N> inline errno_t strncpy_s(char (&Destination)[N], const char *Source, size_t Count)
{ return strncpy_s(Destination, N, Source, Count); }
}
#endif

#endif /* _NTPS_DDK_RTL_H */
