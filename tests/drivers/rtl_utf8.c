/*
 * RtlUnicodeToUTF8N and RtlUTF8ToUnicodeN: sizes without a destination,
 * surrogate pairs, a NUL carried through, STATUS_BUFFER_TOO_SMALL with the
 * whole characters that fit, invalid input replaced by U+FFFD and
 * STATUS_SOME_NOT_MAPPED, and the documented parameter errors.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    /* "A", e acute, euro sign, U+1F600 (a surrogate pair), NUL */
    static const WCHAR Wide[] = { 0x41, 0xE9, 0x20AC, 0xD83D, 0xDE00, 0 };
    static const UCHAR Utf8[] = { 0x41, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0 };
    CHAR Narrow[32];
    WCHAR Back[16];
    ULONG Bytes = 0;

    KT_EQ(RtlUnicodeToUTF8N(NULL, 0, &Bytes, Wide, sizeof(Wide)), STATUS_SUCCESS);
    KT_EQ(Bytes, sizeof(Utf8));
    KT_EQ(RtlUnicodeToUTF8N(Narrow, sizeof(Narrow), &Bytes, Wide, sizeof(Wide)), STATUS_SUCCESS);
    KT_EQ(Bytes, sizeof(Utf8));
    KT_EQ(RtlCompareMemory(Narrow, Utf8, sizeof(Utf8)), sizeof(Utf8));
    KT_EQ(RtlUnicodeToUTF8N(Narrow, sizeof(Narrow), NULL, Wide, sizeof(Wide)), STATUS_SUCCESS);

    KT_EQ(RtlUTF8ToUnicodeN(NULL, 0, &Bytes, (PCCH)Utf8, sizeof(Utf8)), STATUS_SUCCESS);
    KT_EQ(Bytes, sizeof(Wide));
    KT_EQ(RtlUTF8ToUnicodeN(Back, sizeof(Back), &Bytes, (PCCH)Utf8, sizeof(Utf8)), STATUS_SUCCESS);
    KT_EQ(Bytes, sizeof(Wide));
    KT_EQ(RtlCompareMemory(Back, Wide, sizeof(Wide)), sizeof(Wide));

    /* too small: whole characters only */
    KT_EQ(RtlUnicodeToUTF8N(Narrow, 8, &Bytes, Wide, sizeof(Wide)), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(Bytes, 6);                            /* the 4-byte character does not fit in 2 */
    KT_EQ(RtlUTF8ToUnicodeN(Back, 8, &Bytes, (PCCH)Utf8, sizeof(Utf8)), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(Bytes, 6);                            /* the pair does not fit in 2 bytes */

    /* invalid input */
    static const WCHAR Lone[] = { 0x41, 0xD800, 0x42 };    /* an unpaired surrogate */
    KT_EQ(RtlUnicodeToUTF8N(Narrow, sizeof(Narrow), &Bytes, Lone, sizeof(Lone)), STATUS_SOME_NOT_MAPPED);
    KT_EQ(Bytes, 5);
    KT_EQ(RtlCompareMemory(Narrow, "A\xEF\xBF\xBD" "B", 5), 5);
    /* a stray continuation byte, an overlong '/', a cut-short sequence */
    static const UCHAR Bad[] = { 0x80, 0x41, 0xC0, 0xAF, 0xE2, 0x82 };
    KT_EQ(RtlUTF8ToUnicodeN(Back, sizeof(Back), &Bytes, (PCCH)Bad, sizeof(Bad)), STATUS_SOME_NOT_MAPPED);
    KT_EQ(Bytes, 5 * sizeof(WCHAR));
    KT_EQ(Back[0], 0xFFFD);
    KT_EQ(Back[1], 0x41);
    KT_EQ(Back[2], 0xFFFD);
    KT_EQ(Back[3], 0xFFFD);
    KT_EQ(Back[4], 0xFFFD);                     /* E2 82: one maximal subpart */
    static const UCHAR Surrogate[] = { 0xED, 0xA0, 0x80 };   /* U+D800 encoded: invalid */
    KT_EQ(RtlUTF8ToUnicodeN(Back, sizeof(Back), &Bytes, (PCCH)Surrogate, sizeof(Surrogate)),
          STATUS_SOME_NOT_MAPPED);
    KT_EQ(Back[0], 0xFFFD);

    /* parameters */
    KT_EQ(RtlUnicodeToUTF8N(NULL, 0, NULL, Wide, sizeof(Wide)), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlUnicodeToUTF8N(Narrow, sizeof(Narrow), &Bytes, NULL, 2), STATUS_INVALID_PARAMETER_4);
    KT_EQ(RtlUnicodeToUTF8N(Narrow, sizeof(Narrow), &Bytes, Wide, 3), STATUS_INVALID_PARAMETER_5);
    KT_EQ(RtlUTF8ToUnicodeN(NULL, 0, NULL, (PCCH)Utf8, sizeof(Utf8)), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlUTF8ToUnicodeN(Back, sizeof(Back), &Bytes, NULL, 1), STATUS_INVALID_PARAMETER_4);
    KT_EQ(RtlUTF8ToUnicodeN(Back, sizeof(Back), &Bytes, (PCCH)Utf8, 0), STATUS_SUCCESS);
    KT_EQ(Bytes, 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
