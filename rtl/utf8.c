/*
 * rtl/utf8.c - RtlUnicodeToUTF8N and RtlUTF8ToUnicodeN.
 *
 * As documented: with no destination the routines return the size the whole
 * output needs; an output that does not fit is cut at the last whole
 * character that fits and the result is STATUS_BUFFER_TOO_SMALL, with the
 * count of what was written; an input character that cannot be converted
 * becomes U+FFFD and the (successful) result is STATUS_SOME_NOT_MAPPED.
 * The output is NUL-terminated only when the input includes a NUL.
 *
 * Invalid input: an unpaired UTF-16 surrogate; in UTF-8 a byte that cannot
 * start a sequence, a sequence cut short, an overlong form, an encoded
 * surrogate or a value above U+10FFFF. UTF-8 is replaced by maximal
 * subpart (the Unicode Standard's recommendation): the longest prefix of a
 * valid sequence becomes one U+FFFD, and decoding resumes at the byte that
 * broke it.
 */
#include "rtl/rtl.h"

#define RTLP_REPLACEMENT 0xFFFD

static ULONG RtlpUtf8Length(ULONG CodePoint)
{
    return CodePoint < 0x80 ? 1 : CodePoint < 0x800 ? 2 : CodePoint < 0x10000 ? 3 : 4;
}

NTKERNELAPI NTSTATUS RtlUnicodeToUTF8N(PCHAR UTF8StringDestination, ULONG UTF8StringMaxByteCount,
                                       PULONG UTF8StringActualByteCount, PCWCH UnicodeStringSource,
                                       ULONG UnicodeStringByteCount)
{
    if (UTF8StringDestination == NULL && UTF8StringActualByteCount == NULL)
        return STATUS_INVALID_PARAMETER;
    if (UnicodeStringSource == NULL)
        return STATUS_INVALID_PARAMETER_4;
    if (UnicodeStringByteCount % sizeof(WCHAR) != 0)
        return STATUS_INVALID_PARAMETER_5;
    ULONG Count = UnicodeStringByteCount / sizeof(WCHAR), Written = 0;
    BOOLEAN Replaced = FALSE, TooSmall = FALSE;
    for (ULONG i = 0; i < Count; i++) {
        ULONG C = UnicodeStringSource[i];
        if (C >= 0xD800 && C <= 0xDBFF && i + 1 < Count && UnicodeStringSource[i + 1] >= 0xDC00 &&
            UnicodeStringSource[i + 1] <= 0xDFFF) {
            C = 0x10000 + ((C - 0xD800) << 10) + (UnicodeStringSource[i + 1] - 0xDC00);
            i++;
        } else if (C >= 0xD800 && C <= 0xDFFF) {
            C = RTLP_REPLACEMENT;
            Replaced = TRUE;
        }
        ULONG Length = RtlpUtf8Length(C);
        if (UTF8StringDestination != NULL) {
            if (Length > UTF8StringMaxByteCount - Written) {
                TooSmall = TRUE;
                break;
            }
            PUCHAR Out = (PUCHAR)UTF8StringDestination + Written;
            if (Length == 1) {
                Out[0] = (UCHAR)C;
            } else {
                static const UCHAR Lead[5] = { 0, 0, 0xC0, 0xE0, 0xF0 };
                for (ULONG k = Length - 1; k > 0; k--) {
                    Out[k] = (UCHAR)(0x80 | (C & 0x3F));
                    C >>= 6;
                }
                Out[0] = (UCHAR)(Lead[Length] | C);
            }
        }
        Written += Length;
    }
    if (UTF8StringActualByteCount != NULL)
        *UTF8StringActualByteCount = Written;
    return TooSmall ? STATUS_BUFFER_TOO_SMALL : Replaced ? STATUS_SOME_NOT_MAPPED : STATUS_SUCCESS;
}

/* Decodes one character at In[0..Available); returns the bytes it used and
 * the code point, U+FFFD for an invalid (maximal) subpart. */
static ULONG RtlpDecodeUtf8(const UCHAR *In, ULONG Available, ULONG *CodePoint, BOOLEAN *Invalid)
{
    UCHAR B = In[0];
    ULONG Need, C;
    UCHAR Low = 0x80, High = 0xBF;     /* allowed range of the second byte */
    *Invalid = FALSE;
    if (B < 0x80) {
        *CodePoint = B;
        return 1;
    } else if (B >= 0xC2 && B <= 0xDF) {
        Need = 1; C = B & 0x1F;
    } else if (B >= 0xE0 && B <= 0xEF) {
        Need = 2; C = B & 0x0F;
        if (B == 0xE0) Low = 0xA0;      /* overlong */
        if (B == 0xED) High = 0x9F;     /* surrogates */
    } else if (B >= 0xF0 && B <= 0xF4) {
        Need = 3; C = B & 0x07;
        if (B == 0xF0) Low = 0x90;      /* overlong */
        if (B == 0xF4) High = 0x8F;     /* above U+10FFFF */
    } else {
        *CodePoint = RTLP_REPLACEMENT;
        *Invalid = TRUE;
        return 1;
    }
    ULONG Used = 1;
    for (ULONG k = 0; k < Need; k++) {
        UCHAR Next = Used < Available ? In[Used] : 0;
        if (Used >= Available || Next < (k == 0 ? Low : 0x80) || Next > (k == 0 ? High : 0xBF)) {
            *CodePoint = RTLP_REPLACEMENT;
            *Invalid = TRUE;
            return Used;
        }
        C = (C << 6) | (Next & 0x3F);
        Used++;
    }
    *CodePoint = C;
    return Used;
}

NTKERNELAPI NTSTATUS RtlUTF8ToUnicodeN(PWSTR UnicodeStringDestination, ULONG UnicodeStringMaxByteCount,
                                       PULONG UnicodeStringActualByteCount, PCCH UTF8StringSource,
                                       ULONG UTF8StringByteCount)
{
    if (UnicodeStringDestination == NULL && UnicodeStringActualByteCount == NULL)
        return STATUS_INVALID_PARAMETER;
    if (UTF8StringSource == NULL)
        return STATUS_INVALID_PARAMETER_4;
    const UCHAR *In = (const UCHAR *)UTF8StringSource;
    ULONG Written = 0;      /* bytes */
    BOOLEAN Replaced = FALSE, TooSmall = FALSE;
    for (ULONG i = 0; i < UTF8StringByteCount;) {
        ULONG C;
        BOOLEAN Invalid;
        ULONG Used = RtlpDecodeUtf8(In + i, UTF8StringByteCount - i, &C, &Invalid);
        ULONG Bytes = C >= 0x10000 ? 2 * sizeof(WCHAR) : sizeof(WCHAR);
        if (UnicodeStringDestination != NULL) {
            if (Bytes > UnicodeStringMaxByteCount - Written || UnicodeStringMaxByteCount < Written) {
                TooSmall = TRUE;
                break;
            }
            PWCHAR Out = UnicodeStringDestination + Written / sizeof(WCHAR);
            if (C >= 0x10000) {
                Out[0] = (WCHAR)(0xD800 + ((C - 0x10000) >> 10));
                Out[1] = (WCHAR)(0xDC00 + ((C - 0x10000) & 0x3FF));
            } else {
                Out[0] = (WCHAR)C;
            }
        }
        Replaced |= Invalid;
        Written += Bytes;
        i += Used;
    }
    if (UnicodeStringActualByteCount != NULL)
        *UnicodeStringActualByteCount = Written;
    return TooSmall ? STATUS_BUFFER_TOO_SMALL : Replaced ? STATUS_SOME_NOT_MAPPED : STATUS_SUCCESS;
}
