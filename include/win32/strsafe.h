/*
 * win32/strsafe.h - the user-mode safe string routines (StringCch*,
 * StringCb*): the kernel's ntstrsafe.h routines with HRESULT results, as
 * the SDK documents them: S_OK, STRSAFE_E_INSUFFICIENT_BUFFER (the result
 * is cut and terminated), STRSAFE_E_INVALID_PARAMETER.
 */
#ifndef _STRSAFE_H_INCLUDED_
#define _STRSAFE_H_INCLUDED_

#include <windows.h>
#include <ntstrsafe.h>

#define STRSAFE_MAX_CCH NTSTRSAFE_MAX_CCH
#define STRSAFE_E_INSUFFICIENT_BUFFER ((HRESULT)0x8007007AL)
#define STRSAFE_E_INVALID_PARAMETER ((HRESULT)0x80070057L)
#define STRSAFE_E_END_OF_FILE ((HRESULT)0x80070026L)

static inline HRESULT StrSafeResult(NTSTATUS Status)
{
    return NT_SUCCESS(Status) ? S_OK
         : Status == STATUS_BUFFER_OVERFLOW ? STRSAFE_E_INSUFFICIENT_BUFFER : STRSAFE_E_INVALID_PARAMETER;
}

#define NTPS_STRSAFE_USER(Name, Params, Args)                                                                    \
    static inline HRESULT Name Params { return StrSafeResult(Rtl##Name Args); }
NTPS_STRSAFE_USER(StringCchCopyA, (char *d, size_t n, const char *s), (d, n, s))
NTPS_STRSAFE_USER(StringCchCopyW, (wchar_t *d, size_t n, const wchar_t *s), (d, n, s))
NTPS_STRSAFE_USER(StringCbCopyA, (char *d, size_t n, const char *s), (d, n, s))
NTPS_STRSAFE_USER(StringCbCopyW, (wchar_t *d, size_t n, const wchar_t *s), (d, n, s))
NTPS_STRSAFE_USER(StringCchCopyNA, (char *d, size_t n, const char *s, size_t m), (d, n, s, m))
NTPS_STRSAFE_USER(StringCchCopyNW, (wchar_t *d, size_t n, const wchar_t *s, size_t m), (d, n, s, m))
NTPS_STRSAFE_USER(StringCbCopyNA, (char *d, size_t n, const char *s, size_t m), (d, n, s, m))
NTPS_STRSAFE_USER(StringCbCopyNW, (wchar_t *d, size_t n, const wchar_t *s, size_t m), (d, n, s, m))
NTPS_STRSAFE_USER(StringCchCatA, (char *d, size_t n, const char *s), (d, n, s))
NTPS_STRSAFE_USER(StringCchCatW, (wchar_t *d, size_t n, const wchar_t *s), (d, n, s))
NTPS_STRSAFE_USER(StringCbCatA, (char *d, size_t n, const char *s), (d, n, s))
NTPS_STRSAFE_USER(StringCbCatW, (wchar_t *d, size_t n, const wchar_t *s), (d, n, s))
NTPS_STRSAFE_USER(StringCchLengthA, (const char *s, size_t n, size_t *l), (s, n, l))
NTPS_STRSAFE_USER(StringCchLengthW, (const wchar_t *s, size_t n, size_t *l), (s, n, l))
NTPS_STRSAFE_USER(StringCbLengthA, (const char *s, size_t n, size_t *l), (s, n, l))
NTPS_STRSAFE_USER(StringCbLengthW, (const wchar_t *s, size_t n, size_t *l), (s, n, l))
NTPS_STRSAFE_USER(StringCchVPrintfA, (char *d, size_t n, const char *f, va_list a), (d, n, f, a))
NTPS_STRSAFE_USER(StringCchVPrintfW, (wchar_t *d, size_t n, const wchar_t *f, va_list a), (d, n, f, a))
NTPS_STRSAFE_USER(StringCbVPrintfA, (char *d, size_t n, const char *f, va_list a), (d, n, f, a))
NTPS_STRSAFE_USER(StringCbVPrintfW, (wchar_t *d, size_t n, const wchar_t *f, va_list a), (d, n, f, a))

#define NTPS_STRSAFE_USER_PRINTF(Name, Ch)                                                                       \
    static inline HRESULT Name##Printf##Ch##_(Ch##_T *d, size_t n, const Ch##_T *f, ...)                        \
    {                                                                                                            \
        va_list a;                                                                                               \
        va_start(a, f);                                                                                          \
        HRESULT r = Name##VPrintf##Ch(d, n, f, a);                                                               \
        va_end(a);                                                                                               \
        return r;                                                                                                \
    }
typedef char A_T;
typedef wchar_t W_T;
NTPS_STRSAFE_USER_PRINTF(StringCch, A)
NTPS_STRSAFE_USER_PRINTF(StringCch, W)
NTPS_STRSAFE_USER_PRINTF(StringCb, A)
NTPS_STRSAFE_USER_PRINTF(StringCb, W)
#define StringCchPrintfA StringCchPrintfA_
#define StringCchPrintfW StringCchPrintfW_
#define StringCbPrintfA StringCbPrintfA_
#define StringCbPrintfW StringCbPrintfW_

#ifdef UNICODE
#define StringCchCopy StringCchCopyW
#define StringCbCopy StringCbCopyW
#define StringCchCopyN StringCchCopyNW
#define StringCbCopyN StringCbCopyNW
#define StringCchCat StringCchCatW
#define StringCbCat StringCbCatW
#define StringCchLength StringCchLengthW
#define StringCbLength StringCbLengthW
#define StringCchPrintf StringCchPrintfW
#define StringCbPrintf StringCbPrintfW
#define StringCchVPrintf StringCchVPrintfW
#define StringCbVPrintf StringCbVPrintfW
#else
#define StringCchCopy StringCchCopyA
#define StringCbCopy StringCbCopyA
#define StringCchCopyN StringCchCopyNA
#define StringCbCopyN StringCbCopyNA
#define StringCchCat StringCchCatA
#define StringCbCat StringCbCatA
#define StringCchLength StringCchLengthA
#define StringCbLength StringCbLengthA
#define StringCchPrintf StringCchPrintfA
#define StringCbPrintf StringCbPrintfA
#define StringCchVPrintf StringCchVPrintfA
#define StringCbVPrintf StringCbVPrintfA
#endif

#endif
