/*
 * rtl/format.h - the kernel's printf engine (rtl/format.c) and the debug
 * output controls that sit on it (rtl/debug.c). Internal to the kernel.
 */
#ifndef NTPS_RTL_FORMAT_H
#define NTPS_RTL_FORMAT_H

#include "rtl/rtl.h"

/*
 * Formats like the Windows kernel's _vsnprintf (see rtl/format.c for the
 * conversions). Writes at most Size - 1 bytes plus a NUL when Size > 0
 * (Buffer may be NULL when Size is 0) and returns the length the whole
 * output needs, without the NUL, like C99 vsnprintf. Wide text is emitted
 * as UTF-8. Args is not consumed (the engine works on a copy).
 */
SIZE_T RtlpFormatV(PCHAR Buffer, SIZE_T Size, PCSTR Format, va_list Args);
/* The same with the wide printf family's defaults when WideDefault is TRUE:
 * %s and %c take wide text, %S and %C narrow text (h and l/w still choose). */
SIZE_T RtlpFormatVEx(PCHAR Buffer, SIZE_T Size, PCSTR Format, va_list Args, BOOLEAN WideDefault);
SIZE_T RtlpFormat(PCHAR Buffer, SIZE_T Size, PCSTR Format, ...);

/* The arguments of a variadic call: a System V va_list (Ms NULL), or the
 * Microsoft x64 ones of an ms_abi routine (Ms from __builtin_ms_va_start),
 * where a structure over 8 bytes passed by value arrives as a pointer to a
 * copy: what DbgPrint's %wZ reads when a driver passes a UNICODE_STRING
 * itself, as drivers built for Windows x64 do and get away with. */
typedef struct _RTLP_FORMAT_ARGS {
    PVOID Ms;
    va_list Sysv;
} RTLP_FORMAT_ARGS, *PRTLP_FORMAT_ARGS;
/* As RtlpFormatVEx; consumes *Args. */
SIZE_T RtlpFormatArgs(PCHAR Buffer, SIZE_T Size, PCSTR Format, PRTLP_FORMAT_ARGS Args, BOOLEAN WideDefault);

/* The most one DbgPrint-family call transmits (bytes of text, no NUL). */
#define RTLP_DEBUG_PRINT_LIMIT 512

/*
 * Debug output filter for DbgPrintEx, vDbgPrintEx and vDbgPrintExWithPrefix.
 * By default every message is printed. After RtlpSetDebugFilter(N) a message
 * from a component other than DPFLTR_DEFAULT_ID is hidden when its level is
 * above N: a Level of 0..31 is compared with N directly; a larger Level is a
 * bit mask (DPFLTR_MASK ignored) and is shown if any of bits 0..N is set.
 * DbgPrint (DPFLTR_DEFAULT_ID) and RtlAssert are never filtered.
 * RtlpSetDebugFilter(MAXULONG) restores the default.
 */
VOID RtlpSetDebugFilter(ULONG MaxLevel);

/* The text RtlAssert prints (without raising); returns its full length. */
SIZE_T RtlpFormatAssertion(PCHAR Buffer, SIZE_T Size, PCSTR FailedAssertion, PCSTR FileName, ULONG LineNumber,
                           PCSTR Message);

#endif /* NTPS_RTL_FORMAT_H */
