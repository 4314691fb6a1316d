/*
 * rtl/printf.c - the kernel CRT's counted printf routines (_vsnprintf,
 * _vsnwprintf, _snprintf, _snwprintf), which ntstrsafe.h's printf routines
 * call, as the WDK's do. They run on the DbgPrint engine (rtl/format.c).
 *
 * The Microsoft contract, not C99's: with Count units of room, output of
 * fewer than Count units is written with a NUL and its length returned;
 * exactly Count units are written without a NUL and Count returned; longer
 * output is cut to Count units, not terminated, and -1 returned.
 *
 * The wide forms take a 16-bit format in which %s and %c mean wide text and
 * %S, %C narrow text (%hs, %ls, %ws say so explicitly). The engine emits
 * UTF-8, which is converted back to UTF-16 (narrow bytes that are not
 * UTF-8 become U+FFFD). They allocate from the string allocator, so like
 * their Windows counterparts with wide arguments they are for
 * IRQL <= APC_LEVEL.
 */
#include "rtl/format.h"

#include <string.h>

#define RTLP_CRT NTPS_EXPORT

int _vsnprintf(char *Buffer, size_t Count, const char *Format, va_list Args);
int _vsnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, va_list Args);
int _snprintf(char *Buffer, size_t Count, const char *Format, ...);
int _snwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, ...);

/* Microsoft's return value for output of Length units into Count. */
static int RtlpCountedResult(SIZE_T Length, size_t Count)
{
    if (Length > Count || Length > 0x7FFFFFFF)
        return -1;
    return (int)Length;
}

RTLP_CRT int _vsnprintf(char *Buffer, size_t Count, const char *Format, va_list Args)
{
    SIZE_T Length = RtlpFormatV(Buffer, Count, Format, Args);
    if (Length >= Count && Count != 0) {
        /* The engine ended the text with a NUL at Count - 1; Microsoft's
         * routine fills all Count bytes instead. */
        PCHAR Whole = RtlpAllocateStringRoutine(Length + 1);
        if (Whole != NULL) {
            RtlpFormatV(Whole, Length + 1, Format, Args);
            memcpy(Buffer, Whole, Count);
            RtlpFreeStringRoutine(Whole);
        }
    }
    return RtlpCountedResult(Length, Count);
}

RTLP_CRT int _vsnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, va_list Args)
{
    const wchar_t *Source = Format != NULL ? Format : L"";
    SIZE_T Units = wcslen(Source);
    ULONG Bytes = 0, Produced = 0;
    PCHAR Narrow = NULL, Text = NULL;
    PWCHAR Wide = NULL;
    int Result = -1;

    if (Units > 0x7FFFFFFF / 3 - 1)
        return -1;
    Narrow = RtlpAllocateStringRoutine(Units * 3 + 1);
    if (Narrow == NULL)
        goto out;
    RtlUnicodeToUTF8N(Narrow, (ULONG)(Units * 3), &Bytes, Source, (ULONG)(Units * sizeof(WCHAR)));
    Narrow[Bytes] = 0;

    SIZE_T Length = RtlpFormatVEx(NULL, 0, Narrow, Args, TRUE);
    if (Length > 0x3FFFFFFF)
        goto out;
    Text = RtlpAllocateStringRoutine(Length + 1);
    Wide = RtlpAllocateStringRoutine((Length + 1) * sizeof(WCHAR));
    if (Text == NULL || Wide == NULL)
        goto out;
    RtlpFormatVEx(Text, Length + 1, Narrow, Args, TRUE);
    RtlUTF8ToUnicodeN(Wide, (ULONG)(Length * sizeof(WCHAR)), &Produced, Text, (ULONG)Length);
    SIZE_T Out = Produced / sizeof(WCHAR);
    memcpy(Buffer, Wide, (Out < Count ? Out : Count) * sizeof(WCHAR));
    if (Out < Count)
        Buffer[Out] = 0;
    Result = RtlpCountedResult(Out, Count);
out:
    if (Narrow != NULL)
        RtlpFreeStringRoutine(Narrow);
    if (Text != NULL)
        RtlpFreeStringRoutine(Text);
    if (Wide != NULL)
        RtlpFreeStringRoutine(Wide);
    return Result;
}

RTLP_CRT int _snprintf(char *Buffer, size_t Count, const char *Format, ...)
{
    va_list Args;
    va_start(Args, Format);
    int Result = _vsnprintf(Buffer, Count, Format, Args);
    va_end(Args);
    return Result;
}

RTLP_CRT int _snwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, ...)
{
    va_list Args;
    va_start(Args, Format);
    int Result = _vsnwprintf(Buffer, Count, Format, Args);
    va_end(Args);
    return Result;
}
