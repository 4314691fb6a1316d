/*
 * rtl/debug.c - DbgPrint and friends, and RtlAssert. The "kernel debugger"
 * is standard output: each message is formatted into a local buffer and
 * handed to write(2) in one call, so lines printed by two processors at once
 * do not interleave (writes to a pipe of up to PIPE_BUF bytes are atomic).
 * No stdio and no locks: these run at any IRQL, from any context.
 *
 * Output is verbatim: no prefix or newline is added. As documented, one call
 * transmits at most RTLP_DEBUG_PRINT_LIMIT (512) bytes; longer text is cut
 * there, backing off so that a UTF-8 sequence is never split. The prefix of
 * vDbgPrintExWithPrefix counts toward the 512 bytes.
 */
#include "rtl/format.h"

#include <stdio.h>

#include <errno.h>
#include <unistd.h>

static ULONG RtlpDebugMaxLevel = MAXULONG;

VOID RtlpSetDebugFilter(ULONG MaxLevel)
{
    __atomic_store_n(&RtlpDebugMaxLevel, MaxLevel, __ATOMIC_RELAXED);
}

/* See rtl/format.h for the rule. */
static BOOLEAN RtlpDebugLevelEnabled(ULONG ComponentId, ULONG Level)
{
    ULONG MaxLevel = __atomic_load_n(&RtlpDebugMaxLevel, __ATOMIC_RELAXED);

    if (ComponentId == DPFLTR_DEFAULT_ID || MaxLevel >= 31)
        return TRUE;
    if (Level <= 31)
        return Level <= MaxLevel;
    return ((Level & ~(ULONG)DPFLTR_MASK) & ((2u << MaxLevel) - 1)) != 0;
}

int RtlpDebugOutputFd = STDOUT_FILENO;
VOID (*RtlpDebugWriteHook)(BOOLEAN Before);
BOOLEAN RtlpDebugDiscard;

VOID RtlpDebugWrite(PCSTR Text, SIZE_T Length)
{
    if (RtlpDebugDiscard)
        return;
    int SavedErrno = errno;     /* callers may be between a syscall and its errno check */
    VOID (*Hook)(BOOLEAN) = RtlpDebugWriteHook;
    if (Hook != NULL)
        Hook(TRUE);

    while (Length != 0) {
        ssize_t Written = write(RtlpDebugOutputFd, Text, Length);
        if (Written < 0 && errno == EINTR)
            continue;
        if (Written <= 0)
            break;              /* nowhere to report a failure to */
        Text += Written;
        Length -= (SIZE_T)Written;
    }
    if (Hook != NULL)
        Hook(FALSE);
    errno = SavedErrno;
}

/* Length of Text[0..Length) without a trailing incomplete UTF-8 sequence. */
static SIZE_T RtlpUtf8Boundary(PCSTR Text, SIZE_T Length)
{
    SIZE_T Start = Length, Needed;
    UCHAR Lead;

    while (Start > 0 && Length - Start < 3 && ((UCHAR)Text[Start - 1] & 0xC0) == 0x80)
        Start--;
    if (Start == 0)
        return Length;
    Lead = (UCHAR)Text[Start - 1];
    if (Lead < 0xC0)
        return Length;          /* ASCII, or not UTF-8 at all: leave it */
    Needed = Lead >= 0xF0 ? 4 : Lead >= 0xE0 ? 3 : 2;
    return (Length - (Start - 1) < Needed) ? Start - 1 : Length;
}

static ULONG RtlpDebugPrint(PCSTR Prefix, ULONG ComponentId, ULONG Level, PCSTR Format, PRTLP_FORMAT_ARGS Args)
{
    CHAR Buffer[RTLP_DEBUG_PRINT_LIMIT + 1];
    SIZE_T Used = 0, Needed;
    BOOLEAN Truncated;

    if (!RtlpDebugLevelEnabled(ComponentId, Level))
        return STATUS_SUCCESS;
    if (Prefix != NULL) {
        while (Used < RTLP_DEBUG_PRINT_LIMIT && Prefix[Used] != 0) {
            Buffer[Used] = Prefix[Used];
            Used++;
        }
    }
    Truncated = Prefix != NULL && Prefix[Used] != 0;
    Needed = RtlpFormatArgs(Buffer + Used, sizeof(Buffer) - Used, Format, Args, FALSE);
    if (Needed > RTLP_DEBUG_PRINT_LIMIT - Used) {
        Needed = RTLP_DEBUG_PRINT_LIMIT - Used;
        Truncated = TRUE;
    }
    Used += Needed;
    if (Truncated)
        Used = RtlpUtf8Boundary(Buffer, Used);
    RtlpDebugWrite(Buffer, Used);
    return STATUS_SUCCESS;
}

/* DbgPrint and DbgPrintEx take their arguments as on Windows x64 (ms_abi,
 * include/ddk/rtl.h): a UNICODE_STRING a driver passes by value for %wZ
 * arrives as a pointer to a copy, as Microsoft's ABI passes it. */
NTKERNELAPI ULONG NTPS_MS_VARARGS DbgPrint(PCSTR Format, ...)
{
    __builtin_ms_va_list Args;
    RTLP_FORMAT_ARGS Ms;
    ULONG Status;

    __builtin_ms_va_start(Args, Format);
    Ms.Ms = Args;
    /* Documented as DbgPrintEx(DPFLTR_DEFAULT_ID, DPFLTR_INFO_LEVEL, ...). */
    Status = RtlpDebugPrint(NULL, DPFLTR_DEFAULT_ID, DPFLTR_INFO_LEVEL, Format, &Ms);
    __builtin_ms_va_end(Args);
    return Status;
}

NTKERNELAPI ULONG NTPS_MS_VARARGS DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    __builtin_ms_va_list Args;
    RTLP_FORMAT_ARGS Ms;
    ULONG Status;

    __builtin_ms_va_start(Args, Format);
    Ms.Ms = Args;
    Status = RtlpDebugPrint(NULL, ComponentId, Level, Format, &Ms);
    __builtin_ms_va_end(Args);
    return Status;
}

/* A va_list the driver made in its own (System V) variadic routine. */
NTKERNELAPI ULONG vDbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, va_list arglist)
{
    return vDbgPrintExWithPrefix(NULL, ComponentId, Level, Format, arglist);
}

NTKERNELAPI ULONG vDbgPrintExWithPrefix(PCSTR Prefix, ULONG ComponentId, ULONG Level, PCSTR Format,
                                        va_list arglist)
{
    RTLP_FORMAT_ARGS Sysv = { .Ms = NULL };
    va_copy(Sysv.Sysv, arglist);
    ULONG Status = RtlpDebugPrint(Prefix, ComponentId, Level, Format, &Sysv);
    va_end(Sysv.Sysv);
    return Status;
}

/* The Windows layout: the message, if any, runs straight into the expression. */
SIZE_T RtlpFormatAssertion(PCHAR Buffer, SIZE_T Size, PCSTR FailedAssertion, PCSTR FileName, ULONG LineNumber,
                           PCSTR Message)
{
    return RtlpFormat(Buffer, Size, "*** Assertion failed: %s%s\n***   Source File: %s, line %lu\n\n",
                      Message != NULL ? Message : "", FailedAssertion, FileName, LineNumber);
}

NTKERNELAPI VOID RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber, PSTR MutableMessage)
{
    /* Larger than a DbgPrint and never filtered: long paths must not cut the report. */
    CHAR Buffer[1024];
    SIZE_T Length = RtlpFormatAssertion(Buffer, sizeof(Buffer), VoidFailedAssertion, VoidFileName, LineNumber,
                                        MutableMessage);

    RtlpDebugWrite(Buffer, Length < sizeof(Buffer) ? Length : sizeof(Buffer) - 1);
    RtlRaiseStatus(STATUS_ASSERTION_FAILURE);
}

/* ntps's own messages (reports, leak lists, run summaries): formatted with
 * the C library's printf (they use its conversions, not Windows ones) and
 * written like debug output, one write per message. No lock is taken, so
 * a bug check may use it. */
VOID RtlpReport(PCSTR Format, ...)
{
    char Line[1024];
    va_list Args;
    if (RtlpDebugDiscard)
        return;
    va_start(Args, Format);
    int Length = vsnprintf(Line, sizeof(Line), Format, Args);
    va_end(Args);
    if (Length > 0)
        RtlpDebugWrite(Line, (SIZE_T)Length < sizeof(Line) ? (SIZE_T)Length : sizeof(Line) - 1);
}

/* Said once per routine (rtl/rtl.h). */
NTSTATUS RtlpNotImplemented(PCSTR Routine, volatile ULONG *Reported)
{
    if (!__atomic_exchange_n(Reported, 1, __ATOMIC_RELAXED))
        RtlpReport("ntps: %s is not implemented (STATUS_NOT_IMPLEMENTED)\n", Routine);
    return STATUS_NOT_IMPLEMENTED;
}

/* Said once per class (rtl/rtl.h). */
NTSTATUS RtlpClassNotImplemented(PCSTR Service, ULONG Class, volatile ULONG *Reported)
{
    ULONG Bit = 1u << (Class % 32);
    if (!(__atomic_fetch_or(Reported, Bit, __ATOMIC_RELAXED) & Bit))
        RtlpReport("ntps: %s: class %lu is not implemented\n", Service, (unsigned long)Class);
    return STATUS_NOT_IMPLEMENTED;
}
