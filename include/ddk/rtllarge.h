/*
 * ddk/rtllarge.h - the LARGE_INTEGER arithmetic routines of wdm.h.
 * Obsolete since 64-bit compilers (QuadPart arithmetic does the same), but
 * older drivers still call them: on x64 the WDK gives them as inline
 * functions in the header, not as kernel exports, and so does ntps.
 * Written for ntps from the WDK documentation.
 */
#ifndef _NTPS_DDK_RTLLARGE_H
#define _NTPS_DDK_RTLLARGE_H

NTPS_BEGIN_DECLS

static FORCEINLINE LARGE_INTEGER RtlpMakeLarge(LONGLONG Value)
{
    LARGE_INTEGER Result;
    Result.QuadPart = Value;
    return Result;
}

static FORCEINLINE LARGE_INTEGER RtlConvertLongToLargeInteger(LONG SignedInteger)
{
    return RtlpMakeLarge(SignedInteger);
}

static FORCEINLINE LARGE_INTEGER RtlConvertUlongToLargeInteger(ULONG UnsignedInteger)
{
    return RtlpMakeLarge((LONGLONG)UnsignedInteger);
}

static FORCEINLINE LARGE_INTEGER RtlEnlargedIntegerMultiply(LONG Multiplicand, LONG Multiplier)
{
    return RtlpMakeLarge((LONGLONG)Multiplicand * Multiplier);
}

static FORCEINLINE LARGE_INTEGER RtlEnlargedUnsignedMultiply(ULONG Multiplicand, ULONG Multiplier)
{
    return RtlpMakeLarge((LONGLONG)((ULONGLONG)Multiplicand * Multiplier));
}

/* The quotient is truncated to 32 bits, as the routine's ULONG result is. */
static FORCEINLINE ULONG RtlEnlargedUnsignedDivide(ULARGE_INTEGER Dividend, ULONG Divisor, PULONG Remainder)
{
    if (Remainder != NULL)
        *Remainder = (ULONG)(Dividend.QuadPart % Divisor);
    return (ULONG)(Dividend.QuadPart / Divisor);
}

static FORCEINLINE LARGE_INTEGER RtlExtendedIntegerMultiply(LARGE_INTEGER Multiplicand, LONG Multiplier)
{
    return RtlpMakeLarge(Multiplicand.QuadPart * Multiplier);
}

static FORCEINLINE LARGE_INTEGER RtlExtendedLargeIntegerDivide(LARGE_INTEGER Dividend, ULONG Divisor, PULONG Remainder)
{
    /* The dividend is treated as unsigned, as the WDK's inline does. */
    ULONGLONG Value = (ULONGLONG)Dividend.QuadPart;
    if (Remainder != NULL)
        *Remainder = (ULONG)(Value % Divisor);
    return RtlpMakeLarge((LONGLONG)(Value / Divisor));
}

static FORCEINLINE LARGE_INTEGER RtlLargeIntegerDivide(LARGE_INTEGER Dividend, LARGE_INTEGER Divisor,
                                                       PLARGE_INTEGER Remainder)
{
    if (Remainder != NULL)
        Remainder->QuadPart = Dividend.QuadPart % Divisor.QuadPart;
    return RtlpMakeLarge(Dividend.QuadPart / Divisor.QuadPart);
}

static FORCEINLINE LARGE_INTEGER RtlLargeIntegerAdd(LARGE_INTEGER Addend1, LARGE_INTEGER Addend2)
{
    return RtlpMakeLarge((LONGLONG)((ULONGLONG)Addend1.QuadPart + (ULONGLONG)Addend2.QuadPart));
}

static FORCEINLINE LARGE_INTEGER RtlLargeIntegerSubtract(LARGE_INTEGER Minuend, LARGE_INTEGER Subtrahend)
{
    return RtlpMakeLarge((LONGLONG)((ULONGLONG)Minuend.QuadPart - (ULONGLONG)Subtrahend.QuadPart));
}

static FORCEINLINE LARGE_INTEGER RtlLargeIntegerNegate(LARGE_INTEGER Subtrahend)
{
    return RtlpMakeLarge((LONGLONG)(0 - (ULONGLONG)Subtrahend.QuadPart));
}

static FORCEINLINE LARGE_INTEGER RtlLargeIntegerShiftLeft(LARGE_INTEGER LargeInteger, CCHAR ShiftCount)
{
    return RtlpMakeLarge((LONGLONG)((ULONGLONG)LargeInteger.QuadPart << (ShiftCount & 63)));
}

/* Logical: zeros come in from the left. */
static FORCEINLINE LARGE_INTEGER RtlLargeIntegerShiftRight(LARGE_INTEGER LargeInteger, CCHAR ShiftCount)
{
    return RtlpMakeLarge((LONGLONG)((ULONGLONG)LargeInteger.QuadPart >> (ShiftCount & 63)));
}

/* Arithmetic: the sign bit comes in from the left. */
static FORCEINLINE LARGE_INTEGER RtlLargeIntegerArithmeticShift(LARGE_INTEGER LargeInteger, CCHAR ShiftCount)
{
    return RtlpMakeLarge(LargeInteger.QuadPart >> (ShiftCount & 63));
}

#define RtlLargeIntegerGreaterThan(X, Y) ((X).QuadPart > (Y).QuadPart)
#define RtlLargeIntegerGreaterThanOrEqualTo(X, Y) ((X).QuadPart >= (Y).QuadPart)
#define RtlLargeIntegerEqualTo(X, Y) ((X).QuadPart == (Y).QuadPart)
#define RtlLargeIntegerNotEqualTo(X, Y) ((X).QuadPart != (Y).QuadPart)
#define RtlLargeIntegerLessThan(X, Y) ((X).QuadPart < (Y).QuadPart)
#define RtlLargeIntegerLessThanOrEqualTo(X, Y) ((X).QuadPart <= (Y).QuadPart)
#define RtlLargeIntegerGreaterThanZero(X) ((X).QuadPart > 0)
#define RtlLargeIntegerGreaterOrEqualToZero(X) ((X).QuadPart >= 0)
#define RtlLargeIntegerEqualToZero(X) ((X).QuadPart == 0)
#define RtlLargeIntegerNotEqualToZero(X) ((X).QuadPart != 0)
#define RtlLargeIntegerLessThanZero(X) ((X).QuadPart < 0)
#define RtlLargeIntegerLessOrEqualToZero(X) ((X).QuadPart <= 0)

NTPS_END_DECLS

#endif
