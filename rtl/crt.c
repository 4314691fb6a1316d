/*
 * rtl/crt.c - the C run-time string routines the Windows kernel exports to
 * drivers, for 16-bit wchar_t.
 *
 * Drivers build with -fshort-wchar, but glibc's wcs* and wmem* routines are
 * built for a 32-bit wchar_t: a driver's wcslen(L"abc") bound to glibc reads
 * pairs of UTF-16 units as one character and returns nonsense. The ntps
 * executable defines these names itself (exported, so a driver module binds
 * to them before glibc's, whether it declared them through <wchar.h> or
 * through ntddk.h), with glibc's prototypes: the kernel is built with
 * -fshort-wchar too. Also the Microsoft-only names glibc lacks (_wcsicmp,
 * _stricmp, the *_s forms). Case folding: RtlDowncaseUnicodeChar for wide
 * text, ASCII for narrow text (the "C" locale of the kernel CRT).
 *
 * The *_s forms follow the CRT contract: 0 on success; EINVAL for a NULL
 * destination or source or a zero size; ERANGE when the result does not fit
 * (destination set to an empty string). The kernel CRT would then call its
 * invalid-parameter handler; ntps returns the error.
 */
#include "rtl/rtl.h"

#include <errno.h>
#include <string.h>
#include <wchar.h>

#ifndef STRUNCATE
#define STRUNCATE 80
#endif

#define RTLP_CRT NTPS_EXPORT

/* ---- wide strings --------------------------------------------------------- */

RTLP_CRT size_t wcslen(const wchar_t *s)
{
    const wchar_t *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

RTLP_CRT size_t wcsnlen(const wchar_t *s, size_t maxlen)
{
    size_t n = 0;
    while (n < maxlen && s[n])
        n++;
    return n;
}

RTLP_CRT wchar_t *wcscpy(wchar_t *dest, const wchar_t *src)
{
    wchar_t *d = dest;
    while ((*d++ = *src++) != 0)
        ;
    return dest;
}

RTLP_CRT wchar_t *wcsncpy(wchar_t *dest, const wchar_t *src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dest[i] = src[i];
    for (; i < n; i++)
        dest[i] = 0;
    return dest;
}

RTLP_CRT wchar_t *wcscat(wchar_t *dest, const wchar_t *src)
{
    wcscpy(dest + wcslen(dest), src);
    return dest;
}

RTLP_CRT wchar_t *wcsncat(wchar_t *dest, const wchar_t *src, size_t n)
{
    wchar_t *d = dest + wcslen(dest);
    size_t i = 0;
    for (; i < n && src[i]; i++)
        d[i] = src[i];
    d[i] = 0;
    return dest;
}

RTLP_CRT int wcscmp(const wchar_t *s1, const wchar_t *s2)
{
    const USHORT *a = (const USHORT *)s1, *b = (const USHORT *)s2;
    while (*a && *a == *b)
        a++, b++;
    return (int)*a - (int)*b;
}

RTLP_CRT int wcsncmp(const wchar_t *s1, const wchar_t *s2, size_t n)
{
    const USHORT *a = (const USHORT *)s1, *b = (const USHORT *)s2;
    for (; n != 0; n--, a++, b++) {
        if (*a != *b || *a == 0)
            return (int)*a - (int)*b;
    }
    return 0;
}

static inline int RtlpFoldWide(wchar_t c)
{
    return (int)(USHORT)RtlDowncaseUnicodeChar((WCHAR)c);
}

RTLP_CRT int _wcsicmp(const wchar_t *s1, const wchar_t *s2)
{
    int a, b;
    do {
        a = RtlpFoldWide(*s1++);
        b = RtlpFoldWide(*s2++);
    } while (a != 0 && a == b);
    return a - b;
}

RTLP_CRT int _wcsnicmp(const wchar_t *s1, const wchar_t *s2, size_t n)
{
    for (; n != 0; n--) {
        int a = RtlpFoldWide(*s1++), b = RtlpFoldWide(*s2++);
        if (a != b || a == 0)
            return a - b;
    }
    return 0;
}

RTLP_CRT wchar_t *wcschr(const wchar_t *s, wchar_t c)
{
    for (;; s++) {
        if (*s == c)
            return (wchar_t *)s;
        if (*s == 0)
            return NULL;
    }
}

RTLP_CRT wchar_t *wcsrchr(const wchar_t *s, wchar_t c)
{
    const wchar_t *last = NULL;
    for (;; s++) {
        if (*s == c)
            last = s;
        if (*s == 0)
            return (wchar_t *)last;
    }
}

RTLP_CRT wchar_t *wcsstr(const wchar_t *haystack, const wchar_t *needle)
{
    size_t n = wcslen(needle);
    if (n == 0)
        return (wchar_t *)haystack;
    for (; *haystack; haystack++)
        if (*haystack == *needle && wcsncmp(haystack, needle, n) == 0)
            return (wchar_t *)haystack;
    return NULL;
}

RTLP_CRT size_t wcsspn(const wchar_t *s, const wchar_t *accept)
{
    size_t n = 0;
    while (s[n] && wcschr(accept, s[n]) != NULL)
        n++;
    return n;
}

RTLP_CRT size_t wcscspn(const wchar_t *s, const wchar_t *reject)
{
    size_t n = 0;
    while (s[n] && wcschr(reject, s[n]) == NULL)
        n++;
    return n;
}

RTLP_CRT wchar_t *wcspbrk(const wchar_t *s, const wchar_t *accept)
{
    s += wcscspn(s, accept);
    return *s ? (wchar_t *)s : NULL;
}

RTLP_CRT wchar_t *_wcslwr(wchar_t *s)
{
    for (wchar_t *p = s; *p; p++)
        *p = (wchar_t)RtlDowncaseUnicodeChar((WCHAR)*p);
    return s;
}

RTLP_CRT wchar_t *_wcsupr(wchar_t *s)
{
    for (wchar_t *p = s; *p; p++)
        *p = (wchar_t)RtlUpcaseUnicodeChar((WCHAR)*p);
    return s;
}

/* ---- wide memory ------------------------------------------------------------ */

RTLP_CRT wchar_t *wmemcpy(wchar_t *dest, const wchar_t *src, size_t n)
{
    return memcpy(dest, src, n * sizeof(wchar_t));
}

RTLP_CRT wchar_t *wmemmove(wchar_t *dest, const wchar_t *src, size_t n)
{
    return memmove(dest, src, n * sizeof(wchar_t));
}

RTLP_CRT wchar_t *wmemset(wchar_t *s, wchar_t c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = c;
    return s;
}

RTLP_CRT int wmemcmp(const wchar_t *s1, const wchar_t *s2, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s1[i] != s2[i])
            return (USHORT)s1[i] < (USHORT)s2[i] ? -1 : 1;
    return 0;
}

RTLP_CRT wchar_t *wmemchr(const wchar_t *s, wchar_t c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == c)
            return (wchar_t *)&s[i];
    return NULL;
}

/* ---- wide numbers ------------------------------------------------------------- */

static unsigned long long RtlpWideToInteger(const wchar_t *nptr, wchar_t **endptr, int base, int *negative,
                                            int *overflow)
{
    const wchar_t *s = nptr;
    unsigned long long value = 0;
    int any = 0;
    *negative = 0;
    *overflow = 0;
    while (*s == L' ' || (*s >= L'\t' && *s <= L'\r'))
        s++;
    if (*s == L'-' || *s == L'+')
        *negative = *s++ == L'-';
    if ((base == 0 || base == 16) && s[0] == L'0' && (s[1] == L'x' || s[1] == L'X')) {
        s += 2;
        base = 16;
    } else if (base == 0) {
        base = s[0] == L'0' ? 8 : 10;
    }
    if (base < 2 || base > 36) {
        if (endptr != NULL)
            *endptr = (wchar_t *)nptr;
        return 0;
    }
    for (;; s++) {
        int digit;
        if (*s >= L'0' && *s <= L'9') digit = *s - L'0';
        else if (*s >= L'a' && *s <= L'z') digit = *s - L'a' + 10;
        else if (*s >= L'A' && *s <= L'Z') digit = *s - L'A' + 10;
        else break;
        if (digit >= base)
            break;
        any = 1;
        if (value > (~0ULL - (unsigned)digit) / (unsigned)base)
            *overflow = 1;
        else
            value = value * (unsigned)base + (unsigned)digit;
    }
    if (endptr != NULL)
        *endptr = (wchar_t *)(any ? s : nptr);
    return value;
}

RTLP_CRT long wcstol(const wchar_t *nptr, wchar_t **endptr, int base)
{
    int negative, overflow;
    unsigned long long v = RtlpWideToInteger(nptr, endptr, base, &negative, &overflow);
    /* long is 64 bits here but 32 bits on Windows: clamp to the Windows range */
    if (overflow || (!negative && v > 0x7FFFFFFFULL))
        return 0x7FFFFFFFL;
    if (negative && v > 0x80000000ULL)
        return -0x7FFFFFFFL - 1;
    return negative ? -(long)v : (long)v;
}

RTLP_CRT unsigned long wcstoul(const wchar_t *nptr, wchar_t **endptr, int base)
{
    int negative, overflow;
    unsigned long long v = RtlpWideToInteger(nptr, endptr, base, &negative, &overflow);
    if (overflow || v > 0xFFFFFFFFULL)
        return 0xFFFFFFFFUL;
    return negative ? (unsigned long)(ULONG)(0U - (ULONG)v) : (unsigned long)v;
}

RTLP_CRT int _wtoi(const wchar_t *s)
{
    return (int)wcstol(s, NULL, 10);
}

RTLP_CRT long _wtol(const wchar_t *s)
{
    return wcstol(s, NULL, 10);
}

/* ---- the *_s forms, wide and narrow ---------------------------------------------- */

RTLP_CRT int wcscpy_s(wchar_t *dest, size_t size, const wchar_t *src)
{
    if (dest == NULL || size == 0)
        return EINVAL;
    if (src == NULL) {
        dest[0] = 0;
        return EINVAL;
    }
    size_t n = wcslen(src);
    if (n >= size) {
        dest[0] = 0;
        return ERANGE;
    }
    wmemcpy(dest, src, n + 1);
    return 0;
}

RTLP_CRT int wcscat_s(wchar_t *dest, size_t size, const wchar_t *src)
{
    if (dest == NULL || size == 0)
        return EINVAL;
    size_t have = wcsnlen(dest, size);
    if (src == NULL || have == size) {
        dest[0] = 0;
        return EINVAL;
    }
    size_t n = wcslen(src);
    if (have + n >= size) {
        dest[0] = 0;
        return ERANGE;
    }
    wmemcpy(dest + have, src, n + 1);
    return 0;
}

#define RTLP_TRUNCATE ((size_t)-1)      /* _TRUNCATE */

RTLP_CRT int wcsncpy_s(wchar_t *dest, size_t size, const wchar_t *src, size_t count)
{
    if (dest == NULL || size == 0)
        return EINVAL;
    if (src == NULL) {
        dest[0] = 0;
        return count == 0 ? 0 : EINVAL;
    }
    size_t n = wcsnlen(src, count == RTLP_TRUNCATE ? size : count);
    if (n >= size) {
        if (count == RTLP_TRUNCATE) {
            wmemcpy(dest, src, size - 1);
            dest[size - 1] = 0;
            return STRUNCATE;
        }
        dest[0] = 0;
        return ERANGE;
    }
    wmemcpy(dest, src, n);
    dest[n] = 0;
    return 0;
}

RTLP_CRT int wcsncat_s(wchar_t *dest, size_t size, const wchar_t *src, size_t count)
{
    if (dest == NULL || size == 0)
        return EINVAL;
    size_t have = wcsnlen(dest, size);
    if (have == size || (src == NULL && count != 0)) {
        dest[0] = 0;
        return EINVAL;
    }
    if (src == NULL)
        return 0;
    size_t n = wcsnlen(src, count == RTLP_TRUNCATE ? size : count);
    if (have + n >= size) {
        if (count == RTLP_TRUNCATE) {
            wmemcpy(dest + have, src, size - have - 1);
            dest[size - 1] = 0;
            return STRUNCATE;
        }
        dest[0] = 0;
        return ERANGE;
    }
    wmemcpy(dest + have, src, n);
    dest[have + n] = 0;
    return 0;
}

RTLP_CRT int strcpy_s(char *dest, size_t size, const char *src)
{
    if (dest == NULL || size == 0)
        return EINVAL;
    if (src == NULL) {
        dest[0] = 0;
        return EINVAL;
    }
    size_t n = strlen(src);
    if (n >= size) {
        dest[0] = 0;
        return ERANGE;
    }
    memcpy(dest, src, n + 1);
    return 0;
}

RTLP_CRT int strcat_s(char *dest, size_t size, const char *src)
{
    if (dest == NULL || size == 0)
        return EINVAL;
    size_t have = strnlen(dest, size);
    if (src == NULL || have == size) {
        dest[0] = 0;
        return EINVAL;
    }
    size_t n = strlen(src);
    if (have + n >= size) {
        dest[0] = 0;
        return ERANGE;
    }
    memcpy(dest + have, src, n + 1);
    return 0;
}

RTLP_CRT int strncpy_s(char *dest, size_t size, const char *src, size_t count)
{
    if (dest == NULL || size == 0)
        return EINVAL;
    if (src == NULL) {
        dest[0] = 0;
        return count == 0 ? 0 : EINVAL;
    }
    size_t n = strnlen(src, count == RTLP_TRUNCATE ? size : count);
    if (n >= size) {
        if (count == RTLP_TRUNCATE) {
            memcpy(dest, src, size - 1);
            dest[size - 1] = 0;
            return STRUNCATE;
        }
        dest[0] = 0;
        return ERANGE;
    }
    memcpy(dest, src, n);
    dest[n] = 0;
    return 0;
}

/* ---- narrow, Microsoft names ------------------------------------------------------ */

static inline int RtlpFoldNarrow(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 'A' && u <= 'Z' ? u + ('a' - 'A') : u;
}

RTLP_CRT int _stricmp(const char *s1, const char *s2)
{
    int a, b;
    do {
        a = RtlpFoldNarrow(*s1++);
        b = RtlpFoldNarrow(*s2++);
    } while (a != 0 && a == b);
    return a - b;
}

RTLP_CRT int _strnicmp(const char *s1, const char *s2, size_t n)
{
    for (; n != 0; n--) {
        int a = RtlpFoldNarrow(*s1++), b = RtlpFoldNarrow(*s2++);
        if (a != b || a == 0)
            return a - b;
    }
    return 0;
}

RTLP_CRT char *_strlwr(char *s)
{
    for (char *p = s; *p; p++)
        *p = (char)RtlpFoldNarrow(*p);
    return s;
}

RTLP_CRT char *_strupr(char *s)
{
    for (char *p = s; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - ('a' - 'A'));
    return s;
}
