/*
 * ntstrsafe.h - the kernel's safe string routines, as the WDK documents
 * them: bounded copy, concatenation, length and printf over NUL-terminated
 * strings (A: 8-bit, W: 16-bit WCHAR) and over UNICODE_STRINGs. All inline,
 * as in the WDK; the printf routines call the kernel's _vsnprintf and
 * _vsnwprintf (rtl/printf.c). Written for ntps; see include/README.md.
 *
 * Contract (every routine): a destination size of 0 or above
 * NTSTRSAFE_MAX_CCH characters is STATUS_INVALID_PARAMETER (the destination
 * is emptied when its size is not 0); output that does not fit is cut and
 * NUL-terminated and the routine returns STATUS_BUFFER_OVERFLOW; a Cat onto
 * a destination with no NUL within its size is STATUS_INVALID_PARAMETER.
 * Cb routines take byte counts, Cch routines character counts.
 * UNICODE_STRING routines need not NUL-terminate and fill the destination
 * up to MaximumLength on overflow. The Ex forms (end pointer, remaining
 * count, STRSAFE_* flags), the UNICODE_STRING N and Ex forms and the
 * UNICODE_STRING <-> string copies are in ddk/strsafe_ex.h and
 * ddk/strsafe_unicode.h, included at the end.
 */
#ifndef _NTSTRSAFE_H_INCLUDED_
#define _NTSTRSAFE_H_INCLUDED_

#include <ntdef.h>
#include <ntstatus.h>
#include <stdarg.h>

NTPS_BEGIN_DECLS

#define NTSTRSAFE_MAX_CCH 2147483647
#define NTSTRSAFE_MAX_LENGTH (NTSTRSAFE_MAX_CCH - 1)
#define NTSTRSAFE_UNICODE_STRING_MAX_CCH 32767

typedef char *NTSTRSAFE_PSTR;
typedef const char *NTSTRSAFE_PCSTR;
typedef WCHAR *NTSTRSAFE_PWSTR;
typedef const WCHAR *NTSTRSAFE_PCWSTR;
typedef const WCHAR *NTSTRSAFE_PCUWSTR;

#define NTSTRSAFEDDI static inline NTSTATUS
#define NTSTRSAFEWORKERDDI static inline NTSTATUS

/* The kernel CRT's counted printf routines (Microsoft return contract). */
NTSYSAPI int _vsnprintf(char *Buffer, size_t Count, const char *Format, va_list Args);
NTSYSAPI int _vsnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, va_list Args);
NTSYSAPI int _snprintf(char *Buffer, size_t Count, const char *Format, ...);
NTSYSAPI int _snwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, ...);

/* ---- workers: one per operation and character size ----------------------- */
#define NTPS_STRSAFE_WORKERS(Sfx, Ch)                                                                            \
    NTSTRSAFEWORKERDDI RtlpStrValidate##Sfx(Ch *Dest, size_t Cch)                                                \
    {                                                                                                             \
        if (Cch == 0 || Cch > NTSTRSAFE_MAX_CCH) {                                                                \
            if (Cch != 0 && Dest != NULL)                                                                         \
                *Dest = 0;                                                                                        \
            return STATUS_INVALID_PARAMETER;                                                                      \
        }                                                                                                         \
        return Dest == NULL ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;                                          \
    }                                                                                                             \
    NTSTRSAFEWORKERDDI RtlpStrCopy##Sfx(Ch *Dest, size_t Cch, const Ch *Src, size_t Max)                          \
    {                                                                                                             \
        while (Cch > 1 && Max > 0 && *Src != 0) {                                                                \
            *Dest++ = *Src++;                                                                                     \
            Cch--;                                                                                                \
            Max--;                                                                                                \
        }                                                                                                         \
        *Dest = 0;                                                                                                \
        return (Max > 0 && *Src != 0) ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;                                  \
    }                                                                                                             \
    NTSTRSAFEWORKERDDI RtlpStrLength##Sfx(const Ch *Str, size_t Max, size_t *Length)                             \
    {                                                                                                             \
        size_t N = 0;                                                                                             \
        while (N < Max && Str[N] != 0)                                                                            \
            N++;                                                                                                  \
        if (Length != NULL)                                                                                       \
            *Length = N < Max ? N : 0;                                                                            \
        return N < Max ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;                                               \
    }                                                                                                             \
    NTSTRSAFEWORKERDDI RtlpStrCopyChecked##Sfx(Ch *Dest, size_t Cch, const Ch *Src, size_t Max)                   \
    {                                                                                                             \
        NTSTATUS Status = RtlpStrValidate##Sfx(Dest, Cch);                                                        \
        if (!NT_SUCCESS(Status))                                                                                  \
            return Status;                                                                                        \
        if (Max > NTSTRSAFE_MAX_CCH) {                                                                            \
            *Dest = 0;                                                                                            \
            return STATUS_INVALID_PARAMETER;                                                                      \
        }                                                                                                         \
        return RtlpStrCopy##Sfx(Dest, Cch, Src != NULL ? Src : (const Ch *)"\0\0", Max);                          \
    }                                                                                                             \
    NTSTRSAFEWORKERDDI RtlpStrCat##Sfx(Ch *Dest, size_t Cch, const Ch *Src, size_t Max)                           \
    {                                                                                                             \
        size_t Used;                                                                                              \
        if (Cch == 0 || Cch > NTSTRSAFE_MAX_CCH || Dest == NULL || Max > NTSTRSAFE_MAX_CCH)                        \
            return STATUS_INVALID_PARAMETER;                                                                      \
        if (!NT_SUCCESS(RtlpStrLength##Sfx(Dest, Cch, &Used)))                                                    \
            return STATUS_INVALID_PARAMETER;                                                                      \
        return RtlpStrCopy##Sfx(Dest + Used, Cch - Used, Src != NULL ? Src : (const Ch *)"\0\0", Max);           \
    }

NTPS_STRSAFE_WORKERS(A, char)
NTPS_STRSAFE_WORKERS(W, WCHAR)

NTSTRSAFEWORKERDDI RtlpStrVPrintfA(char *Dest, size_t Cch, const char *Format, va_list Args)
{
    NTSTATUS Status = RtlpStrValidateA(Dest, Cch);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Format == NULL) {
        *Dest = 0;
        return STATUS_INVALID_PARAMETER;
    }
    int Written = _vsnprintf(Dest, Cch - 1, Format, Args);
    if (Written < 0 || (size_t)Written > Cch - 1) {
        Dest[Cch - 1] = 0;
        return STATUS_BUFFER_OVERFLOW;
    }
    Dest[Written] = 0;
    return STATUS_SUCCESS;
}

NTSTRSAFEWORKERDDI RtlpStrVPrintfW(WCHAR *Dest, size_t Cch, const WCHAR *Format, va_list Args)
{
    NTSTATUS Status = RtlpStrValidateW(Dest, Cch);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Format == NULL) {
        *Dest = 0;
        return STATUS_INVALID_PARAMETER;
    }
    int Written = _vsnwprintf(Dest, Cch - 1, Format, Args);
    if (Written < 0 || (size_t)Written > Cch - 1) {
        Dest[Cch - 1] = 0;
        return STATUS_BUFFER_OVERFLOW;
    }
    Dest[Written] = 0;
    return STATUS_SUCCESS;
}

/* Byte counts of W routines: odd sizes round down, as documented. */
#define NTPS_CB_TO_CCHW(Cb) ((Cb) / sizeof(WCHAR))
#define NTPS_CB_MAXW ((size_t)NTSTRSAFE_MAX_CCH * sizeof(WCHAR))

/* ---- copy ------------------------------------------------------------------ */
NTSTRSAFEDDI RtlStringCchCopyA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
    return RtlpStrCopyCheckedA(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH);
}
NTSTRSAFEDDI RtlStringCchCopyW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return RtlpStrCopyCheckedW(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH);
}
NTSTRSAFEDDI RtlStringCbCopyA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
    return RtlpStrCopyCheckedA(pszDest, cbDest, pszSrc, NTSTRSAFE_MAX_CCH);
}
NTSTRSAFEDDI RtlStringCbCopyW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return RtlpStrCopyCheckedW(pszDest, cbDest > NTPS_CB_MAXW ? cbDest : NTPS_CB_TO_CCHW(cbDest), pszSrc,
                               NTSTRSAFE_MAX_CCH);
}
NTSTRSAFEDDI RtlStringCchCopyNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc, size_t cchToCopy)
{
    return RtlpStrCopyCheckedA(pszDest, cchDest, pszSrc, cchToCopy);
}
NTSTRSAFEDDI RtlStringCchCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc, size_t cchToCopy)
{
    return RtlpStrCopyCheckedW(pszDest, cchDest, pszSrc, cchToCopy);
}
NTSTRSAFEDDI RtlStringCbCopyNA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc, size_t cbToCopy)
{
    return RtlpStrCopyCheckedA(pszDest, cbDest, pszSrc, cbToCopy);
}
NTSTRSAFEDDI RtlStringCbCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc, size_t cbToCopy)
{
    return RtlpStrCopyCheckedW(pszDest, cbDest > NTPS_CB_MAXW ? cbDest : NTPS_CB_TO_CCHW(cbDest), pszSrc,
                               cbToCopy > NTPS_CB_MAXW ? cbToCopy : NTPS_CB_TO_CCHW(cbToCopy));
}

/* ---- concatenate ----------------------------------------------------------- */
NTSTRSAFEDDI RtlStringCchCatA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
    return RtlpStrCatA(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH);
}
NTSTRSAFEDDI RtlStringCchCatW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return RtlpStrCatW(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH);
}
NTSTRSAFEDDI RtlStringCbCatA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
    return RtlpStrCatA(pszDest, cbDest, pszSrc, NTSTRSAFE_MAX_CCH);
}
NTSTRSAFEDDI RtlStringCbCatW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return RtlpStrCatW(pszDest, cbDest > NTPS_CB_MAXW ? cbDest : NTPS_CB_TO_CCHW(cbDest), pszSrc, NTSTRSAFE_MAX_CCH);
}
NTSTRSAFEDDI RtlStringCchCatNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc, size_t cchToAppend)
{
    return RtlpStrCatA(pszDest, cchDest, pszSrc, cchToAppend);
}
NTSTRSAFEDDI RtlStringCchCatNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc, size_t cchToAppend)
{
    return RtlpStrCatW(pszDest, cchDest, pszSrc, cchToAppend);
}
NTSTRSAFEDDI RtlStringCbCatNA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc, size_t cbToAppend)
{
    return RtlpStrCatA(pszDest, cbDest, pszSrc, cbToAppend);
}
NTSTRSAFEDDI RtlStringCbCatNW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc, size_t cbToAppend)
{
    return RtlpStrCatW(pszDest, cbDest > NTPS_CB_MAXW ? cbDest : NTPS_CB_TO_CCHW(cbDest), pszSrc,
                       cbToAppend > NTPS_CB_MAXW ? cbToAppend : NTPS_CB_TO_CCHW(cbToAppend));
}

/* ---- length: STATUS_INVALID_PARAMETER (and 0) when there is no NUL within the bound */
NTSTRSAFEDDI RtlStringCchLengthA(NTSTRSAFE_PCSTR psz, size_t cchMax, size_t *pcchLength)
{
    if (psz == NULL || cchMax > NTSTRSAFE_MAX_CCH) {
        if (pcchLength != NULL)
            *pcchLength = 0;
        return STATUS_INVALID_PARAMETER;
    }
    return RtlpStrLengthA(psz, cchMax, pcchLength);
}
NTSTRSAFEDDI RtlStringCchLengthW(NTSTRSAFE_PCWSTR psz, size_t cchMax, size_t *pcchLength)
{
    if (psz == NULL || cchMax > NTSTRSAFE_MAX_CCH) {
        if (pcchLength != NULL)
            *pcchLength = 0;
        return STATUS_INVALID_PARAMETER;
    }
    return RtlpStrLengthW(psz, cchMax, pcchLength);
}
NTSTRSAFEDDI RtlStringCbLengthA(NTSTRSAFE_PCSTR psz, size_t cbMax, size_t *pcbLength)
{
    return RtlStringCchLengthA(psz, cbMax, pcbLength);
}
NTSTRSAFEDDI RtlStringCbLengthW(NTSTRSAFE_PCWSTR psz, size_t cbMax, size_t *pcbLength)
{
    size_t Cch = 0;
    NTSTATUS Status = RtlStringCchLengthW(psz, cbMax > NTPS_CB_MAXW ? cbMax : NTPS_CB_TO_CCHW(cbMax), &Cch);
    if (pcbLength != NULL)
        *pcbLength = Cch * sizeof(WCHAR);
    return Status;
}

/* ---- printf ---------------------------------------------------------------- */
NTSTRSAFEDDI RtlStringCchVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, va_list argList)
{
    return RtlpStrVPrintfA(pszDest, cchDest, pszFormat, argList);
}
NTSTRSAFEDDI RtlStringCchVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    return RtlpStrVPrintfW(pszDest, cchDest, pszFormat, argList);
}
NTSTRSAFEDDI RtlStringCbVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, va_list argList)
{
    return RtlpStrVPrintfA(pszDest, cbDest, pszFormat, argList);
}
NTSTRSAFEDDI RtlStringCbVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    return RtlpStrVPrintfW(pszDest, cbDest > NTPS_CB_MAXW ? cbDest : NTPS_CB_TO_CCHW(cbDest), pszFormat, argList);
}
#define NTPS_STRSAFE_VARARGS(Call)          \
    {                                       \
        va_list Args;                       \
        va_start(Args, pszFormat);          \
        NTSTATUS Status = Call;             \
        va_end(Args);                       \
        return Status;                      \
    }
NTSTRSAFEDDI RtlStringCchPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, ...)
    NTPS_STRSAFE_VARARGS(RtlpStrVPrintfA(pszDest, cchDest, pszFormat, Args))
NTSTRSAFEDDI RtlStringCchPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, ...)
    NTPS_STRSAFE_VARARGS(RtlpStrVPrintfW(pszDest, cchDest, pszFormat, Args))
NTSTRSAFEDDI RtlStringCbPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, ...)
    NTPS_STRSAFE_VARARGS(RtlpStrVPrintfA(pszDest, cbDest, pszFormat, Args))
NTSTRSAFEDDI RtlStringCbPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, ...)
    NTPS_STRSAFE_VARARGS(RtlpStrVPrintfW(pszDest, cbDest > NTPS_CB_MAXW ? cbDest : NTPS_CB_TO_CCHW(cbDest),
                                         pszFormat, Args))

/* ---- UNICODE_STRING -------------------------------------------------------- */
/* A valid destination: even lengths, Length <= MaximumLength <= 65534, a
 * buffer unless MaximumLength is 0. */
NTSTRSAFEDDI RtlUnicodeStringValidate(PCUNICODE_STRING SourceString)
{
    if (SourceString == NULL || (SourceString->Length & 1) || (SourceString->MaximumLength & 1) ||
        SourceString->Length > SourceString->MaximumLength ||
        (SourceString->Buffer == NULL && SourceString->MaximumLength != 0))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}
NTSTRSAFEDDI RtlUnicodeStringInit(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
    size_t Cch = 0;
    if (DestinationString == NULL)
        return STATUS_INVALID_PARAMETER;
    DestinationString->Length = DestinationString->MaximumLength = 0;
    DestinationString->Buffer = (PWSTR)pszSrc;
    if (pszSrc == NULL)
        return STATUS_SUCCESS;
    if (!NT_SUCCESS(RtlpStrLengthW(pszSrc, NTSTRSAFE_UNICODE_STRING_MAX_CCH, &Cch))) {
        DestinationString->Buffer = NULL;
        return STATUS_INVALID_PARAMETER;
    }
    DestinationString->Length = (USHORT)(Cch * sizeof(WCHAR));
    DestinationString->MaximumLength = (USHORT)((Cch + 1) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}
/* Appends Count units of Src at Offset units into Dest (no NUL). */
NTSTRSAFEWORKERDDI RtlpUnicodeStringPut(PUNICODE_STRING Dest, size_t Offset, const WCHAR *Src, size_t Count)
{
    size_t Room = Dest->MaximumLength / sizeof(WCHAR) - Offset, N = Count < Room ? Count : Room;
    for (size_t i = 0; i < N; i++)
        Dest->Buffer[Offset + i] = Src[i];
    Dest->Length = (USHORT)((Offset + N) * sizeof(WCHAR));
    return N < Count ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}
NTSTRSAFEDDI RtlUnicodeStringCopy(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (!NT_SUCCESS(RtlUnicodeStringValidate(DestinationString)) || !NT_SUCCESS(RtlUnicodeStringValidate(SourceString)))
        return STATUS_INVALID_PARAMETER;
    return RtlpUnicodeStringPut(DestinationString, 0, SourceString->Buffer, SourceString->Length / sizeof(WCHAR));
}
NTSTRSAFEDDI RtlUnicodeStringCat(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (!NT_SUCCESS(RtlUnicodeStringValidate(DestinationString)) || !NT_SUCCESS(RtlUnicodeStringValidate(SourceString)))
        return STATUS_INVALID_PARAMETER;
    return RtlpUnicodeStringPut(DestinationString, DestinationString->Length / sizeof(WCHAR), SourceString->Buffer,
                                SourceString->Length / sizeof(WCHAR));
}
NTSTRSAFEDDI RtlUnicodeStringCopyString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
    size_t Cch = 0;
    if (!NT_SUCCESS(RtlUnicodeStringValidate(DestinationString)) || pszSrc == NULL)
        return STATUS_INVALID_PARAMETER;
    RtlpStrLengthW(pszSrc, NTSTRSAFE_MAX_CCH, &Cch);
    return RtlpUnicodeStringPut(DestinationString, 0, pszSrc, Cch);
}
NTSTRSAFEDDI RtlUnicodeStringCatString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
    size_t Cch = 0;
    if (!NT_SUCCESS(RtlUnicodeStringValidate(DestinationString)) || pszSrc == NULL)
        return STATUS_INVALID_PARAMETER;
    RtlpStrLengthW(pszSrc, NTSTRSAFE_MAX_CCH, &Cch);
    return RtlpUnicodeStringPut(DestinationString, DestinationString->Length / sizeof(WCHAR), pszSrc, Cch);
}
NTSTRSAFEDDI RtlUnicodeStringVPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    if (!NT_SUCCESS(RtlUnicodeStringValidate(DestinationString)) || pszFormat == NULL)
        return STATUS_INVALID_PARAMETER;
    size_t Cch = DestinationString->MaximumLength / sizeof(WCHAR);
    WCHAR Empty[1];
    int Written = _vsnwprintf(Cch != 0 ? DestinationString->Buffer : Empty, Cch, pszFormat, argList);
    if (Written < 0) {
        DestinationString->Length = (USHORT)(Cch * sizeof(WCHAR));
        return STATUS_BUFFER_OVERFLOW;
    }
    DestinationString->Length = (USHORT)((size_t)Written * sizeof(WCHAR));
    return STATUS_SUCCESS;
}
NTSTRSAFEDDI RtlUnicodeStringPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat, ...)
    NTPS_STRSAFE_VARARGS(RtlUnicodeStringVPrintf(DestinationString, pszFormat, Args))

#include <ddk/strsafe_ex.h>

NTPS_END_DECLS

#endif /* _NTSTRSAFE_H_INCLUDED_ */
