/*
 * rtl/ansistring.c - counted 8-bit strings (STRING, ANSI_STRING): compare,
 * copy, upcase. As everywhere in ntps (rtl/string.c), "ANSI" is Latin-1:
 * byte N is U+00NN, and RtlUpperChar upcases by the Unicode rule for that
 * code point when the capital is itself a Latin-1 character (so the
 * capitals of y with diaeresis and micro sign, outside Latin-1, are not
 * used). Lengths count bytes; no terminator is read or written.
 */
#include "rtl/rtl.h"

#include <string.h>

NTKERNELAPI CHAR RtlUpperChar(CHAR Character)
{
    WCHAR Upper = RtlUpcaseUnicodeChar((UCHAR)Character);
    return Upper <= 0xFF ? (CHAR)Upper : Character;
}

NTKERNELAPI LONG RtlCompareString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
    USHORT Length1 = String1->Length, Length2 = String2->Length;
    USHORT Count = Length1 < Length2 ? Length1 : Length2;
    for (USHORT i = 0; i < Count; i++) {
        UCHAR A = (UCHAR)String1->Buffer[i], B = (UCHAR)String2->Buffer[i];
        if (A != B && CaseInSensitive) {
            A = (UCHAR)RtlUpperChar((CHAR)A);
            B = (UCHAR)RtlUpperChar((CHAR)B);
        }
        if (A != B)
            return (LONG)A - (LONG)B;
    }
    return (LONG)Length1 - (LONG)Length2;
}

NTKERNELAPI BOOLEAN RtlEqualString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
    return String1->Length == String2->Length && RtlCompareString(String1, String2, CaseInSensitive) == 0;
}

/* Documented: Length 0 without a source; otherwise the smaller of the
 * source's Length and the destination's MaximumLength is copied. */
NTKERNELAPI VOID RtlCopyString(PSTRING DestinationString, const STRING *SourceString)
{
    if (SourceString == NULL) {
        DestinationString->Length = 0;
        return;
    }
    USHORT Bytes = SourceString->Length < DestinationString->MaximumLength ? SourceString->Length
                                                                           : DestinationString->MaximumLength;
    if (Bytes != 0)
        memmove(DestinationString->Buffer, SourceString->Buffer, Bytes);
    DestinationString->Length = Bytes;
}

NTKERNELAPI VOID RtlUpperString(PSTRING DestinationString, const STRING *SourceString)
{
    USHORT Bytes = SourceString->Length < DestinationString->MaximumLength ? SourceString->Length
                                                                           : DestinationString->MaximumLength;
    for (USHORT i = 0; i < Bytes; i++)     /* forward: converting in place is safe */
        DestinationString->Buffer[i] = RtlUpperChar(SourceString->Buffer[i]);
    DestinationString->Length = Bytes;
}
