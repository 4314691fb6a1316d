/*
 * test_rtl_format.c - the Windows-style printf engine (rtl/format.c) and the
 * debug output routines on top of it (rtl/debug.c): every conversion, flag
 * and size prefix, buffer truncation, the 512-byte DbgPrint limit and the
 * DbgPrintEx level filter. Standard output is captured with pipe + dup2.
 */
#include "rtl/format.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unittest.h"

/* RtlAssert is never triggered here, but it is linked in with the rest of
 * rtl/debug.c. This weak stand-in only satisfies the link while the library
 * has no RtlRaiseStatus; the real one wins whenever it is present. */
__attribute__((weak)) VOID RtlRaiseStatus(NTSTATUS Status)
{
    (void)Status;
    abort();
}

static char Out[2048];

static SIZE_T Fmt(const char *Format, ...)
{
    va_list Args;
    SIZE_T Length;
    va_start(Args, Format);
    Length = RtlpFormatV(Out, sizeof(Out), Format, Args);
    va_end(Args);
    return Length;
}

static void ExpectText(int Line, SIZE_T Length, const char *Expected, SIZE_T ExpectedLength)
{
    if (Length == ExpectedLength && memcmp(Out, Expected, ExpectedLength) == 0 && Out[ExpectedLength] == 0) {
        UtPassed++;
        return;
    }
    UtFailed++;
    fprintf(stderr, "%s:%d: got \"%s\" (%zu), expected \"%s\" (%zu)\n", __FILE__, Line, Out, (size_t)Length,
            Expected, (size_t)ExpectedLength);
}

/* EXPECT("result", "format", args...) */
#define EXPECT(Expected, ...) ExpectText(__LINE__, Fmt(__VA_ARGS__), Expected, sizeof(Expected) - 1)

static void TestIntegers(void)
{
    EXPECT("42", "%d", 42);
    EXPECT("-42", "%i", -42);
    EXPECT("-2147483648", "%d", (int)0x80000000);
    EXPECT("4294967295", "%u", 0xFFFFFFFFu);
    EXPECT("   42", "%5d", 42);
    EXPECT("42   |", "%-5d|", 42);
    EXPECT("00042", "%05d", 42);
    EXPECT("-0042", "%05d", -42);
    EXPECT("42   ", "%-05d", 42);
    EXPECT("+42", "%+d", 42);
    EXPECT(" 42", "% d", 42);
    EXPECT("-1", "%+d", -1);
    EXPECT("+0", "%+d", 0);
    EXPECT("42", "%+u", 42);            /* sign flags apply to signed conversions only */
    EXPECT("007", "%.3d", 7);
    EXPECT("-007", "%.3d", -7);
    EXPECT("", "%.0d", 0);
    EXPECT("  ", "%2.0d", 0);
    EXPECT("  007", "%5.3d", 7);
    EXPECT("  007", "%05.3d", 7);       /* 0 is ignored when a precision is given */
    EXPECT("ff FF", "%x %X", 255, 255);
    EXPECT("0xff 0XFF", "%#x %#X", 255, 255);
    EXPECT("0", "%#x", 0);
    EXPECT("0x0000ff", "%#08x", 255);
    EXPECT("10 010 0", "%o %#o %#o", 8, 8, 0);
    EXPECT("010", "%#.3o", 8);
    EXPECT("37777777777", "%o", 0xFFFFFFFFu);

    /* l is 32 bits, as LONG/ULONG are on Windows. */
    EXPECT("-5 4294967295 deadbeef 7", "%ld %lu %lx %d", (LONG)-5, (ULONG)0xFFFFFFFF, (ULONG)0xDEADBEEF, 7);
    EXPECT("ffffffff", "%lx", (ULONG)-1);
    /* 64-bit sizes. */
    EXPECT("-9223372036854775808", "%lld", (LONGLONG)0x8000000000000000ULL);
    EXPECT("18446744073709551615", "%llu", ~0ULL);
    EXPECT("-1 123456789abcdef0", "%I64d %I64x", (LONGLONG)-1, 0x123456789ABCDEF0ULL);
    EXPECT("1777777777777777777777", "%I64o", ~0ULL);
    EXPECT("-1 ffffffff", "%I32d %I32x", -1, 0xFFFFFFFFu);
    EXPECT("1122334455667788 -5", "%Ix %Id", (ULONG_PTR)0x1122334455667788ULL, (LONG_PTR)-5);
    EXPECT("123 -4 -9 7", "%zu %td %jd %Lu", (SIZE_T)123, (ptrdiff_t)-4, (intmax_t)-9, 7ULL);
    EXPECT("8000000000000000 2", "%llX %d", 0x8000000000000000ULL, 2);
    /* Narrow sizes truncate the promoted argument. */
    EXPECT("4464 1 -56 1 2345", "%hd %hu %hhd %hhu %hx", 70000, 65537, 200, 257, 0x12345);
    EXPECT("5", "%wd", 5);
    /* * for width and precision. */
    EXPECT("   42", "%*d", 5, 42);
    EXPECT("42   |", "%-*d|", 5, 42);
    EXPECT("42   |", "%*d|", -5, 42);
    EXPECT("007", "%.*d", 3, 7);
    EXPECT("7", "%.*d", -1, 7);
    EXPECT("   007", "%*.*d", 6, 3, 7);
}

static void TestPointers(void)
{
    EXPECT("FFFFB80123456789", "%p", (PVOID)0xFFFFB80123456789ULL);
    EXPECT("0000000000000000", "%p", NULL);
    EXPECT("0000000000001234", "%p", (PVOID)0x1234);
    EXPECT("    0000000000001234", "%20p", (PVOID)0x1234);
    EXPECT("0000000000001234  |", "%-18p|", (PVOID)0x1234);
    EXPECT("0000000000001234", "%#+p", (PVOID)0x1234);
    EXPECT("% 100%", "%% 100%%");
}

static void TestCharacters(void)
{
    EXPECT("A", "%c", 'A');
    EXPECT("  A", "%3c", 'A');
    EXPECT("A  |", "%-3c|", 'A');
    EXPECT("00A", "%03c", 'A');          /* Microsoft C pads with zeros here too */
    EXPECT("b", "%hc", 'b');
    EXPECT("q", "%hC", 'q');
    EXPECT("\xc3\xa9", "%C", 0xE9);
    EXPECT("\xe2\x82\xac", "%lc", 0x20AC);
    EXPECT("x", "%wc", L'x');
    EXPECT("\xef\xbf\xbd", "%wc", 0xD800);  /* a lone surrogate */
    EXPECT("  \xc3\xa9", "%3C", 0xE9);       /* width counts characters */
    /* A NUL character is output like any other. */
    CHECK_EQ(Fmt("a%cb", 0), 3);
    CHECK(memcmp(Out, "a\0b", 4) == 0);
}

static void TestStrings(void)
{
    WCHAR Pair[] = { 0xD83D, 0xDE00, 0 }, LoneHigh[] = { 0xD83D, L'a', 0 }, LoneLow[] = { 0xDE00, 0 };

    EXPECT("abc", "%s", "abc");
    EXPECT("  abc", "%5s", "abc");
    EXPECT("abc  |", "%-5s|", "abc");
    EXPECT("ab", "%.2s", "abc");
    EXPECT("   ab", "%5.2s", "abc");
    EXPECT("000ab", "%05s", "ab");
    EXPECT("(null)", "%s", (char *)NULL);
    EXPECT("(nu", "%.3s", (char *)NULL);
    EXPECT("  (null)", "%8s", (char *)NULL);
    EXPECT("narrow narrow", "%hs %hS", "narrow", "narrow");
    EXPECT("caf\xc3\xa9", "%s", "caf\xc3\xa9");   /* narrow text is copied as-is */

    EXPECT("wide", "%ws", L"wide");
    EXPECT("wide wide wide wide", "%ls %S %lS %wS", L"wide", L"wide", L"wide", L"wide");
    EXPECT("(null)", "%ws", (PCWSTR)NULL);
    EXPECT("(null)", "%S", (PCWSTR)NULL);
    EXPECT("ab", "%.2ws", L"abcd");
    EXPECT("   \xc3\xa9t\xc3\xa9", "%6ws", L"\u00e9t\u00e9");
    EXPECT("\xc3\xa9   |", "%-4ws|", L"\u00e9");
    EXPECT("\xe4\xb8\xad", "%ws", L"\u4e2d");
    EXPECT("\xf0\x9f\x98\x80", "%ws", Pair);
    EXPECT(" \xf0\x9f\x98\x80", "%2ws", Pair);    /* a pair is one character wide */
    EXPECT("\xef\xbf\xbd" "a", "%ws", LoneHigh);
    EXPECT("\xef\xbf\xbd", "%ws", LoneLow);
    EXPECT("\xef\xbf\xbd", "%.1ws", Pair);        /* precision split the pair */
    EXPECT("", "%ws", L"");
}

static void TestCountedStrings(void)
{
    WCHAR Wide[4] = { L'a', L'b', L'c', L'd' };   /* deliberately not terminated */
    CHAR Narrow[3] = { 'x', 'y', 'z' };
    UNICODE_STRING U = { 6, sizeof(Wide), Wide }, Constant = RTL_CONSTANT_STRING(L"counted");
    UNICODE_STRING NoBuffer = { 0, 0, NULL };
    ANSI_STRING A = { 3, 3, Narrow }, NoAnsiBuffer = { 0, 0, NULL };

    EXPECT("counted", "%wZ", &Constant);
    EXPECT("abc", "%wZ", &U);
    EXPECT("abc", "%lZ", &U);
    EXPECT("(null)", "%wZ", (PUNICODE_STRING)NULL);
    EXPECT("(null)", "%wZ", &NoBuffer);
    EXPECT("       abc", "%10wZ", &U);
    EXPECT("abc       |", "%-10wZ|", &U);
    EXPECT("ab", "%.2wZ", &U);
    U.Length = 5;                                  /* odd: the stray byte is not printed */
    EXPECT("ab", "%wZ", &U);
    U.Length = 0;
    EXPECT("[]", "[%wZ]", &U);
    U.Length = 8;
    EXPECT("abcd", "%wZ", &U);

    EXPECT("xyz", "%Z", &A);
    EXPECT("xyz", "%hZ", &A);
    EXPECT("xy", "%.2Z", &A);
    EXPECT("  xyz", "%5Z", &A);
    EXPECT("(null)", "%Z", (PANSI_STRING)NULL);
    EXPECT("(null)", "%Z", &NoAnsiBuffer);
}

static void TestFloats(void)
{
    EXPECT("1.500000", "%f", 1.5);
    EXPECT("3.14", "%.2f", 3.14159);
    EXPECT("   3.142", "%8.3f", 3.14159);
    EXPECT("2.5     |", "%-8.1f|", 2.5);
    EXPECT("-0001.50", "%08.2f", -1.5);
    EXPECT("+2.0", "%+.1f", 2.0);
    EXPECT(" 2", "% .0f", 2.0);
    EXPECT("2.", "%#.0f", 2.0);
    EXPECT("1.234568e+04 1.234568E+04", "%e %E", 12345.678, 12345.678);
    EXPECT("0.0001 1E-10", "%g %G", 0.0001, 1e-10);
    EXPECT("0x1p+0 0X1P+0", "%a %A", 1.0, 1.0);
    EXPECT("0x00001p+0", "%010a", 1.0);
    EXPECT("2.500000", "%Lf", (long double)2.5);
    EXPECT("     inf", "%08f", (double)INFINITY);
    EXPECT("-inf", "%f", -(double)INFINITY);
    EXPECT("1.0 5", "%.1f %d", 1.0, 5);        /* integers after a float still line up */
    CHECK_EQ(Fmt("%.900f", 1.0), 502);          /* precision is capped at 500 */
    CHECK_EQ(Fmt("%400.1f", 1.0), 400);
}

static void TestOddFormats(void)
{
    int Count = 1234;

    EXPECT("abcd", "ab%ncd", &Count);
    CHECK_EQ(Count, 1234);                      /* %n writes nothing */
    EXPECT("%y", "%y");
    EXPECT("%5y|7", "%5y|%d", 7);
    EXPECT("%k5", "%k%d", 5);
    EXPECT("a%", "a%");
    EXPECT("%l", "%l");
    EXPECT("%-", "%-");
    EXPECT("%I6", "%I6");
    EXPECT("", "");
    CHECK_EQ(Fmt(NULL), 0);
    CHECK_EQ(Out[0], 0);
    EXPECT("s=abc n=-3 u=\xc3\xa9 p=00000000DEADBEEF 100%", "s=%s n=%d u=%ws p=%p 100%%", "abc", -3,
           L"\u00e9", (PVOID)0xDEADBEEF);
}

static SIZE_T FormatTwice(PCHAR First, PCHAR Second, SIZE_T Size, PCSTR Format, ...)
{
    va_list Args;
    SIZE_T Length;
    va_start(Args, Format);
    RtlpFormatV(First, Size, Format, Args);      /* works on a copy of Args */
    Length = RtlpFormatV(Second, Size, Format, Args);
    va_end(Args);
    return Length;
}

static void TestBufferLimits(void)
{
    char Small[16], Again[16];

    memset(Small, '#', sizeof(Small));
    CHECK_EQ(RtlpFormat(Small, 5, "abcdefgh"), 8);
    CHECK(strcmp(Small, "abcd") == 0 && Small[5] == '#');
    memset(Small, '#', sizeof(Small));
    CHECK_EQ(RtlpFormat(Small, 9, "abcdefgh"), 8);    /* exact fit */
    CHECK(strcmp(Small, "abcdefgh") == 0 && Small[9] == '#');
    memset(Small, '#', sizeof(Small));
    CHECK_EQ(RtlpFormat(Small, 8, "abcdefgh"), 8);    /* one short */
    CHECK(strcmp(Small, "abcdefg") == 0 && Small[8] == '#');
    memset(Small, '#', sizeof(Small));
    CHECK_EQ(RtlpFormat(Small, 1, "abc%d", 12345), 8);
    CHECK(Small[0] == 0 && Small[1] == '#');
    CHECK_EQ(RtlpFormat(NULL, 0, "abc%d", 12345), 8);
    memset(Small, '#', sizeof(Small));
    CHECK_EQ(RtlpFormat(Small, 6, "%8d", 42), 8);     /* cut inside padding */
    CHECK(strcmp(Small, "     ") == 0 && Small[6] == '#');
    CHECK_EQ(RtlpFormat(Small, 3, "%ws", L"\u00e9\u00e9"), 4);
    CHECK(Small[0] == '\xc3' && Small[1] == '\xa9' && Small[2] == 0);
    CHECK_EQ(RtlpFormat(Small, sizeof(Small), "%2000d", 1), 2000);
    CHECK(strlen(Small) == 15);
    CHECK_EQ(RtlpFormat(NULL, 0, "%2147483647d", 1), 2147483647);
    CHECK_EQ(FormatTwice(Small, Again, sizeof(Small), "%d-%s", 9, "x"), 3);
    CHECK(strcmp(Small, "9-x") == 0 && strcmp(Again, "9-x") == 0);
}

/* ---- standard output capture --------------------------------------------- */
static int CaptureRead = -1, SavedStdout = -1;

static void CaptureBegin(void)
{
    int Pipe[2];
    fflush(stdout);
    if (pipe(Pipe) != 0)
        abort();
    SavedStdout = dup(STDOUT_FILENO);
    dup2(Pipe[1], STDOUT_FILENO);
    close(Pipe[1]);
    CaptureRead = Pipe[0];
}

/* Restores standard output and returns what was written, NUL-terminated. */
static size_t CaptureEnd(char *Buffer, size_t Size)
{
    size_t Total = 0;
    ssize_t Got;
    dup2(SavedStdout, STDOUT_FILENO);
    close(SavedStdout);
    while (Total + 1 < Size && (Got = read(CaptureRead, Buffer + Total, Size - 1 - Total)) > 0)
        Total += (size_t)Got;
    close(CaptureRead);
    Buffer[Total] = 0;
    return Total;
}

static char Captured[8192];

static ULONG CallVDbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    va_list Args;
    ULONG Status;
    va_start(Args, Format);
    Status = vDbgPrintEx(ComponentId, Level, Format, Args);
    va_end(Args);
    return Status;
}

static ULONG CallWithPrefix(PCSTR Prefix, PCSTR Format, ...)
{
    va_list Args;
    ULONG Status;
    va_start(Args, Format);
    Status = vDbgPrintExWithPrefix(Prefix, DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, Format, Args);
    va_end(Args);
    return Status;
}

static void TestDbgPrint(void)
{
    char Long[700];
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\Foo");
    size_t Length;

    CaptureBegin();
    CHECK_EQ(DbgPrint("hello %d\n", 5), STATUS_SUCCESS);
    Length = CaptureEnd(Captured, sizeof(Captured));
    CHECK(Length == 8 && strcmp(Captured, "hello 5\n") == 0);

    CaptureBegin();
    RtlpDebugWrite("raw", 3);
    CHECK_EQ(CallVDbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, " %wZ|%ws|%I64x", &Name, L"w", 0x1ULL << 40),
             STATUS_SUCCESS);
    CaptureEnd(Captured, sizeof(Captured));
    CHECK(strcmp(Captured, "raw \\Device\\Foo|w|10000000000") == 0);

    /* 512 bytes at most per call, and exactly 512 when there is more. */
    memset(Long, 'a', sizeof(Long) - 1);
    Long[sizeof(Long) - 1] = 0;
    CaptureBegin();
    DbgPrint("%s", Long);
    Length = CaptureEnd(Captured, sizeof(Captured));
    CHECK_EQ(Length, 512);
    CHECK(strspn(Captured, "a") == 512);
    Long[512] = 0;
    CaptureBegin();
    DbgPrint("%s", Long);
    CHECK_EQ(CaptureEnd(Captured, sizeof(Captured)), 512);
    Long[511] = 0;
    CaptureBegin();
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "%s", Long);
    CHECK_EQ(CaptureEnd(Captured, sizeof(Captured)), 511);
    /* A character that would straddle byte 512 is dropped whole. */
    Long[511] = '\xc3';
    Long[512] = '\xa9';
    Long[513] = 0;
    CaptureBegin();
    DbgPrint("%s", Long);
    CHECK_EQ(CaptureEnd(Captured, sizeof(Captured)), 511);
    Long[510] = 0;
    CaptureBegin();
    CallVDbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "%s%ws", Long, L"\u20ac");
    Length = CaptureEnd(Captured, sizeof(Captured));
    CHECK(Length == 510 && Captured[509] == 'a');

    /* The prefix comes first and counts toward the limit. */
    CaptureBegin();
    CHECK_EQ(CallWithPrefix("drv: ", "value %u\n", 3u), STATUS_SUCCESS);
    CaptureEnd(Captured, sizeof(Captured));
    CHECK(strcmp(Captured, "drv: value 3\n") == 0);
    CaptureBegin();
    CallWithPrefix(NULL, "plain");
    CaptureEnd(Captured, sizeof(Captured));
    CHECK(strcmp(Captured, "plain") == 0);
    memset(Long, 'p', sizeof(Long) - 1);
    Long[sizeof(Long) - 1] = 0;
    CaptureBegin();
    CallWithPrefix(Long, "message");
    Length = CaptureEnd(Captured, sizeof(Captured));
    CHECK(Length == 512 && strspn(Captured, "p") == 512);
    Long[500] = 0;
    CaptureBegin();
    CallWithPrefix(Long, "0123456789abcdefghij");
    Length = CaptureEnd(Captured, sizeof(Captured));
    CHECK(Length == 512 && strcmp(Captured + 500, "0123456789ab") == 0);
}

/* An explore schedule whose output goes nowhere (RtlpDebugDiscard) writes nothing. */
static void TestDebugDiscard(void)
{
    CaptureBegin();
    RtlpDebugDiscard = TRUE;
    CHECK_EQ(DbgPrint("dropped %d\n", 1), STATUS_SUCCESS);
    RtlpReport("dropped %s\n", "too");
    RtlpDebugWrite("raw", 3);
    RtlpDebugDiscard = FALSE;
    RtlpDebugWrite("kept", 4);
    CaptureEnd(Captured, sizeof(Captured));
    CHECK(strcmp(Captured, "kept") == 0);
}

static void TestFilter(void)
{
    CaptureBegin();
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "a");     /* default: everything */
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, 31, "b");
    RtlpSetDebugFilter(DPFLTR_WARNING_LEVEL);
    CHECK_EQ(DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "X"), STATUS_SUCCESS);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_TRACE_LEVEL, "X");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL, "c");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "d");
    DbgPrintEx(DPFLTR_DEFAULT_ID, DPFLTR_INFO_LEVEL, "e");        /* DEFAULT is never filtered */
    DbgPrintEx(DPFLTR_DEFAULT_ID, 30, "f");
    DbgPrint("g");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_MASK | 0x4, "X");      /* mask form: bit 2 only */
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_MASK | 0x2, "h");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_MASK | 0x6, "i");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_MASK, "X");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, 0x40, "X");                   /* > 31 without the flag: a mask too */
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, 0x41, "j");
    CallVDbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "X");
    CallWithPrefix("k", "l");
    RtlpSetDebugFilter(DPFLTR_ERROR_LEVEL);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL, "X");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "m");
    RtlpSetDebugFilter(MAXULONG);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, 0x12345678, "n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "o");
    CaptureEnd(Captured, sizeof(Captured));
    CHECK(strcmp(Captured, "abcdefghijklmno") == 0);
}

static void TestAssertionText(void)
{
    char Text[256];
    SIZE_T Length = RtlpFormatAssertion(Text, sizeof(Text), "x == 1", "drv.c", 42, NULL);
    const char Plain[] = "*** Assertion failed: x == 1\n***   Source File: drv.c, line 42\n\n";
    const char WithMessage[] = "*** Assertion failed: bad state: x == 1\n***   Source File: drv.c, line 7\n\n";

    CHECK(Length == sizeof(Plain) - 1 && strcmp(Text, Plain) == 0);
    Length = RtlpFormatAssertion(Text, sizeof(Text), "x == 1", "drv.c", 7, "bad state: ");
    CHECK(Length == sizeof(WithMessage) - 1 && strcmp(Text, WithMessage) == 0);
    RtlpFormatAssertion(Text, sizeof(Text), NULL, NULL, 4294967295u, NULL);
    CHECK(strcmp(Text, "*** Assertion failed: (null)\n***   Source File: (null), line 4294967295\n\n") == 0);
}

/* Two processors printing at once: every line must arrive whole. */
#define LINES_PER_THREAD 2000
static char Line[2][101];

static void *Printer(void *Context)
{
    int Which = (int)(ULONG_PTR)Context;
    for (int i = 0; i < LINES_PER_THREAD; i++)
        DbgPrint("%s\n", Line[Which]);
    return NULL;
}

static char Drained[2 * LINES_PER_THREAD * 101 + 1];
static size_t DrainedLength;

static void *Drain(void *Context)
{
    ssize_t Got;
    (void)Context;
    while (DrainedLength < sizeof(Drained) - 1 &&
           (Got = read(CaptureRead, Drained + DrainedLength, sizeof(Drained) - 1 - DrainedLength)) > 0)
        DrainedLength += (size_t)Got;
    return NULL;
}

static void TestConcurrentLines(void)
{
    pthread_t Threads[2], Reader;
    int Whole = 0;

    memset(Line[0], 'A', 100);
    memset(Line[1], 'B', 100);
    CaptureBegin();
    pthread_create(&Reader, NULL, Drain, NULL);
    pthread_create(&Threads[0], NULL, Printer, (PVOID)0);
    pthread_create(&Threads[1], NULL, Printer, (PVOID)1);
    pthread_join(Threads[0], NULL);
    pthread_join(Threads[1], NULL);
    dup2(SavedStdout, STDOUT_FILENO);   /* closes the last write end: the reader sees EOF */
    close(SavedStdout);
    pthread_join(Reader, NULL);
    close(CaptureRead);
    for (size_t Offset = 0; Offset + 101 <= DrainedLength; Offset += 101) {
        const char *Text = Drained + Offset;
        if ((memcmp(Text, Line[0], 100) == 0 || memcmp(Text, Line[1], 100) == 0) && Text[100] == '\n')
            Whole++;
    }
    CHECK_EQ(DrainedLength, 2 * LINES_PER_THREAD * 101);
    CHECK_EQ(Whole, 2 * LINES_PER_THREAD);
}

int main(void)
{
    TestIntegers();
    TestPointers();
    TestCharacters();
    TestStrings();
    TestCountedStrings();
    TestFloats();
    TestOddFormats();
    TestBufferLimits();
    TestDbgPrint();
    TestDebugDiscard();
    TestFilter();
    TestAssertionText();
    TestConcurrentLines();
    return UT_DONE();
}
