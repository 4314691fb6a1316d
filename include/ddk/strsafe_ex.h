/*
 * ddk/strsafe_ex.h - the Ex forms of ntstrsafe.h's routines (end pointer,
 * remaining count, STRSAFE_* flags), the N forms of the UNICODE_STRING
 * routines and the conversions between UNICODE_STRING and NUL-terminated
 * strings. Included by ntstrsafe.h; written for ntps from the WDK
 * documentation of ntstrsafe.h.
 *
 * Flags (the low byte is the fill byte):
 *   STRSAFE_IGNORE_NULLS      a NULL source is ""; a NULL destination (size 0)
 *                             takes an empty result, a longer one overflows
 *   STRSAFE_FILL_BEHIND_NULL  on success, fill what follows the result
 *   STRSAFE_FILL_ON_FAILURE   on failure, fill the whole destination (and
 *                             NUL-terminate a string; a UNICODE_STRING gets Length 0)
 *   STRSAFE_NULL_ON_FAILURE   on failure, the destination is "" (Length 0)
 *   STRSAFE_NO_TRUNCATION     on overflow, no truncated result: a copy is
 *                             "", a concatenation keeps the original
 * Other bits are STATUS_INVALID_PARAMETER. The end pointer and remaining
 * count (which counts the terminating NUL) are set on success and on
 * STATUS_BUFFER_OVERFLOW.
 */
#ifndef _NTPS_DDK_STRSAFE_EX_H
#define _NTPS_DDK_STRSAFE_EX_H

#define STRSAFE_IGNORE_NULLS 0x00000100
#define STRSAFE_FILL_BEHIND_NULL 0x00000200
#define STRSAFE_FILL_ON_FAILURE 0x00000400
#define STRSAFE_NULL_ON_FAILURE 0x00000800
#define STRSAFE_NO_TRUNCATION 0x00001000
#define STRSAFE_FILL_BEHIND STRSAFE_FILL_BEHIND_NULL           /* UNICODE_STRING names */
#define STRSAFE_ZERO_LENGTH_ON_FAILURE STRSAFE_NULL_ON_FAILURE
#define STRSAFE_VALID_FLAGS (0x000000FF | STRSAFE_IGNORE_NULLS | STRSAFE_FILL_BEHIND_NULL | STRSAFE_FILL_ON_FAILURE | \
                             STRSAFE_NULL_ON_FAILURE | STRSAFE_NO_TRUNCATION)
#define STRSAFE_UNICODE_STRING_VALID_FLAGS STRSAFE_VALID_FLAGS
#define STRSAFE_FILL_BYTE(x) ((ULONG)(((x) & 0x000000FF) | STRSAFE_FILL_BEHIND_NULL))
#define STRSAFE_FAILURE_BYTE(x) ((ULONG)(((x) & 0x000000FF) | STRSAFE_FILL_ON_FAILURE))
#define STRSAFE_GET_FILL_PATTERN(dwFlags) ((int)((dwFlags) & 0x000000FF))

/* One worker per character size: a copy (Cat 0), a concatenation (Cat 1)
 * or a printf (Format set) into Dest, with the flags applied. */
#define NTPS_STRSAFE_EX_WORKER(Sfx, Ch, Vsn)                                                                    \
    NTSTRSAFEWORKERDDI RtlpStrEx##Sfx(Ch *Dest, size_t Cch, int Cat, const Ch *Src, size_t Max, const Ch *Format, \
                                      va_list *Args, Ch **End, size_t *Remaining, ULONG Flags)                 \
    {                                                                                                            \
        static const Ch Empty[1] = { 0 };                                                                        \
        NTSTATUS Status = STATUS_SUCCESS;                                                                        \
        size_t Used = 0, Keep = 0;                                                                               \
        int DestOk = Dest != NULL && Cch != 0 && Cch <= NTSTRSAFE_MAX_CCH;                                       \
        if ((Flags & ~(ULONG)STRSAFE_VALID_FLAGS) != 0 || Max > NTSTRSAFE_MAX_CCH)                               \
            Status = STATUS_INVALID_PARAMETER;                                                                   \
        else if (Dest == NULL ? (!(Flags & STRSAFE_IGNORE_NULLS) || Cch != 0) : !DestOk)                        \
            Status = STATUS_INVALID_PARAMETER;                                                                   \
        else if (Cat && Dest != NULL && !NT_SUCCESS(RtlpStrLength##Sfx(Dest, Cch, &Used)))                       \
            Status = STATUS_INVALID_PARAMETER;                                                                   \
        Keep = Used;                                                                                             \
        if (NT_SUCCESS(Status) && Args == NULL && Src == NULL)                                                   \
            Src = (Flags & STRSAFE_IGNORE_NULLS) ? Empty : NULL;                                                 \
        if (NT_SUCCESS(Status) && ((Args == NULL && Src == NULL) || (Args != NULL && Format == NULL)))           \
            Status = STATUS_INVALID_PARAMETER;                                                                   \
        if (NT_SUCCESS(Status) && Dest == NULL) {                                                                \
            if (Args != NULL ? Format[0] != 0 : (Max > 0 && Src[0] != 0))                                        \
                Status = STATUS_BUFFER_OVERFLOW;                                                                 \
        } else if (NT_SUCCESS(Status) && Args != NULL) {                                                         \
            int Written = Vsn(Dest + Used, Cch - Used - 1, Format, *Args);                                       \
            if (Written < 0 || (size_t)Written > Cch - Used - 1) {                                               \
                Used = Cch - 1;                                                                                  \
                Status = STATUS_BUFFER_OVERFLOW;                                                                 \
            } else {                                                                                             \
                Used += (size_t)Written;                                                                         \
            }                                                                                                    \
            Dest[Used] = 0;                                                                                      \
        } else if (NT_SUCCESS(Status)) {                                                                         \
            size_t i = 0;                                                                                        \
            while (i < Max && Src[i] != 0 && Used < Cch - 1)                                                     \
                Dest[Used++] = Src[i++];                                                                         \
            Dest[Used] = 0;                                                                                      \
            if (i < Max && Src[i] != 0)                                                                          \
                Status = STATUS_BUFFER_OVERFLOW;                                                                 \
        }                                                                                                        \
        if (DestOk && NT_SUCCESS(Status)) {                                                                      \
            if ((Flags & STRSAFE_FILL_BEHIND_NULL) && Used + 1 < Cch)                                            \
                memset(Dest + Used + 1, STRSAFE_GET_FILL_PATTERN(Flags), (Cch - Used - 1) * sizeof(Ch));          \
        } else if (DestOk) {                                                                                     \
            if (Flags & STRSAFE_FILL_ON_FAILURE) {                                                               \
                memset(Dest, STRSAFE_GET_FILL_PATTERN(Flags), Cch * sizeof(Ch));                                 \
                Used = Cch - 1;                                                                                  \
                Dest[Used] = 0;                                                                                  \
            } else if (Flags & STRSAFE_NULL_ON_FAILURE) {                                                        \
                Used = 0;                                                                                        \
                Dest[0] = 0;                                                                                     \
            } else if ((Flags & STRSAFE_NO_TRUNCATION) && Status == STATUS_BUFFER_OVERFLOW) {                     \
                Used = Cat ? Keep : 0;                                                                           \
                Dest[Used] = 0;                                                                                  \
            } else if (Status == STATUS_INVALID_PARAMETER && !Cat) {                                             \
                Dest[0] = 0;                                                                                     \
            }                                                                                                    \
        }                                                                                                        \
        if (NT_SUCCESS(Status) || Status == STATUS_BUFFER_OVERFLOW) {                                            \
            if (End != NULL)                                                                                     \
                *End = Dest != NULL ? Dest + Used : NULL;                                                        \
            if (Remaining != NULL)                                                                               \
                *Remaining = Cch - Used;                                                                         \
        }                                                                                                        \
        return Status;                                                                                           \
    }

NTPS_STRSAFE_EX_WORKER(A, char, _vsnprintf)
NTPS_STRSAFE_EX_WORKER(W, WCHAR, _vsnwprintf)

/* Byte counts of W routines; the remaining count goes back in bytes. */
#define NTPS_CB_CCHW(Cb) ((Cb) > NTPS_CB_MAXW ? (Cb) : NTPS_CB_TO_CCHW(Cb))
#define NTPS_STRSAFE_CB_REMAINING(Status, pcb, Cch)                                                               \
    do {                                                                                                         \
        if ((pcb) != NULL && (NT_SUCCESS(Status) || (Status) == STATUS_BUFFER_OVERFLOW))                        \
            *(pcb) = (Cch) * sizeof(WCHAR);                                                                      \
    } while (0)

/* ---- Copy, CopyN, Cat, CatN: Ex forms --------------------------------------------- */
#define NTPS_STRSAFE_EX_PAIR(Name, Cat, NArg, NVal)                                                               \
    NTSTRSAFEDDI RtlStringCch##Name##ExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc NArg,      \
                                         NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcchRemaining, ULONG dwFlags)        \
    {                                                                                                            \
        return RtlpStrExA(pszDest, cchDest, Cat, pszSrc, NVal, NULL, NULL, ppszDestEnd, pcchRemaining, dwFlags);  \
    }                                                                                                            \
    NTSTRSAFEDDI RtlStringCch##Name##ExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc NArg,    \
                                         NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcchRemaining, ULONG dwFlags)       \
    {                                                                                                            \
        return RtlpStrExW(pszDest, cchDest, Cat, pszSrc, NVal, NULL, NULL, ppszDestEnd, pcchRemaining, dwFlags);  \
    }                                                                                                            \
    NTSTRSAFEDDI RtlStringCb##Name##ExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc NArg,        \
                                        NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcbRemaining, ULONG dwFlags)          \
    {                                                                                                            \
        return RtlpStrExA(pszDest, cbDest, Cat, pszSrc, NVal, NULL, NULL, ppszDestEnd, pcbRemaining, dwFlags);    \
    }                                                                                                            \
    NTSTRSAFEDDI RtlStringCb##Name##ExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc NArg,      \
                                        NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcbRemaining, ULONG dwFlags)         \
    {                                                                                                            \
        size_t Cch = 0;                                                                                          \
        NTSTATUS Status = RtlpStrExW(pszDest, NTPS_CB_CCHW(cbDest), Cat, pszSrc, NTPS_CB_CCHW(NVal), NULL, NULL,  \
                                     ppszDestEnd, &Cch, dwFlags);                                                \
        NTPS_STRSAFE_CB_REMAINING(Status, pcbRemaining, Cch);                                                    \
        return Status;                                                                                           \
    }
#define NTPS_NO_N_ARG
#define NTPS_COMMA ,
NTPS_STRSAFE_EX_PAIR(Copy, 0, NTPS_NO_N_ARG, (size_t)NTSTRSAFE_MAX_CCH)
NTPS_STRSAFE_EX_PAIR(Cat, 1, NTPS_NO_N_ARG, (size_t)NTSTRSAFE_MAX_CCH)
NTPS_STRSAFE_EX_PAIR(CopyN, 0, NTPS_COMMA size_t cchToCopy, cchToCopy)
NTPS_STRSAFE_EX_PAIR(CatN, 1, NTPS_COMMA size_t cchToAppend, cchToAppend)

/* ---- printf: Ex forms ------------------------------------------------------------- */
NTSTRSAFEDDI RtlStringCchVPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PSTR *ppszDestEnd,
                                    size_t *pcchRemaining, ULONG dwFlags, NTSTRSAFE_PCSTR pszFormat, va_list argList)
{
    va_list Copy;
    va_copy(Copy, argList);
    NTSTATUS Status = RtlpStrExA(pszDest, cchDest, 0, NULL, 0, pszFormat, &Copy, ppszDestEnd, pcchRemaining, dwFlags);
    va_end(Copy);
    return Status;
}
NTSTRSAFEDDI RtlStringCchVPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PWSTR *ppszDestEnd,
                                    size_t *pcchRemaining, ULONG dwFlags, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    va_list Copy;
    va_copy(Copy, argList);
    NTSTATUS Status = RtlpStrExW(pszDest, cchDest, 0, NULL, 0, pszFormat, &Copy, ppszDestEnd, pcchRemaining, dwFlags);
    va_end(Copy);
    return Status;
}
NTSTRSAFEDDI RtlStringCbVPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PSTR *ppszDestEnd,
                                   size_t *pcbRemaining, ULONG dwFlags, NTSTRSAFE_PCSTR pszFormat, va_list argList)
{
    return RtlStringCchVPrintfExA(pszDest, cbDest, ppszDestEnd, pcbRemaining, dwFlags, pszFormat, argList);
}
NTSTRSAFEDDI RtlStringCbVPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PWSTR *ppszDestEnd,
                                   size_t *pcbRemaining, ULONG dwFlags, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    size_t Cch = 0;
    NTSTATUS Status = RtlStringCchVPrintfExW(pszDest, NTPS_CB_CCHW(cbDest), ppszDestEnd, &Cch, dwFlags, pszFormat,
                                             argList);
    NTPS_STRSAFE_CB_REMAINING(Status, pcbRemaining, Cch);
    return Status;
}
NTSTRSAFEDDI RtlStringCchPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PSTR *ppszDestEnd,
                                   size_t *pcchRemaining, ULONG dwFlags, NTSTRSAFE_PCSTR pszFormat, ...)
    NTPS_STRSAFE_VARARGS(RtlStringCchVPrintfExA(pszDest, cchDest, ppszDestEnd, pcchRemaining, dwFlags, pszFormat, Args))
NTSTRSAFEDDI RtlStringCchPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PWSTR *ppszDestEnd,
                                   size_t *pcchRemaining, ULONG dwFlags, NTSTRSAFE_PCWSTR pszFormat, ...)
    NTPS_STRSAFE_VARARGS(RtlStringCchVPrintfExW(pszDest, cchDest, ppszDestEnd, pcchRemaining, dwFlags, pszFormat, Args))
NTSTRSAFEDDI RtlStringCbPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PSTR *ppszDestEnd,
                                  size_t *pcbRemaining, ULONG dwFlags, NTSTRSAFE_PCSTR pszFormat, ...)
    NTPS_STRSAFE_VARARGS(RtlStringCbVPrintfExA(pszDest, cbDest, ppszDestEnd, pcbRemaining, dwFlags, pszFormat, Args))
NTSTRSAFEDDI RtlStringCbPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PWSTR *ppszDestEnd,
                                  size_t *pcbRemaining, ULONG dwFlags, NTSTRSAFE_PCWSTR pszFormat, ...)
    NTPS_STRSAFE_VARARGS(RtlStringCbVPrintfExW(pszDest, cbDest, ppszDestEnd, pcbRemaining, dwFlags, pszFormat, Args))

/* ---- unaligned lengths (x64: the same as the aligned ones) ------------------------- */
NTSTRSAFEDDI RtlUnalignedStringCchLengthW(NTSTRSAFE_PCUWSTR psz, size_t cchMax, size_t *pcchLength)
{
    return RtlStringCchLengthW(psz, cchMax, pcchLength);
}
NTSTRSAFEDDI RtlUnalignedStringCbLengthW(NTSTRSAFE_PCUWSTR psz, size_t cbMax, size_t *pcbLength)
{
    return RtlStringCbLengthW(psz, cbMax, pcbLength);
}

#include <ddk/strsafe_unicode.h>

#endif /* _NTPS_DDK_STRSAFE_EX_H */
