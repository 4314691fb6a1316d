/*
 * ddk/strsafe_unicode.h - ntstrsafe.h's UNICODE_STRING routines with flags
 * (Ex), the N forms that bound the characters taken from the source, and
 * copies between UNICODE_STRINGs and NUL-terminated strings. Included by
 * ddk/strsafe_ex.h (see there for the flags); written for ntps from the
 * WDK documentation.
 *
 * A UNICODE_STRING result is not NUL-terminated. On overflow the
 * destination holds what fits (up to MaximumLength) unless a flag says
 * otherwise. RemainingString, when given, describes the unused part of the
 * buffer (Buffer at the end of the result, Length 0, MaximumLength the
 * bytes left), on success and on STATUS_BUFFER_OVERFLOW.
 */
#ifndef _NTPS_DDK_STRSAFE_UNICODE_H
#define _NTPS_DDK_STRSAFE_UNICODE_H

/* Writes Count units of Src (or the printf of Format) at the end of Dest
 * (Cat) or over it, applying Flags. */
NTSTRSAFEWORKERDDI RtlpUnicodeStringEx(PUNICODE_STRING Dest, int Cat, const WCHAR *Src, size_t Count,
                                       const WCHAR *Format, va_list *Args, PUNICODE_STRING Remaining, ULONG Flags)
{
    UNICODE_STRING Null = { 0, 0, NULL };
    NTSTATUS Status = STATUS_SUCCESS;
    if ((Flags & ~(ULONG)STRSAFE_UNICODE_STRING_VALID_FLAGS) != 0)
        return STATUS_INVALID_PARAMETER;
    if (Dest == NULL) {
        if (!(Flags & STRSAFE_IGNORE_NULLS))
            return STATUS_INVALID_PARAMETER;
        Dest = &Null;
    }
    if (!NT_SUCCESS(RtlUnicodeStringValidate(Dest)) || (Args != NULL && Format == NULL) ||
        (Args == NULL && Src == NULL && Count != 0))
        return STATUS_INVALID_PARAMETER;
    size_t Max = Dest->MaximumLength / sizeof(WCHAR), Keep = Cat ? Dest->Length / sizeof(WCHAR) : 0;
    size_t Used = Keep;
    if (Args != NULL) {
        WCHAR Empty[1];
        int Written = _vsnwprintf(Max > Used ? Dest->Buffer + Used : Empty, Max - Used, Format, *Args);
        if (Written < 0 || (size_t)Written > Max - Used) {
            Used = Max;
            Status = STATUS_BUFFER_OVERFLOW;
        } else {
            Used += (size_t)Written;
        }
    } else {
        size_t N = Count < Max - Used ? Count : Max - Used;
        for (size_t i = 0; i < N; i++)
            Dest->Buffer[Used + i] = Src[i];
        Used += N;
        if (N < Count)
            Status = STATUS_BUFFER_OVERFLOW;
    }
    if (NT_SUCCESS(Status)) {
        if ((Flags & STRSAFE_FILL_BEHIND) && Used < Max)
            memset(Dest->Buffer + Used, STRSAFE_GET_FILL_PATTERN(Flags), (Max - Used) * sizeof(WCHAR));
    } else if ((Flags & STRSAFE_FILL_ON_FAILURE) && Max != 0) {
        memset(Dest->Buffer, STRSAFE_GET_FILL_PATTERN(Flags), Max * sizeof(WCHAR));
        Used = 0;
    } else if (Flags & (STRSAFE_ZERO_LENGTH_ON_FAILURE | STRSAFE_FILL_ON_FAILURE)) {
        Used = 0;
    } else if (Flags & STRSAFE_NO_TRUNCATION) {
        Used = Keep;
    }
    if (Dest != &Null)
        Dest->Length = (USHORT)(Used * sizeof(WCHAR));
    if (Remaining != NULL) {
        Remaining->Buffer = Dest->Buffer != NULL ? Dest->Buffer + Used : NULL;
        Remaining->Length = 0;
        Remaining->MaximumLength = (USHORT)((Max - Used) * sizeof(WCHAR));
    }
    return Status;
}

/* The source of a UNICODE_STRING routine: a valid string, or with
 * STRSAFE_IGNORE_NULLS a NULL one (empty). Its length in units, bounded. */
NTSTRSAFEWORKERDDI RtlpUnicodeStringSource(PCUNICODE_STRING Src, size_t Bound, ULONG Flags, const WCHAR **Buffer,
                                           size_t *Count)
{
    *Buffer = NULL;
    *Count = 0;
    if (Src == NULL)
        return (Flags & STRSAFE_IGNORE_NULLS) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    if (!NT_SUCCESS(RtlUnicodeStringValidate(Src)) || Bound > NTSTRSAFE_UNICODE_STRING_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    *Buffer = Src->Buffer;
    *Count = Src->Length / sizeof(WCHAR) < Bound ? Src->Length / sizeof(WCHAR) : Bound;
    return STATUS_SUCCESS;
}
/* The same for a NUL-terminated source. */
NTSTRSAFEWORKERDDI RtlpUnicodeStringSourceSz(NTSTRSAFE_PCWSTR Src, size_t Bound, ULONG Flags, const WCHAR **Buffer,
                                             size_t *Count)
{
    *Buffer = NULL;
    *Count = 0;
    if (Src == NULL)
        return (Flags & STRSAFE_IGNORE_NULLS) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    if (Bound > NTSTRSAFE_UNICODE_STRING_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    size_t N = 0;
    while (N < Bound && Src[N] != 0)
        N++;
    *Buffer = Src;
    *Count = N;
    return STATUS_SUCCESS;
}

#define NTPS_US_FROM(Kind, Src, Bound, Flags, Then)                                                               \
    {                                                                                                            \
        const WCHAR *Buffer;                                                                                     \
        size_t Count;                                                                                            \
        NTSTATUS Status = RtlpUnicodeStringSource##Kind(Src, Bound, Flags, &Buffer, &Count);                     \
        return NT_SUCCESS(Status) ? Then : Status;                                                               \
    }
#define NTPS_US_ALL NTSTRSAFE_UNICODE_STRING_MAX_CCH

NTSTRSAFEDDI RtlUnicodeStringInitEx(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc, ULONG dwFlags)
{
    if ((dwFlags & ~(ULONG)STRSAFE_IGNORE_NULLS) != 0)
        return STATUS_INVALID_PARAMETER;
    return RtlUnicodeStringInit(DestinationString, pszSrc);
}
NTSTRSAFEDDI RtlUnicodeStringValidateEx(PCUNICODE_STRING SourceString, ULONG dwFlags)
{
    if ((dwFlags & ~(ULONG)STRSAFE_IGNORE_NULLS) != 0)
        return STATUS_INVALID_PARAMETER;
    if (SourceString == NULL && (dwFlags & STRSAFE_IGNORE_NULLS))
        return STATUS_SUCCESS;
    return RtlUnicodeStringValidate(SourceString);
}

/* ---- UNICODE_STRING from UNICODE_STRING or NUL-terminated, with flags ----------------- */
NTSTRSAFEDDI RtlUnicodeStringCopyEx(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                    PUNICODE_STRING RemainingString, ULONG dwFlags)
    NTPS_US_FROM(, SourceString, NTPS_US_ALL, dwFlags,
                 RtlpUnicodeStringEx(DestinationString, 0, Buffer, Count, NULL, NULL, RemainingString, dwFlags))
NTSTRSAFEDDI RtlUnicodeStringCatEx(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                   PUNICODE_STRING RemainingString, ULONG dwFlags)
    NTPS_US_FROM(, SourceString, NTPS_US_ALL, dwFlags,
                 RtlpUnicodeStringEx(DestinationString, 1, Buffer, Count, NULL, NULL, RemainingString, dwFlags))
NTSTRSAFEDDI RtlUnicodeStringCopyStringEx(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc,
                                          PUNICODE_STRING RemainingString, ULONG dwFlags)
    NTPS_US_FROM(Sz, pszSrc, NTPS_US_ALL, dwFlags,
                 RtlpUnicodeStringEx(DestinationString, 0, Buffer, Count, NULL, NULL, RemainingString, dwFlags))
NTSTRSAFEDDI RtlUnicodeStringCatStringEx(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc,
                                         PUNICODE_STRING RemainingString, ULONG dwFlags)
    NTPS_US_FROM(Sz, pszSrc, NTPS_US_ALL, dwFlags,
                 RtlpUnicodeStringEx(DestinationString, 1, Buffer, Count, NULL, NULL, RemainingString, dwFlags))

/* The N forms: at most cchToCopy characters (cbToCopy bytes) of the source. */
#define NTPS_US_N(Name, Cat, SrcType, Kind)                                                                       \
    NTSTRSAFEDDI RtlUnicodeStringCch##Name##NEx(PUNICODE_STRING DestinationString, SrcType Source, size_t cchToCopy, \
                                                PUNICODE_STRING RemainingString, ULONG dwFlags)                    \
        NTPS_US_FROM(Kind, Source, cchToCopy, dwFlags,                                                           \
                     RtlpUnicodeStringEx(DestinationString, Cat, Buffer, Count, NULL, NULL, RemainingString, dwFlags)) \
    NTSTRSAFEDDI RtlUnicodeStringCb##Name##NEx(PUNICODE_STRING DestinationString, SrcType Source, size_t cbToCopy, \
                                               PUNICODE_STRING RemainingString, ULONG dwFlags)                     \
    {                                                                                                            \
        return RtlUnicodeStringCch##Name##NEx(DestinationString, Source, cbToCopy / sizeof(WCHAR), RemainingString, \
                                              dwFlags);                                                          \
    }                                                                                                            \
    NTSTRSAFEDDI RtlUnicodeStringCch##Name##N(PUNICODE_STRING DestinationString, SrcType Source, size_t cchToCopy) \
    {                                                                                                            \
        return RtlUnicodeStringCch##Name##NEx(DestinationString, Source, cchToCopy, NULL, 0);                    \
    }                                                                                                            \
    NTSTRSAFEDDI RtlUnicodeStringCb##Name##N(PUNICODE_STRING DestinationString, SrcType Source, size_t cbToCopy)  \
    {                                                                                                            \
        return RtlUnicodeStringCch##Name##NEx(DestinationString, Source, cbToCopy / sizeof(WCHAR), NULL, 0);     \
    }
NTPS_US_N(Copy, 0, PCUNICODE_STRING, )
NTPS_US_N(Cat, 1, PCUNICODE_STRING, )
NTPS_US_N(CopyString, 0, NTSTRSAFE_PCWSTR, Sz)
NTPS_US_N(CatString, 1, NTSTRSAFE_PCWSTR, Sz)

NTSTRSAFEDDI RtlUnicodeStringVPrintfEx(PUNICODE_STRING DestinationString, PUNICODE_STRING RemainingString,
                                       ULONG dwFlags, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    va_list Copy;
    va_copy(Copy, argList);
    NTSTATUS Status = RtlpUnicodeStringEx(DestinationString, 0, NULL, 0, pszFormat, &Copy, RemainingString, dwFlags);
    va_end(Copy);
    return Status;
}
NTSTRSAFEDDI RtlUnicodeStringPrintfEx(PUNICODE_STRING DestinationString, PUNICODE_STRING RemainingString,
                                      ULONG dwFlags, NTSTRSAFE_PCWSTR pszFormat, ...)
    NTPS_STRSAFE_VARARGS(RtlUnicodeStringVPrintfEx(DestinationString, RemainingString, dwFlags, pszFormat, Args))

/* ---- NUL-terminated from UNICODE_STRING ------------------------------------------------ */
NTSTRSAFEDDI RtlStringCchCopyUnicodeStringEx(NTSTRSAFE_PWSTR pszDest, size_t cchDest, PCUNICODE_STRING SourceString,
                                             NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcchRemaining, ULONG dwFlags)
{
    const WCHAR *Buffer;
    size_t Count;
    if (!NT_SUCCESS(RtlpUnicodeStringSource(SourceString, NTPS_US_ALL, dwFlags, &Buffer, &Count))) {
        if (pszDest != NULL && cchDest != 0 && cchDest <= NTSTRSAFE_MAX_CCH)
            *pszDest = 0;
        return STATUS_INVALID_PARAMETER;
    }
    /* The source may hold NULs: its length counts, not a terminator. */
    return RtlpStrExW(pszDest, cchDest, 0, Buffer != NULL ? Buffer : (const WCHAR *)L"", Count, NULL, NULL,
                      ppszDestEnd, pcchRemaining, dwFlags);
}
NTSTRSAFEDDI RtlStringCchCatUnicodeStringEx(NTSTRSAFE_PWSTR pszDest, size_t cchDest, PCUNICODE_STRING SourceString,
                                            NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcchRemaining, ULONG dwFlags)
{
    const WCHAR *Buffer;
    size_t Count;
    if (!NT_SUCCESS(RtlpUnicodeStringSource(SourceString, NTPS_US_ALL, dwFlags, &Buffer, &Count)))
        return STATUS_INVALID_PARAMETER;
    return RtlpStrExW(pszDest, cchDest, 1, Buffer != NULL ? Buffer : (const WCHAR *)L"", Count, NULL, NULL,
                      ppszDestEnd, pcchRemaining, dwFlags);
}
NTSTRSAFEDDI RtlStringCchCopyUnicodeString(NTSTRSAFE_PWSTR pszDest, size_t cchDest, PCUNICODE_STRING SourceString)
{
    return RtlStringCchCopyUnicodeStringEx(pszDest, cchDest, SourceString, NULL, NULL, 0);
}
NTSTRSAFEDDI RtlStringCchCatUnicodeString(NTSTRSAFE_PWSTR pszDest, size_t cchDest, PCUNICODE_STRING SourceString)
{
    return RtlStringCchCatUnicodeStringEx(pszDest, cchDest, SourceString, NULL, NULL, 0);
}
NTSTRSAFEDDI RtlStringCbCopyUnicodeStringEx(NTSTRSAFE_PWSTR pszDest, size_t cbDest, PCUNICODE_STRING SourceString,
                                            NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcbRemaining, ULONG dwFlags)
{
    size_t Cch = 0;
    NTSTATUS Status = RtlStringCchCopyUnicodeStringEx(pszDest, NTPS_CB_CCHW(cbDest), SourceString, ppszDestEnd, &Cch,
                                                      dwFlags);
    NTPS_STRSAFE_CB_REMAINING(Status, pcbRemaining, Cch);
    return Status;
}
NTSTRSAFEDDI RtlStringCbCatUnicodeStringEx(NTSTRSAFE_PWSTR pszDest, size_t cbDest, PCUNICODE_STRING SourceString,
                                           NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcbRemaining, ULONG dwFlags)
{
    size_t Cch = 0;
    NTSTATUS Status = RtlStringCchCatUnicodeStringEx(pszDest, NTPS_CB_CCHW(cbDest), SourceString, ppszDestEnd, &Cch,
                                                     dwFlags);
    NTPS_STRSAFE_CB_REMAINING(Status, pcbRemaining, Cch);
    return Status;
}
NTSTRSAFEDDI RtlStringCbCopyUnicodeString(NTSTRSAFE_PWSTR pszDest, size_t cbDest, PCUNICODE_STRING SourceString)
{
    return RtlStringCbCopyUnicodeStringEx(pszDest, cbDest, SourceString, NULL, NULL, 0);
}
NTSTRSAFEDDI RtlStringCbCatUnicodeString(NTSTRSAFE_PWSTR pszDest, size_t cbDest, PCUNICODE_STRING SourceString)
{
    return RtlStringCbCatUnicodeStringEx(pszDest, cbDest, SourceString, NULL, NULL, 0);
}

#endif /* _NTPS_DDK_STRSAFE_UNICODE_H */
