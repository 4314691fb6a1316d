/*
 * rtl/format.c - the printf engine behind DbgPrint (and the safe-string
 * printf routines), with the Windows kernel's conversions rather than
 * glibc's:
 *
 *   flags    - + space # 0          width/precision: digits or *
 *   sizes    hh h l ll L I I32 I64 z t j w
 *            l is 32 bits (LONG), as on Windows; ll, L, I64, j are 64 bits;
 *            I, z, t are pointer-sized (64 bits); I32 is 32 bits.
 *   integers d i u x X o            p: 16 uppercase hex digits, zero-padded
 *   narrow   c s (h or no size), C S with h, Z (PANSI_STRING)
 *   wide     C S (no size or l/w), c s with l/w, wZ lZ (PUNICODE_STRING);
 *            UTF-16 is emitted as UTF-8, surrogate pairs combined, unpaired
 *            surrogates replaced by U+FFFD
 *   floats   e E f F g G a A (DbgPrint does not support them on Windows;
 *            the safe-string routines do). L reads a long double, which
 *            is printed at double precision as Windows does (its long
 *            double is a double).
 *   %%       a percent sign
 *
 * Choices where Windows and C differ or the documents are silent:
 *  - NULL for %s %S %ws %Z %wZ (or a counted string with a NULL Buffer)
 *    prints "(null)"; precision and width apply to it.
 *  - The 0 flag pads strings and characters with zeros, as the Microsoft
 *    C library does.
 *  - Narrow text (%s, %Z, %c) is copied byte for byte, not re-encoded.
 *  - Precision limits bytes for narrow strings and UTF-16 units for wide
 *    ones; width counts bytes for narrow and characters for wide text.
 *  - %n is recognised, its pointer consumed, and nothing written (the
 *    Microsoft C runtime disables %n by default).
 *  - An unknown conversion, or a format that ends inside a specification,
 *    is copied to the output literally.
 *  - %p ignores the # + and space flags; width still applies.
 *  - Float precision is capped at RTLP_MAX_FLOAT_PRECISION digits.
 * glibc's snprintf is used only to produce the digits of a floating-point
 * number.
 */
#include "rtl/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define RTLP_FLAG_LEFT 0x01
#define RTLP_FLAG_PLUS 0x02
#define RTLP_FLAG_SPACE 0x04
#define RTLP_FLAG_ALT 0x08
#define RTLP_FLAG_ZERO 0x10

/* Keeps width and precision arithmetic far from overflow. */
#define RTLP_MAX_FIELD 0x7FFFFFFF
#define RTLP_MAX_FLOAT_PRECISION 500

typedef enum _RTLP_ARG_SIZE {
    RtlpSizeDefault,
    RtlpSizeChar,           /* hh */
    RtlpSizeShort,          /* h */
    RtlpSizeLong,           /* l: 32-bit integer, wide character/string */
    RtlpSizeWide,           /* w */
    RtlpSize32,             /* I32 */
    RtlpSize64,             /* ll I64 I z t j */
    RtlpSizeLongDouble      /* L: 64-bit integer, long double */
} RTLP_ARG_SIZE;

typedef struct _RTLP_SPEC {
    ULONG Flags;
    SIZE_T Width;
    LONG Precision;         /* -1 when absent */
    RTLP_ARG_SIZE Size;
} RTLP_SPEC, *PRTLP_SPEC;

typedef const RTLP_SPEC *PCRTLP_SPEC;

/* Where output goes: counts everything, stores what fits below Size - 1. */
typedef struct _RTLP_SINK {
    PCHAR Buffer;
    SIZE_T Size;
    SIZE_T Count;
    BOOLEAN WideDefault;    /* %s %c are wide and %S %C narrow (wide printf) */
} RTLP_SINK, *PRTLP_SINK;

static SIZE_T RtlpSinkRoom(PRTLP_SINK Sink)
{
    return Sink->Size > Sink->Count + 1 ? Sink->Size - 1 - Sink->Count : 0;
}

static VOID RtlpEmit(PRTLP_SINK Sink, PCSTR Text, SIZE_T Length)
{
    SIZE_T Room = RtlpSinkRoom(Sink);
    if (Room != 0)
        memcpy(Sink->Buffer + Sink->Count, Text, Length < Room ? Length : Room);
    Sink->Count += Length;
}

static VOID RtlpEmitRepeat(PRTLP_SINK Sink, CHAR Character, SIZE_T Count)
{
    SIZE_T Room = RtlpSinkRoom(Sink);
    if (Room != 0)
        memset(Sink->Buffer + Sink->Count, Character, Count < Room ? Count : Room);
    Sink->Count += Count;
}

static VOID RtlpPadBefore(PRTLP_SINK Sink, PCRTLP_SPEC Spec, SIZE_T Length)
{
    if (!(Spec->Flags & RTLP_FLAG_LEFT) && Spec->Width > Length)
        RtlpEmitRepeat(Sink, (Spec->Flags & RTLP_FLAG_ZERO) ? '0' : ' ', Spec->Width - Length);
}

static VOID RtlpPadAfter(PRTLP_SINK Sink, PCRTLP_SPEC Spec, SIZE_T Length)
{
    if ((Spec->Flags & RTLP_FLAG_LEFT) && Spec->Width > Length)
        RtlpEmitRepeat(Sink, ' ', Spec->Width - Length);
}

/* ---- text ------------------------------------------------------------------ */

static VOID RtlpFormatNarrow(PRTLP_SINK Sink, PCRTLP_SPEC Spec, PCSTR Text, SIZE_T Length)
{
    RtlpPadBefore(Sink, Spec, Length);
    RtlpEmit(Sink, Text, Length);
    RtlpPadAfter(Sink, Spec, Length);
}

static SIZE_T RtlpLimit(PCRTLP_SPEC Spec, SIZE_T Length)
{
    return (Spec->Precision >= 0 && (SIZE_T)Spec->Precision < Length) ? (SIZE_T)Spec->Precision : Length;
}

static VOID RtlpFormatNull(PRTLP_SINK Sink, PCRTLP_SPEC Spec)
{
    RtlpFormatNarrow(Sink, Spec, "(null)", RtlpLimit(Spec, 6));
}

static ULONG RtlpEncodeUtf8(ULONG CodePoint, PCHAR Out)
{
    if (CodePoint < 0x80) {
        Out[0] = (CHAR)CodePoint;
        return 1;
    }
    if (CodePoint < 0x800) {
        Out[0] = (CHAR)(0xC0 | (CodePoint >> 6));
        Out[1] = (CHAR)(0x80 | (CodePoint & 0x3F));
        return 2;
    }
    if (CodePoint < 0x10000) {
        Out[0] = (CHAR)(0xE0 | (CodePoint >> 12));
        Out[1] = (CHAR)(0x80 | ((CodePoint >> 6) & 0x3F));
        Out[2] = (CHAR)(0x80 | (CodePoint & 0x3F));
        return 3;
    }
    Out[0] = (CHAR)(0xF0 | (CodePoint >> 18));
    Out[1] = (CHAR)(0x80 | ((CodePoint >> 12) & 0x3F));
    Out[2] = (CHAR)(0x80 | ((CodePoint >> 6) & 0x3F));
    Out[3] = (CHAR)(0x80 | (CodePoint & 0x3F));
    return 4;
}

/* Decodes Units UTF-16 units; emits them as UTF-8 when Sink is not NULL.
 * Returns the number of characters (code points), which is what width counts. */
static SIZE_T RtlpEmitUtf16(PRTLP_SINK Sink, PCWSTR Text, SIZE_T Units)
{
    SIZE_T Index = 0, Characters = 0;

    while (Index < Units) {
        ULONG CodePoint = Text[Index++];
        if (CodePoint >= 0xD800 && CodePoint <= 0xDBFF && Index < Units &&
            Text[Index] >= 0xDC00 && Text[Index] <= 0xDFFF) {
            CodePoint = 0x10000 + ((CodePoint - 0xD800) << 10) + (Text[Index++] - 0xDC00u);
        } else if (CodePoint >= 0xD800 && CodePoint <= 0xDFFF) {
            CodePoint = 0xFFFD;
        }
        Characters++;
        if (Sink != NULL) {
            CHAR Utf8[4];
            RtlpEmit(Sink, Utf8, RtlpEncodeUtf8(CodePoint, Utf8));
        }
    }
    return Characters;
}

static VOID RtlpFormatWide(PRTLP_SINK Sink, PCRTLP_SPEC Spec, PCWSTR Text, SIZE_T Units)
{
    SIZE_T Characters = RtlpEmitUtf16(NULL, Text, Units);
    RtlpPadBefore(Sink, Spec, Characters);
    RtlpEmitUtf16(Sink, Text, Units);
    RtlpPadAfter(Sink, Spec, Characters);
}

static VOID RtlpFormatNarrowString(PRTLP_SINK Sink, PCRTLP_SPEC Spec, PCSTR Text)
{
    SIZE_T Length = 0, Limit;

    if (Text == NULL) {
        RtlpFormatNull(Sink, Spec);
        return;
    }
    Limit = Spec->Precision >= 0 ? (SIZE_T)Spec->Precision : (SIZE_T)-1;
    while (Length < Limit && Text[Length] != 0)
        Length++;
    RtlpFormatNarrow(Sink, Spec, Text, Length);
}

static VOID RtlpFormatWideString(PRTLP_SINK Sink, PCRTLP_SPEC Spec, PCWSTR Text)
{
    SIZE_T Units = 0, Limit;

    if (Text == NULL) {
        RtlpFormatNull(Sink, Spec);
        return;
    }
    Limit = Spec->Precision >= 0 ? (SIZE_T)Spec->Precision : (SIZE_T)-1;
    while (Units < Limit && Text[Units] != 0)
        Units++;
    RtlpFormatWide(Sink, Spec, Text, Units);
}

/* ---- arguments ----------------------------------------------------------------- */

/* Microsoft x64 variadic arguments are 8-byte slots (the first four spilled
 * by va_start to their home area): an integer or pointer in the low bytes,
 * a double's bits, a structure over 8 bytes as a pointer to a copy. */
static ULONG64 RtlpMsSlot(PRTLP_FORMAT_ARGS Args)
{
    ULONG64 Slot;
    memcpy(&Slot, Args->Ms, sizeof(Slot));
    Args->Ms = (PCHAR)Args->Ms + sizeof(Slot);
    return Slot;
}

static unsigned int RtlpArgUInt(PRTLP_FORMAT_ARGS Args)
{
    return Args->Ms != NULL ? (unsigned int)RtlpMsSlot(Args) : va_arg(Args->Sysv, unsigned int);
}

static int RtlpArgInt(PRTLP_FORMAT_ARGS Args)
{
    return Args->Ms != NULL ? (int)RtlpMsSlot(Args) : va_arg(Args->Sysv, int);
}

static ULONGLONG RtlpArgU64(PRTLP_FORMAT_ARGS Args)
{
    return Args->Ms != NULL ? RtlpMsSlot(Args) : va_arg(Args->Sysv, ULONGLONG);
}

static PVOID RtlpArgPointer(PRTLP_FORMAT_ARGS Args)
{
    return Args->Ms != NULL ? (PVOID)(ULONG_PTR)RtlpMsSlot(Args) : va_arg(Args->Sysv, PVOID);
}

/* A long double is a double in Microsoft's ABI. */
static double RtlpArgDouble(PRTLP_FORMAT_ARGS Args, BOOLEAN Long)
{
    if (Args->Ms != NULL) {
        ULONG64 Slot = RtlpMsSlot(Args);
        double Value;
        memcpy(&Value, &Slot, sizeof(Value));
        return Value;
    }
    return Long ? (double)va_arg(Args->Sysv, long double) : va_arg(Args->Sysv, double);
}

/* ---- numbers ----------------------------------------------------------------- */

static ULONGLONG RtlpFetchUnsigned(PRTLP_FORMAT_ARGS Args, RTLP_ARG_SIZE Size)
{
    switch (Size) {
    case RtlpSizeChar:
        return (UCHAR)RtlpArgUInt(Args);
    case RtlpSizeShort:
        return (USHORT)RtlpArgUInt(Args);
    case RtlpSize64:
    case RtlpSizeLongDouble:
        return RtlpArgU64(Args);
    default:                /* int, LONG (l), I32, w */
        return RtlpArgUInt(Args);
    }
}

static LONGLONG RtlpFetchSigned(PRTLP_FORMAT_ARGS Args, RTLP_ARG_SIZE Size)
{
    switch (Size) {
    case RtlpSizeChar:
        return (signed char)RtlpArgInt(Args);
    case RtlpSizeShort:
        return (SHORT)RtlpArgInt(Args);
    case RtlpSize64:
    case RtlpSizeLongDouble:
        return (LONGLONG)RtlpArgU64(Args);
    default:
        return RtlpArgInt(Args);
    }
}

static VOID RtlpFormatInteger(PRTLP_SINK Sink, PCRTLP_SPEC Spec, ULONGLONG Magnitude, BOOLEAN Negative,
                              BOOLEAN Signed, ULONG Base, BOOLEAN Upper)
{
    PCSTR DigitSet = Upper ? "0123456789ABCDEF" : "0123456789abcdef";
    CHAR Digits[24], Prefix[3];
    PCHAR First = Digits + sizeof(Digits);
    SIZE_T DigitCount, Zeros = 0, PrefixLength = 0, Total;
    ULONGLONG Value = Magnitude;

    while (Value != 0) {
        *--First = DigitSet[Value % Base];
        Value /= Base;
    }
    /* C rule: zero with an explicit precision of 0 prints no digits. */
    if (First == Digits + sizeof(Digits) && Spec->Precision != 0)
        *--First = '0';
    DigitCount = (SIZE_T)(Digits + sizeof(Digits) - First);
    if (Spec->Precision >= 0 && (SIZE_T)Spec->Precision > DigitCount)
        Zeros = (SIZE_T)Spec->Precision - DigitCount;
    if ((Spec->Flags & RTLP_FLAG_ALT) && Base == 8 && Zeros == 0 && (DigitCount == 0 || *First != '0'))
        Zeros = 1;

    if (Negative)
        Prefix[PrefixLength++] = '-';
    else if (Signed && (Spec->Flags & RTLP_FLAG_PLUS))
        Prefix[PrefixLength++] = '+';
    else if (Signed && (Spec->Flags & RTLP_FLAG_SPACE))
        Prefix[PrefixLength++] = ' ';
    if ((Spec->Flags & RTLP_FLAG_ALT) && Base == 16 && Magnitude != 0) {
        Prefix[PrefixLength++] = '0';
        Prefix[PrefixLength++] = Upper ? 'X' : 'x';
    }

    Total = PrefixLength + Zeros + DigitCount;
    /* The 0 flag widens with zeros after the sign, unless a precision is given. */
    if (Spec->Width > Total && !(Spec->Flags & RTLP_FLAG_LEFT) && (Spec->Flags & RTLP_FLAG_ZERO) &&
        Spec->Precision < 0) {
        Zeros += Spec->Width - Total;
        Total = Spec->Width;
    }
    if (!(Spec->Flags & RTLP_FLAG_LEFT) && Spec->Width > Total)
        RtlpEmitRepeat(Sink, ' ', Spec->Width - Total);
    RtlpEmit(Sink, Prefix, PrefixLength);
    RtlpEmitRepeat(Sink, '0', Zeros);
    RtlpEmit(Sink, First, DigitCount);
    RtlpPadAfter(Sink, Spec, Total);
}

/* Kept out of line: its buffer should only cost stack when a float is printed. */
static DECLSPEC_NOINLINE VOID RtlpFormatFloat(PRTLP_SINK Sink, PCRTLP_SPEC Spec, CHAR Conversion, double Value)
{
    CHAR Format[24], Text[1024];
    SIZE_T Length = 0, Skip = 0;
    RTLP_SPEC Padding = *Spec;
    int Written;

    /* Width is applied here, not by snprintf, so Text never needs to grow. */
    Format[Length++] = '%';
    if (Spec->Flags & RTLP_FLAG_PLUS)
        Format[Length++] = '+';
    if (Spec->Flags & RTLP_FLAG_SPACE)
        Format[Length++] = ' ';
    if (Spec->Flags & RTLP_FLAG_ALT)
        Format[Length++] = '#';
    if (Spec->Precision >= 0) {
        LONG Precision = Spec->Precision < RTLP_MAX_FLOAT_PRECISION ? Spec->Precision : RTLP_MAX_FLOAT_PRECISION;
        CHAR Reversed[8];
        SIZE_T Count = 0;
        Format[Length++] = '.';
        do {
            Reversed[Count++] = (CHAR)('0' + Precision % 10);
            Precision /= 10;
        } while (Precision != 0);
        while (Count != 0)
            Format[Length++] = Reversed[--Count];
    }
    Format[Length++] = Conversion;
    Format[Length] = 0;

    Written = snprintf(Text, sizeof(Text), Format, Value);
    if (Written < 0)
        Written = 0;
    Length = (SIZE_T)Written < sizeof(Text) ? (SIZE_T)Written : sizeof(Text) - 1;

    if (Spec->Width > Length && !(Spec->Flags & RTLP_FLAG_LEFT) && (Spec->Flags & RTLP_FLAG_ZERO) &&
        isfinite(Value)) {
        /* Zeros go after the sign and any 0x of %a. */
        if (Text[0] == '-' || Text[0] == '+' || Text[0] == ' ')
            Skip = 1;
        if ((Conversion == 'a' || Conversion == 'A') && Text[Skip] == '0' &&
            (Text[Skip + 1] == 'x' || Text[Skip + 1] == 'X'))
            Skip += 2;
        RtlpEmit(Sink, Text, Skip);
        RtlpEmitRepeat(Sink, '0', Spec->Width - Length);
        RtlpEmit(Sink, Text + Skip, Length - Skip);
        return;
    }
    Padding.Flags &= ~RTLP_FLAG_ZERO;
    RtlpFormatNarrow(Sink, &Padding, Text, Length);
}

/* ---- the parser ------------------------------------------------------------------ */

static SIZE_T RtlpParseNumber(PCSTR *Cursor)
{
    SIZE_T Value = 0;
    while (**Cursor >= '0' && **Cursor <= '9') {
        Value = Value * 10 + (SIZE_T)(**Cursor - '0');
        if (Value > RTLP_MAX_FIELD)
            Value = RTLP_MAX_FIELD;
        (*Cursor)++;
    }
    return Value;
}

static PCSTR RtlpParseSpec(PCSTR Cursor, PRTLP_SPEC Spec, PRTLP_FORMAT_ARGS Args)
{
    Spec->Flags = 0;
    Spec->Width = 0;
    Spec->Precision = -1;
    Spec->Size = RtlpSizeDefault;

    for (;; Cursor++) {
        if (*Cursor == '-')
            Spec->Flags |= RTLP_FLAG_LEFT;
        else if (*Cursor == '+')
            Spec->Flags |= RTLP_FLAG_PLUS;
        else if (*Cursor == ' ')
            Spec->Flags |= RTLP_FLAG_SPACE;
        else if (*Cursor == '#')
            Spec->Flags |= RTLP_FLAG_ALT;
        else if (*Cursor == '0')
            Spec->Flags |= RTLP_FLAG_ZERO;
        else
            break;
    }

    if (*Cursor == '*') {
        LONGLONG Width = RtlpArgInt(Args);
        Cursor++;
        if (Width < 0) {            /* a negative * width means left-justify */
            Spec->Flags |= RTLP_FLAG_LEFT;
            Width = -Width;
        }
        Spec->Width = (SIZE_T)Width;
    } else {
        Spec->Width = RtlpParseNumber(&Cursor);
    }

    if (*Cursor == '.') {
        Cursor++;
        if (*Cursor == '*') {
            int Precision = RtlpArgInt(Args);
            Cursor++;
            Spec->Precision = Precision < 0 ? -1 : Precision;   /* negative: as if absent */
        } else {
            Spec->Precision = (LONG)RtlpParseNumber(&Cursor);
        }
    }

    switch (*Cursor) {
    case 'h':
        Cursor++;
        Spec->Size = RtlpSizeShort;
        if (*Cursor == 'h') {
            Cursor++;
            Spec->Size = RtlpSizeChar;
        }
        break;
    case 'l':
        Cursor++;
        Spec->Size = RtlpSizeLong;
        if (*Cursor == 'l') {
            Cursor++;
            Spec->Size = RtlpSize64;
        }
        break;
    case 'L':
        Cursor++;
        Spec->Size = RtlpSizeLongDouble;
        break;
    case 'w':
        Cursor++;
        Spec->Size = RtlpSizeWide;
        break;
    case 'z':
    case 't':
    case 'j':
        Cursor++;
        Spec->Size = RtlpSize64;
        break;
    case 'I':
        if (Cursor[1] == '3' && Cursor[2] == '2') {
            Cursor += 3;
            Spec->Size = RtlpSize32;
        } else if (Cursor[1] == '6' && Cursor[2] == '4') {
            Cursor += 3;
            Spec->Size = RtlpSize64;
        } else {
            Cursor++;
            Spec->Size = RtlpSize64;     /* pointer-sized on x64 */
        }
        break;
    default:
        break;
    }
    return Cursor;
}

static BOOLEAN RtlpIsWideSize(RTLP_ARG_SIZE Size)
{
    return Size == RtlpSizeLong || Size == RtlpSizeWide;
}

static BOOLEAN RtlpIsNarrowSize(RTLP_ARG_SIZE Size)
{
    return Size == RtlpSizeShort || Size == RtlpSizeChar;
}

/* Formats one conversion. Returns FALSE for a conversion it does not know. */
static BOOLEAN RtlpFormatOne(PRTLP_SINK Sink, PRTLP_SPEC Spec, CHAR Conversion, PRTLP_FORMAT_ARGS Args)
{
    switch (Conversion) {
    case '%':
        RtlpEmit(Sink, "%", 1);
        return TRUE;
    case 'd':
    case 'i': {
        LONGLONG Value = RtlpFetchSigned(Args, Spec->Size);
        ULONGLONG Magnitude = Value < 0 ? 0ULL - (ULONGLONG)Value : (ULONGLONG)Value;
        RtlpFormatInteger(Sink, Spec, Magnitude, Value < 0, TRUE, 10, FALSE);
        return TRUE;
    }
    case 'u':
        RtlpFormatInteger(Sink, Spec, RtlpFetchUnsigned(Args, Spec->Size), FALSE, FALSE, 10, FALSE);
        return TRUE;
    case 'o':
        RtlpFormatInteger(Sink, Spec, RtlpFetchUnsigned(Args, Spec->Size), FALSE, FALSE, 8, FALSE);
        return TRUE;
    case 'x':
    case 'X':
        RtlpFormatInteger(Sink, Spec, RtlpFetchUnsigned(Args, Spec->Size), FALSE, FALSE, 16, Conversion == 'X');
        return TRUE;
    case 'p': {
        /* Windows x64: always 16 uppercase digits, no 0x, no sign. */
        ULONG_PTR Value = (ULONG_PTR)RtlpArgPointer(Args);
        Spec->Precision = 2 * sizeof(PVOID);
        Spec->Flags &= ~(RTLP_FLAG_ALT | RTLP_FLAG_PLUS | RTLP_FLAG_SPACE);
        RtlpFormatInteger(Sink, Spec, Value, FALSE, FALSE, 16, TRUE);
        return TRUE;
    }
    case 'c':
    case 'C': {
        /* Characters arrive promoted to int. */
        int Value = RtlpArgInt(Args);
        BOOLEAN Wide = (Conversion == 'c') != Sink->WideDefault ? RtlpIsWideSize(Spec->Size)
                                                                : !RtlpIsNarrowSize(Spec->Size);
        if (Wide) {
            WCHAR Character = (WCHAR)Value;
            RtlpFormatWide(Sink, Spec, &Character, 1);
        } else {
            CHAR Character = (CHAR)Value;
            RtlpFormatNarrow(Sink, Spec, &Character, 1);
        }
        return TRUE;
    }
    case 's':
    case 'S': {
        BOOLEAN Wide = (Conversion == 's') != Sink->WideDefault ? RtlpIsWideSize(Spec->Size)
                                                                : !RtlpIsNarrowSize(Spec->Size);
        if (Wide)
            RtlpFormatWideString(Sink, Spec, (PCWSTR)RtlpArgPointer(Args));
        else
            RtlpFormatNarrowString(Sink, Spec, (PCSTR)RtlpArgPointer(Args));
        return TRUE;
    }
    case 'Z':
        if (RtlpIsWideSize(Spec->Size)) {
            PCUNICODE_STRING String = (PCUNICODE_STRING)RtlpArgPointer(Args);
            if (String == NULL || String->Buffer == NULL)
                RtlpFormatNull(Sink, Spec);
            else
                RtlpFormatWide(Sink, Spec, String->Buffer, RtlpLimit(Spec, String->Length / sizeof(WCHAR)));
        } else {
            PCANSI_STRING String = (PCANSI_STRING)RtlpArgPointer(Args);
            if (String == NULL || String->Buffer == NULL)
                RtlpFormatNull(Sink, Spec);
            else
                RtlpFormatNarrow(Sink, Spec, String->Buffer, RtlpLimit(Spec, String->Length));
        }
        return TRUE;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
    case 'a':
    case 'A': {
        double Value = RtlpArgDouble(Args, Spec->Size == RtlpSizeLongDouble);
        RtlpFormatFloat(Sink, Spec, Conversion, Value);
        return TRUE;
    }
    case 'n':
        (void)RtlpArgPointer(Args);
        return TRUE;
    default:
        return FALSE;
    }
}

SIZE_T RtlpFormatV(PCHAR Buffer, SIZE_T Size, PCSTR Format, va_list Args)
{
    return RtlpFormatVEx(Buffer, Size, Format, Args, FALSE);
}

SIZE_T RtlpFormatVEx(PCHAR Buffer, SIZE_T Size, PCSTR Format, va_list Args, BOOLEAN WideDefault)
{
    RTLP_FORMAT_ARGS Copy = { .Ms = NULL };
    va_copy(Copy.Sysv, Args);
    SIZE_T Length = RtlpFormatArgs(Buffer, Size, Format, &Copy, WideDefault);
    va_end(Copy.Sysv);
    return Length;
}

SIZE_T RtlpFormatArgs(PCHAR Buffer, SIZE_T Size, PCSTR Format, PRTLP_FORMAT_ARGS Args, BOOLEAN WideDefault)
{
    RTLP_SINK Sink = { Buffer, Size, 0, WideDefault };
    PCSTR Cursor = Format != NULL ? Format : "";

    while (*Cursor != 0) {
        PCSTR Start = Cursor;
        RTLP_SPEC Spec;

        if (*Cursor != '%') {
            while (*Cursor != 0 && *Cursor != '%')
                Cursor++;
            RtlpEmit(&Sink, Start, (SIZE_T)(Cursor - Start));
            continue;
        }
        Cursor = RtlpParseSpec(Cursor + 1, &Spec, Args);
        if (*Cursor == 0) {
            RtlpEmit(&Sink, Start, (SIZE_T)(Cursor - Start));
            break;
        }
        if (!RtlpFormatOne(&Sink, &Spec, *Cursor, Args))
            RtlpEmit(&Sink, Start, (SIZE_T)(Cursor + 1 - Start));
        Cursor++;
    }

    if (Size != 0)
        Buffer[Sink.Count < Size - 1 ? Sink.Count : Size - 1] = 0;
    return Sink.Count;
}

SIZE_T RtlpFormat(PCHAR Buffer, SIZE_T Size, PCSTR Format, ...)
{
    va_list Args;
    SIZE_T Length;

    va_start(Args, Format);
    Length = RtlpFormatV(Buffer, Size, Format, Args);
    va_end(Args);
    return Length;
}
