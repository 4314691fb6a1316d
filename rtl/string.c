/*
 * rtl/string.c - counted strings (UNICODE_STRING, ANSI_STRING) and
 * RtlCompareMemory, following the WDK reference pages.
 *
 * Conventions shared by every routine here:
 *  - Length and MaximumLength count bytes. A UNICODE_STRING with an odd
 *    Length is malformed; routines that work per character use Length / 2
 *    and ignore the stray byte, routines that only move bytes move them all.
 *  - WCHAR is 16 bits (-fshort-wchar), so glibc's wcs* functions (built for
 *    a 32-bit wchar_t) must never be used on these buffers.
 *  - "ANSI" is ISO 8859-1 (Latin-1): byte N is code point U+00NN. Code
 *    points above U+00FF become '?' when narrowed, one byte per UTF-16 unit.
 *  - Buffers are allocated and freed only through RtlpAllocateStringRoutine
 *    and RtlpFreeStringRoutine (rtl/alloc.c).
 */
#include "rtl/rtl.h"

#include <string.h>

/* The largest even byte count a USHORT can hold (MAX_USTRING in the docs). */
#define RTLP_MAX_USTRING ((SIZE_T)(MAXUSHORT & ~1))

/* Character count of a NUL-terminated wide string, counting no further than
 * Limit: callers only need to know whether it exceeds what a USHORT holds. */
static SIZE_T RtlpWideLength(PCWSTR String, SIZE_T Limit)
{
    SIZE_T Count = 0;
    while (Count < Limit && String[Count] != 0)
        Count++;
    return Count;
}

static SIZE_T RtlpNarrowLength(PCSTR String, SIZE_T Limit)
{
    SIZE_T Count = 0;
    while (Count < Limit && String[Count] != 0)
        Count++;
    return Count;
}

/* ---- memory ------------------------------------------------------------ */

NTKERNELAPI SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
    const UCHAR *Left = Source1, *Right = Source2;
    SIZE_T Index = 0;
    while (Index < Length && Left[Index] == Right[Index])
        Index++;
    return Index;
}

/* ---- initialisation ---------------------------------------------------------- */

NTKERNELAPI VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    SIZE_T Bytes;

    DestinationString->Buffer = (PWSTR)SourceString;
    if (SourceString == NULL) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        return;
    }
    Bytes = RtlpWideLength(SourceString, RTLP_MAX_USTRING / sizeof(WCHAR)) * sizeof(WCHAR);
    if (Bytes > RTLP_MAX_USTRING - sizeof(WCHAR)) {
        /* Documented clamp: the counts then understate the real string. */
        DestinationString->Length = (USHORT)(RTLP_MAX_USTRING - sizeof(WCHAR));
        DestinationString->MaximumLength = (USHORT)RTLP_MAX_USTRING;
        return;
    }
    DestinationString->Length = (USHORT)Bytes;
    DestinationString->MaximumLength = (USHORT)(Bytes + sizeof(WCHAR));
}

NTKERNELAPI NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    SIZE_T Bytes;

    DestinationString->Buffer = (PWSTR)SourceString;
    DestinationString->Length = DestinationString->MaximumLength = 0;
    if (SourceString == NULL)
        return STATUS_SUCCESS;
    Bytes = RtlpWideLength(SourceString, RTLP_MAX_USTRING / sizeof(WCHAR)) * sizeof(WCHAR);
    /* Unlike RtlInitUnicodeString, refuse rather than misstate the length;
     * the destination is left as an empty string. */
    if (Bytes > RTLP_MAX_USTRING - sizeof(WCHAR))
        return STATUS_NAME_TOO_LONG;
    DestinationString->Length = (USHORT)Bytes;
    DestinationString->MaximumLength = (USHORT)(Bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTKERNELAPI VOID RtlInitString(PSTRING DestinationString, PCSTR SourceString)
{
    SIZE_T Bytes;

    DestinationString->Buffer = (PCHAR)SourceString;
    if (SourceString == NULL) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        return;
    }
    Bytes = RtlpNarrowLength(SourceString, MAXUSHORT);
    if (Bytes > MAXUSHORT - 1) {
        DestinationString->Length = MAXUSHORT - 1;
        DestinationString->MaximumLength = MAXUSHORT;
        return;
    }
    DestinationString->Length = (USHORT)Bytes;
    DestinationString->MaximumLength = (USHORT)(Bytes + 1);
}

NTKERNELAPI VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSTR SourceString)
{
    RtlInitString(DestinationString, SourceString);
}

/* ---- copy and append ------------------------------------------------------------ */

NTKERNELAPI VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    SIZE_T Bytes;

    if (SourceString == NULL) {
        DestinationString->Length = 0;
        return;
    }
    Bytes = SourceString->Length;
    if (Bytes > DestinationString->MaximumLength)
        Bytes = DestinationString->MaximumLength;
    Bytes &= ~(SIZE_T)1;    /* never leave half a character behind */
    if (Bytes != 0)
        memmove(DestinationString->Buffer, SourceString->Buffer, Bytes);
    DestinationString->Length = (USHORT)Bytes;
    /* Terminate when the buffer has room, so the result is also a C string. */
    if (DestinationString->Buffer != NULL && Bytes + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[Bytes / sizeof(WCHAR)] = 0;
}

/* Appends Bytes bytes after Destination's text, or fails without touching it. */
static NTSTATUS RtlpAppendBytes(PUNICODE_STRING Destination, const VOID *Source, SIZE_T Bytes)
{
    SIZE_T NewLength = (SIZE_T)Destination->Length + Bytes;

    if (NewLength > Destination->MaximumLength)
        return STATUS_BUFFER_TOO_SMALL;
    if (Bytes != 0)
        memmove((PUCHAR)Destination->Buffer + Destination->Length, Source, Bytes);
    Destination->Length = (USHORT)NewLength;
    if (Destination->Buffer != NULL && NewLength + sizeof(WCHAR) <= Destination->MaximumLength)
        memset((PUCHAR)Destination->Buffer + NewLength, 0, sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
    if (Source == NULL)
        return STATUS_SUCCESS;
    /* Anything longer than MAXUSHORT bytes cannot fit; stop counting there. */
    return RtlpAppendBytes(Destination, Source,
                           RtlpWideLength(Source, MAXUSHORT / sizeof(WCHAR) + 1) * sizeof(WCHAR));
}

NTKERNELAPI NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
    return RtlpAppendBytes(Destination, Source->Buffer, Source->Length);
}

/* ---- case ------------------------------------------------------------------
 * Simple (one-to-one) case mapping by rule for: ASCII; Latin-1; Latin
 * Extended-A; Greek and Coptic; Cyrillic and Cyrillic Supplement; Armenian;
 * Latin Extended Additional; fullwidth ASCII. Everything else maps to
 * itself, as do characters without a one-to-one partner (U+00DF sharp s,
 * U+0149, U+0390, U+03B0) and, deliberately, U+0130/U+0131/U+017F, whose
 * Unicode partners are plain ASCII letters: folding them would make
 * distinct names compare equal. Windows uses a full table; names outside
 * these blocks compare case-sensitively here.
 */

static BOOLEAN RtlpIsOdd(ULONG C) { return (C & 1) != 0; }

NTKERNELAPI WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter)
{
    ULONG C = SourceCharacter;

    if (C < 0x80)
        return (WCHAR)((C >= 'a' && C <= 'z') ? C - 0x20 : C);
    if (C < 0x100) {
        if (C == 0xB5)
            return 0x039C;                  /* micro sign -> capital mu */
        if (C == 0xFF)
            return 0x0178;
        if (C >= 0xE0 && C != 0xF7)
            return (WCHAR)(C - 0x20);
        return (WCHAR)C;
    }
    if (C < 0x180) {                        /* Latin Extended-A */
        if (C == 0x130 || C == 0x131)
            return (WCHAR)C;
        if ((C <= 0x137 || (C >= 0x14A && C <= 0x177)) && RtlpIsOdd(C))
            return (WCHAR)(C - 1);
        if (((C >= 0x139 && C <= 0x148) || (C >= 0x179 && C <= 0x17E)) && !RtlpIsOdd(C))
            return (WCHAR)(C - 1);
        return (WCHAR)C;
    }
    if (C >= 0x370 && C < 0x400) {          /* Greek and Coptic */
        if (C == 0x371 || C == 0x373 || C == 0x377)
            return (WCHAR)(C - 1);
        if (C >= 0x37B && C <= 0x37D)
            return (WCHAR)(C + 0x82);
        if (C == 0x3AC)
            return 0x0386;
        if (C >= 0x3AD && C <= 0x3AF)
            return (WCHAR)(C - 0x25);
        if (C >= 0x3B1 && C <= 0x3CB && C != 0x3C2)
            return (WCHAR)(C - 0x20);
        if (C == 0x3C2)
            return 0x03A3;                  /* final sigma */
        if (C == 0x3CC)
            return 0x038C;
        if (C == 0x3CD || C == 0x3CE)
            return (WCHAR)(C - 0x3F);
        if (C == 0x3D7)
            return 0x03CF;
        if (C >= 0x3D9 && C <= 0x3EF && RtlpIsOdd(C))
            return (WCHAR)(C - 1);
        if (C == 0x3F2)
            return 0x03F9;
        if (C == 0x3F8 || C == 0x3FB)
            return (WCHAR)(C - 1);
        return (WCHAR)C;
    }
    if (C >= 0x400 && C < 0x530) {          /* Cyrillic, Cyrillic Supplement */
        if (C >= 0x430 && C <= 0x44F)
            return (WCHAR)(C - 0x20);
        if (C >= 0x450 && C <= 0x45F)
            return (WCHAR)(C - 0x50);
        if (C == 0x4CF)
            return 0x04C0;
        if (((C >= 0x461 && C <= 0x481) || (C >= 0x48B && C <= 0x4BF) || C >= 0x4D1) && RtlpIsOdd(C))
            return (WCHAR)(C - 1);
        if (C >= 0x4C2 && C <= 0x4CE && !RtlpIsOdd(C))
            return (WCHAR)(C - 1);
        return (WCHAR)C;
    }
    if (C >= 0x561 && C <= 0x586)           /* Armenian */
        return (WCHAR)(C - 0x30);
    if (((C >= 0x1E01 && C <= 0x1E95) || (C >= 0x1EA1 && C <= 0x1EFF)) && RtlpIsOdd(C))
        return (WCHAR)(C - 1);              /* Latin Extended Additional */
    if (C >= 0xFF41 && C <= 0xFF5A)         /* fullwidth a-z */
        return (WCHAR)(C - 0x20);
    return (WCHAR)C;
}

NTKERNELAPI WCHAR RtlDowncaseUnicodeChar(WCHAR SourceCharacter)
{
    ULONG C = SourceCharacter;

    if (C < 0x80)
        return (WCHAR)((C >= 'A' && C <= 'Z') ? C + 0x20 : C);
    if (C < 0x100)
        return (WCHAR)((C >= 0xC0 && C <= 0xDE && C != 0xD7) ? C + 0x20 : C);
    if (C < 0x180) {
        if (C == 0x130 || C == 0x131)
            return (WCHAR)C;
        if (C == 0x178)
            return 0x00FF;
        if ((C <= 0x137 || (C >= 0x14A && C <= 0x177)) && !RtlpIsOdd(C))
            return (WCHAR)(C + 1);
        if (((C >= 0x139 && C <= 0x148) || (C >= 0x179 && C <= 0x17E)) && RtlpIsOdd(C))
            return (WCHAR)(C + 1);
        return (WCHAR)C;
    }
    if (C >= 0x370 && C < 0x400) {
        if (C == 0x370 || C == 0x372 || C == 0x376)
            return (WCHAR)(C + 1);
        if (C >= 0x3FD)
            return (WCHAR)(C - 0x82);
        if (C == 0x386)
            return 0x03AC;
        if (C >= 0x388 && C <= 0x38A)
            return (WCHAR)(C + 0x25);
        if (C == 0x38C)
            return 0x03CC;
        if (C == 0x38E || C == 0x38F)
            return (WCHAR)(C + 0x3F);
        if (C >= 0x391 && C <= 0x3AB && C != 0x3A2)
            return (WCHAR)(C + 0x20);
        if (C == 0x3CF)
            return 0x03D7;
        if (C >= 0x3D8 && C <= 0x3EE && !RtlpIsOdd(C))
            return (WCHAR)(C + 1);
        if (C == 0x3F9)
            return 0x03F2;
        if (C == 0x3F7 || C == 0x3FA)
            return (WCHAR)(C + 1);
        return (WCHAR)C;
    }
    if (C >= 0x400 && C < 0x530) {
        if (C <= 0x40F)
            return (WCHAR)(C + 0x50);
        if (C >= 0x410 && C <= 0x42F)
            return (WCHAR)(C + 0x20);
        if (C == 0x4C0)
            return 0x04CF;
        if (((C >= 0x460 && C <= 0x480) || (C >= 0x48A && C <= 0x4BE) || C >= 0x4D0) && !RtlpIsOdd(C))
            return (WCHAR)(C + 1);
        if (C >= 0x4C1 && C <= 0x4CD && RtlpIsOdd(C))
            return (WCHAR)(C + 1);
        return (WCHAR)C;
    }
    if (C >= 0x531 && C <= 0x556)
        return (WCHAR)(C + 0x30);
    if (((C >= 0x1E00 && C <= 0x1E94) || (C >= 0x1EA0 && C <= 0x1EFE)) && !RtlpIsOdd(C))
        return (WCHAR)(C + 1);
    if (C >= 0xFF21 && C <= 0xFF3A)
        return (WCHAR)(C + 0x20);
    return (WCHAR)C;
}

/* Shared body of RtlUpcase/DowncaseUnicodeString. The destination gets the
 * same Length as the source and no terminator; it may be the source itself. */
static NTSTATUS RtlpMapUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                     BOOLEAN AllocateDestinationString, WCHAR (*Map)(WCHAR))
{
    SIZE_T Bytes = SourceString->Length & ~(SIZE_T)1;
    PCWSTR Source = SourceString->Buffer;   /* read before the destination changes */
    SIZE_T Index;

    if (AllocateDestinationString) {
        /* At least one WCHAR, so an empty result still owns a buffer. */
        PWSTR Buffer = RtlpAllocateStringRoutine(Bytes != 0 ? Bytes : sizeof(WCHAR));
        if (Buffer == NULL)
            return STATUS_NO_MEMORY;
        DestinationString->Buffer = Buffer;
        DestinationString->MaximumLength = (USHORT)Bytes;
    } else if (DestinationString->MaximumLength < Bytes) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (Index = 0; Index < Bytes / sizeof(WCHAR); Index++)
        DestinationString->Buffer[Index] = Map(Source[Index]);
    DestinationString->Length = (USHORT)Bytes;
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                            BOOLEAN AllocateDestinationString)
{
    return RtlpMapUnicodeString(DestinationString, SourceString, AllocateDestinationString, RtlUpcaseUnicodeChar);
}

NTKERNELAPI NTSTATUS RtlDowncaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                              BOOLEAN AllocateDestinationString)
{
    return RtlpMapUnicodeString(DestinationString, SourceString, AllocateDestinationString,
                                RtlDowncaseUnicodeChar);
}

/* ---- comparison ------------------------------------------------------------- */

/* Compares Count characters; returns the difference of the first unequal pair. */
static LONG RtlpCompareCharacters(PCWSTR Left, PCWSTR Right, SIZE_T Count, BOOLEAN CaseInSensitive)
{
    for (SIZE_T Index = 0; Index < Count; Index++) {
        WCHAR A = Left[Index], B = Right[Index];
        if (A != B && CaseInSensitive) {
            A = RtlUpcaseUnicodeChar(A);
            B = RtlUpcaseUnicodeChar(B);
        }
        if (A != B)
            return (LONG)A - (LONG)B;
    }
    return 0;
}

NTKERNELAPI LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                         BOOLEAN CaseInSensitive)
{
    SIZE_T Count1 = String1->Length / sizeof(WCHAR), Count2 = String2->Length / sizeof(WCHAR);
    LONG Result = RtlpCompareCharacters(String1->Buffer, String2->Buffer,
                                        Count1 < Count2 ? Count1 : Count2, CaseInSensitive);
    return Result != 0 ? Result : (LONG)Count1 - (LONG)Count2;
}

NTKERNELAPI BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                          BOOLEAN CaseInSensitive)
{
    SIZE_T Count = String1->Length / sizeof(WCHAR);
    if (Count != String2->Length / sizeof(WCHAR))
        return FALSE;
    return RtlpCompareCharacters(String1->Buffer, String2->Buffer, Count, CaseInSensitive) == 0;
}

NTKERNELAPI BOOLEAN RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                           BOOLEAN CaseInSensitive)
{
    SIZE_T Count = String1->Length / sizeof(WCHAR);
    if (Count > String2->Length / sizeof(WCHAR))
        return FALSE;
    return RtlpCompareCharacters(String1->Buffer, String2->Buffer, Count, CaseInSensitive) == 0;
}

/* x65599, the documented default: Hash = Hash * 65599 + Character for each
 * character (upcased first when CaseInSensitive). */
NTKERNELAPI NTSTATUS RtlHashUnicodeString(PCUNICODE_STRING String, BOOLEAN CaseInSensitive, ULONG HashAlgorithm,
                                          PULONG HashValue)
{
    if (String == NULL || HashValue == NULL ||
        (HashAlgorithm != HASH_STRING_ALGORITHM_DEFAULT && HashAlgorithm != HASH_STRING_ALGORITHM_X65599))
        return STATUS_INVALID_PARAMETER;
    ULONG Hash = 0;
    for (SIZE_T Index = 0; Index < String->Length / sizeof(WCHAR); Index++) {
        WCHAR C = String->Buffer[Index];
        Hash = Hash * 65599 + (CaseInSensitive ? RtlUpcaseUnicodeChar(C) : C);
    }
    *HashValue = Hash;
    return STATUS_SUCCESS;
}

/* ---- allocation ------------------------------------------------------------------ */

NTKERNELAPI BOOLEAN RtlCreateUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    SIZE_T Bytes;
    PWSTR Buffer;

    if (SourceString == NULL)
        return FALSE;
    Bytes = (RtlpWideLength(SourceString, RTLP_MAX_USTRING / sizeof(WCHAR)) + 1) * sizeof(WCHAR);
    if (Bytes > RTLP_MAX_USTRING)
        return FALSE;
    Buffer = RtlpAllocateStringRoutine(Bytes);
    if (Buffer == NULL)
        return FALSE;
    memcpy(Buffer, SourceString, Bytes);
    DestinationString->Buffer = Buffer;
    DestinationString->Length = (USHORT)(Bytes - sizeof(WCHAR));
    DestinationString->MaximumLength = (USHORT)Bytes;
    return TRUE;
}

NTKERNELAPI NTSTATUS RtlDuplicateUnicodeString(ULONG Flags, PCUNICODE_STRING StringIn, PUNICODE_STRING StringOut)
{
    const ULONG Terminate = RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE;
    const ULONG AllocateNull = RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING;
    SIZE_T Maximum;
    PWSTR Buffer;

    /* ALLOCATE_NULL_STRING alone would ask for a zero-byte buffer. */
    if (StringIn == NULL || StringOut == NULL || (Flags & ~(Terminate | AllocateNull)) != 0 ||
        Flags == AllocateNull || StringIn->Length > StringIn->MaximumLength ||
        (StringIn->Length != 0 && StringIn->Buffer == NULL))
        return STATUS_INVALID_PARAMETER;

    if (StringIn->Length == 0 && !(Flags & AllocateNull)) {
        StringOut->Length = StringOut->MaximumLength = 0;
        StringOut->Buffer = NULL;
        return STATUS_SUCCESS;
    }
    Maximum = (SIZE_T)StringIn->Length + ((Flags & Terminate) ? sizeof(WCHAR) : 0);
    if (Maximum > MAXUSHORT)
        return STATUS_NAME_TOO_LONG;
    Buffer = RtlpAllocateStringRoutine(Maximum);
    if (Buffer == NULL)
        return STATUS_NO_MEMORY;
    if (StringIn->Length != 0)
        memcpy(Buffer, StringIn->Buffer, StringIn->Length);
    if (Flags & Terminate)
        memset((PUCHAR)Buffer + StringIn->Length, 0, sizeof(WCHAR));
    StringOut->Buffer = Buffer;
    StringOut->Length = StringIn->Length;
    StringOut->MaximumLength = (USHORT)Maximum;
    return STATUS_SUCCESS;
}

NTKERNELAPI VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    if (UnicodeString == NULL)
        return;
    if (UnicodeString->Buffer != NULL)
        RtlpFreeStringRoutine(UnicodeString->Buffer);
    UnicodeString->Buffer = NULL;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

NTKERNELAPI VOID RtlFreeAnsiString(PANSI_STRING AnsiString)
{
    if (AnsiString == NULL)
        return;
    if (AnsiString->Buffer != NULL)
        RtlpFreeStringRoutine(AnsiString->Buffer);
    AnsiString->Buffer = NULL;
    AnsiString->Length = AnsiString->MaximumLength = 0;
}

/* ---- ANSI (Latin-1) conversion ------------------------------------------------
 * Both directions always NUL-terminate, so a caller-supplied buffer must have
 * room for the terminator; when it does not, the routine returns
 * STATUS_BUFFER_OVERFLOW and converts nothing (as documented: "no conversion
 * was done").
 */

NTKERNELAPI NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                                  BOOLEAN AllocateDestinationString)
{
    SIZE_T Count = SourceString->Length / sizeof(WCHAR);
    SIZE_T Index;

    if (AllocateDestinationString) {
        PCHAR Buffer = RtlpAllocateStringRoutine(Count + 1);
        if (Buffer == NULL)
            return STATUS_NO_MEMORY;
        DestinationString->Buffer = Buffer;
        DestinationString->MaximumLength = (USHORT)(Count + 1);
    } else if (DestinationString->MaximumLength < Count + 1) {
        return STATUS_BUFFER_OVERFLOW;
    }
    /* Forward order, so converting into the source's own buffer is safe. */
    for (Index = 0; Index < Count; Index++) {
        WCHAR C = SourceString->Buffer[Index];
        DestinationString->Buffer[Index] = (CHAR)(C <= 0xFF ? C : '?');
    }
    DestinationString->Buffer[Count] = 0;
    DestinationString->Length = (USHORT)Count;
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
                                                  BOOLEAN AllocateDestinationString)
{
    SIZE_T Count = SourceString->Length;
    SIZE_T Bytes = (Count + 1) * sizeof(WCHAR);
    SIZE_T Index;

    if (Bytes > RTLP_MAX_USTRING)
        return STATUS_INVALID_PARAMETER_2;
    if (AllocateDestinationString) {
        PWSTR Buffer = RtlpAllocateStringRoutine(Bytes);
        if (Buffer == NULL)
            return STATUS_NO_MEMORY;
        DestinationString->Buffer = Buffer;
        DestinationString->MaximumLength = (USHORT)Bytes;
    } else if (DestinationString->MaximumLength < Bytes) {
        return STATUS_BUFFER_OVERFLOW;
    }
    /* Backward order, so widening in place (same buffer) is safe. */
    DestinationString->Buffer[Count] = 0;
    for (Index = Count; Index > 0; Index--)
        DestinationString->Buffer[Index - 1] = (UCHAR)SourceString->Buffer[Index - 1];
    DestinationString->Length = (USHORT)(Count * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* ---- integers ----------------------------------------------------------------- */

static NTSTATUS RtlpIntegerToUnicode(ULONGLONG Value, ULONG Base, PUNICODE_STRING String)
{
    WCHAR Digits[64];
    SIZE_T Count = 0, Index;

    if (Base == 0)
        Base = 10;
    if (Base != 2 && Base != 8 && Base != 10 && Base != 16)
        return STATUS_INVALID_PARAMETER;
    do {
        Digits[Count++] = (WCHAR)"0123456789ABCDEF"[Value % Base];
        Value /= Base;
    } while (Value != 0);
    /* The result is documented as NUL-terminated: require room for that. */
    if ((Count + 1) * sizeof(WCHAR) > String->MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    for (Index = 0; Index < Count; Index++)
        String->Buffer[Index] = Digits[Count - 1 - Index];
    String->Buffer[Count] = 0;
    String->Length = (USHORT)(Count * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String)
{
    return RtlpIntegerToUnicode(Value, Base, String);
}

NTKERNELAPI NTSTATUS RtlInt64ToUnicodeString(ULONGLONG Value, ULONG Base, PUNICODE_STRING String)
{
    return RtlpIntegerToUnicode(Value, Base, String);
}

/* Value of C as a digit, or 99 when C is not a digit in any base we accept. */
static ULONG RtlpDigitValue(WCHAR C)
{
    if (C >= '0' && C <= '9')
        return C - '0';
    if (C >= 'a' && C <= 'f')
        return C - 'a' + 10;
    if (C >= 'A' && C <= 'F')
        return C - 'A' + 10;
    return 99;
}

NTKERNELAPI NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value)
{
    SIZE_T Count, Index = 0;
    PCWSTR Text;
    BOOLEAN Negative = FALSE;
    ULONG Result = 0;

    if (String == NULL || Value == NULL)
        return STATUS_INVALID_PARAMETER;
    if (Base != 0 && Base != 2 && Base != 8 && Base != 10 && Base != 16)
        return STATUS_INVALID_PARAMETER;
    Count = String->Length / sizeof(WCHAR);
    if (Count == 0)
        return STATUS_INVALID_PARAMETER;
    Text = String->Buffer;

    /* White space is any control character or blank (<= U+0020). */
    while (Index < Count && Text[Index] <= L' ')
        Index++;
    if (Index < Count && (Text[Index] == L'-' || Text[Index] == L'+'))
        Negative = Text[Index++] == L'-';
    if (Base == 0) {
        Base = 10;
        if (Index + 1 < Count && Text[Index] == L'0') {
            switch (Text[Index + 1]) {
            case L'x': Base = 16; Index += 2; break;
            case L'o': Base = 8; Index += 2; break;
            case L'b': Base = 2; Index += 2; break;
            default: break;
            }
        }
    }
    /* Digits accumulate modulo 2^32, as ULONG arithmetic does. */
    for (; Index < Count; Index++) {
        ULONG Digit = RtlpDigitValue(Text[Index]);
        if (Digit >= Base)
            break;
        Result = Result * Base + Digit;
    }
    *Value = Negative ? 0u - Result : Result;
    return STATUS_SUCCESS;
}
