/*
 * ntintsafe.h - integer arithmetic and conversions that detect overflow,
 * for kernel-mode drivers, as implemented by ntps (written from the WDK
 * documentation of ntintsafe.h; no header is copied).
 *
 * Every routine returns STATUS_SUCCESS with the result, or
 * STATUS_INTEGER_OVERFLOW (0xC0000095) when the exact result does not fit
 * the result type; the result is then set to the type's *_ERROR value
 * (all bits set for unsigned types, -1 for signed ones), as documented.
 * Names follow the WDK: Rtl<Type>Add/Sub/Mult and Rtl<From>To<To>.
 */
#ifndef _NTINTSAFE_H_INCLUDED_
#define _NTINTSAFE_H_INCLUDED_

#include <ntdef.h>
#include <ntstatus.h>

#ifndef STATUS_INTEGER_OVERFLOW
#define STATUS_INTEGER_OVERFLOW ((NTSTATUS)0xC0000095L)
#endif

#define INT8_ERROR (-1)
#define UINT8_ERROR 0xffU
#define BYTE_ERROR 0xffU
#define SHORT_ERROR (-1)
#define USHORT_ERROR 0xffffU
#define WORD_ERROR USHORT_ERROR
#define INT_ERROR (-1)
#define INT32_ERROR (-1)
#define UINT_ERROR 0xffffffffU
#define UINT32_ERROR UINT_ERROR
#define LONG_ERROR (-1L)
#define ULONG_ERROR 0xffffffffUL
#define DWORD_ERROR ULONG_ERROR
#define LONGLONG_ERROR (-1LL)
#define LONG64_ERROR (-1LL)
#define INT64_ERROR (-1LL)
#define ULONGLONG_ERROR 0xffffffffffffffffULL
#define ULONG64_ERROR ULONGLONG_ERROR
#define DWORD64_ERROR ULONGLONG_ERROR
#define UINT64_ERROR ULONGLONG_ERROR
#define LONG_PTR_ERROR (-1L)
#define INT_PTR_ERROR (-1L)
#define SSIZET_ERROR (-1L)
#define ULONG_PTR_ERROR 0xffffffffffffffffUL
#define UINT_PTR_ERROR ULONG_PTR_ERROR
#define DWORD_PTR_ERROR ULONG_PTR_ERROR
#define SIZET_ERROR ULONG_PTR_ERROR

NTPS_BEGIN_DECLS

/* Type, error value, and the name fragment of each arithmetic family. */
#define NTPS_INTSAFE_ARITH(Name, Type, Error)                                            \
    NTPS_INLINE NTSTATUS Rtl##Name##Add(Type Augend, Type Addend, Type *Result)        \
    {                                                                                   \
        if (__builtin_add_overflow(Augend, Addend, Result)) {                           \
            *Result = (Type)(Error);                                                     \
            return STATUS_INTEGER_OVERFLOW;                                             \
        }                                                                               \
        return STATUS_SUCCESS;                                                          \
    }                                                                                   \
    NTPS_INLINE NTSTATUS Rtl##Name##Sub(Type Minuend, Type Subtrahend, Type *Result)   \
    {                                                                                   \
        if (__builtin_sub_overflow(Minuend, Subtrahend, Result)) {                      \
            *Result = (Type)(Error);                                                    \
            return STATUS_INTEGER_OVERFLOW;                                             \
        }                                                                               \
        return STATUS_SUCCESS;                                                          \
    }                                                                                   \
    NTPS_INLINE NTSTATUS Rtl##Name##Mult(Type Multiplicand, Type Multiplier, Type *Result) \
    {                                                                                   \
        if (__builtin_mul_overflow(Multiplicand, Multiplier, Result)) {                 \
            *Result = (Type)(Error);                                                    \
            return STATUS_INTEGER_OVERFLOW;                                             \
        }                                                                               \
        return STATUS_SUCCESS;                                                          \
    }

NTPS_INTSAFE_ARITH(UInt8, UINT8, UINT8_ERROR)
NTPS_INTSAFE_ARITH(Byte, BYTE, BYTE_ERROR)
NTPS_INTSAFE_ARITH(Int8, INT8, INT8_ERROR)
NTPS_INTSAFE_ARITH(UShort, USHORT, USHORT_ERROR)
NTPS_INTSAFE_ARITH(Word, WORD, WORD_ERROR)
NTPS_INTSAFE_ARITH(Short, SHORT, SHORT_ERROR)
NTPS_INTSAFE_ARITH(UInt, UINT, UINT_ERROR)
NTPS_INTSAFE_ARITH(UInt32, UINT32, UINT32_ERROR)
NTPS_INTSAFE_ARITH(Int, INT, INT_ERROR)
NTPS_INTSAFE_ARITH(Int32, INT32, INT32_ERROR)
NTPS_INTSAFE_ARITH(ULong, ULONG, ULONG_ERROR)
NTPS_INTSAFE_ARITH(DWord, DWORD, DWORD_ERROR)
NTPS_INTSAFE_ARITH(Long, LONG, LONG_ERROR)
NTPS_INTSAFE_ARITH(ULongLong, ULONGLONG, ULONGLONG_ERROR)
NTPS_INTSAFE_ARITH(ULong64, ULONG64, ULONG64_ERROR)
NTPS_INTSAFE_ARITH(DWord64, DWORD64, DWORD64_ERROR)
NTPS_INTSAFE_ARITH(UInt64, UINT64, UINT64_ERROR)
NTPS_INTSAFE_ARITH(LongLong, LONGLONG, LONGLONG_ERROR)
NTPS_INTSAFE_ARITH(Long64, LONG64, LONG64_ERROR)
NTPS_INTSAFE_ARITH(Int64, INT64, INT64_ERROR)
NTPS_INTSAFE_ARITH(SizeT, SIZE_T, SIZET_ERROR)
NTPS_INTSAFE_ARITH(SIZET, SIZE_T, SIZET_ERROR)
NTPS_INTSAFE_ARITH(SSIZET, SSIZE_T, SSIZET_ERROR)
NTPS_INTSAFE_ARITH(ULongPtr, ULONG_PTR, ULONG_PTR_ERROR)
NTPS_INTSAFE_ARITH(DWordPtr, DWORD_PTR, DWORD_PTR_ERROR)
NTPS_INTSAFE_ARITH(UIntPtr, UINT_PTR, UINT_PTR_ERROR)
NTPS_INTSAFE_ARITH(LongPtr, LONG_PTR, LONG_PTR_ERROR)
NTPS_INTSAFE_ARITH(IntPtr, INT_PTR, INT_PTR_ERROR)

#undef NTPS_INTSAFE_ARITH

/* FromType -> ToType: fails when the value is not representable in ToType. */
#define NTPS_INTSAFE_CONVERT(FromName, FromType, ToName, ToType, Error)                  \
    NTPS_INLINE NTSTATUS Rtl##FromName##To##ToName(FromType Operand, ToType *Result)    \
    {                                                                                   \
        if (__builtin_add_overflow(Operand, (FromType)0, Result)) {                     \
            *Result = (ToType)(Error);                                                  \
            return STATUS_INTEGER_OVERFLOW;                                             \
        }                                                                               \
        return STATUS_SUCCESS;                                                          \
    }

NTPS_INTSAFE_CONVERT(UShort, USHORT, UChar, UCHAR, UINT8_ERROR)
NTPS_INTSAFE_CONVERT(UShort, USHORT, Byte, BYTE, BYTE_ERROR)
NTPS_INTSAFE_CONVERT(UShort, USHORT, Short, SHORT, SHORT_ERROR)
NTPS_INTSAFE_CONVERT(Short, SHORT, UShort, USHORT, USHORT_ERROR)
NTPS_INTSAFE_CONVERT(Short, SHORT, UChar, UCHAR, UINT8_ERROR)
NTPS_INTSAFE_CONVERT(Short, SHORT, ULong, ULONG, ULONG_ERROR)
NTPS_INTSAFE_CONVERT(Int, INT, UInt, UINT, UINT_ERROR)
NTPS_INTSAFE_CONVERT(Int, INT, ULong, ULONG, ULONG_ERROR)
NTPS_INTSAFE_CONVERT(Int, INT, UShort, USHORT, USHORT_ERROR)
NTPS_INTSAFE_CONVERT(Int, INT, Short, SHORT, SHORT_ERROR)
NTPS_INTSAFE_CONVERT(Int, INT, UChar, UCHAR, UINT8_ERROR)
NTPS_INTSAFE_CONVERT(Int, INT, SizeT, SIZE_T, SIZET_ERROR)
NTPS_INTSAFE_CONVERT(Int, INT, ULongLong, ULONGLONG, ULONGLONG_ERROR)
NTPS_INTSAFE_CONVERT(UInt, UINT, Int, INT, INT_ERROR)
NTPS_INTSAFE_CONVERT(UInt, UINT, Long, LONG, LONG_ERROR)
NTPS_INTSAFE_CONVERT(UInt, UINT, UShort, USHORT, USHORT_ERROR)
NTPS_INTSAFE_CONVERT(UInt, UINT, UChar, UCHAR, UINT8_ERROR)
NTPS_INTSAFE_CONVERT(Long, LONG, UInt, UINT, UINT_ERROR)
NTPS_INTSAFE_CONVERT(Long, LONG, ULong, ULONG, ULONG_ERROR)
NTPS_INTSAFE_CONVERT(Long, LONG, UShort, USHORT, USHORT_ERROR)
NTPS_INTSAFE_CONVERT(Long, LONG, Short, SHORT, SHORT_ERROR)
NTPS_INTSAFE_CONVERT(Long, LONG, UChar, UCHAR, UINT8_ERROR)
NTPS_INTSAFE_CONVERT(Long, LONG, SizeT, SIZE_T, SIZET_ERROR)
NTPS_INTSAFE_CONVERT(Long, LONG, ULongLong, ULONGLONG, ULONGLONG_ERROR)
NTPS_INTSAFE_CONVERT(Long, LONG, ULongPtr, ULONG_PTR, ULONG_PTR_ERROR)
NTPS_INTSAFE_CONVERT(ULong, ULONG, Long, LONG, LONG_ERROR)
NTPS_INTSAFE_CONVERT(ULong, ULONG, Int, INT, INT_ERROR)
NTPS_INTSAFE_CONVERT(ULong, ULONG, UShort, USHORT, USHORT_ERROR)
NTPS_INTSAFE_CONVERT(ULong, ULONG, Short, SHORT, SHORT_ERROR)
NTPS_INTSAFE_CONVERT(ULong, ULONG, UChar, UCHAR, UINT8_ERROR)
NTPS_INTSAFE_CONVERT(ULong, ULONG, Byte, BYTE, BYTE_ERROR)
NTPS_INTSAFE_CONVERT(ULong, ULONG, LongPtr, LONG_PTR, LONG_PTR_ERROR)
NTPS_INTSAFE_CONVERT(DWord, DWORD, Long, LONG, LONG_ERROR)
NTPS_INTSAFE_CONVERT(DWord, DWORD, UShort, USHORT, USHORT_ERROR)
NTPS_INTSAFE_CONVERT(LongLong, LONGLONG, Long, LONG, LONG_ERROR)
NTPS_INTSAFE_CONVERT(LongLong, LONGLONG, ULong, ULONG, ULONG_ERROR)
NTPS_INTSAFE_CONVERT(LongLong, LONGLONG, Int, INT, INT_ERROR)
NTPS_INTSAFE_CONVERT(LongLong, LONGLONG, UInt, UINT, UINT_ERROR)
NTPS_INTSAFE_CONVERT(LongLong, LONGLONG, ULongLong, ULONGLONG, ULONGLONG_ERROR)
NTPS_INTSAFE_CONVERT(LongLong, LONGLONG, SizeT, SIZE_T, SIZET_ERROR)
NTPS_INTSAFE_CONVERT(LongLong, LONGLONG, LongPtr, LONG_PTR, LONG_PTR_ERROR)
NTPS_INTSAFE_CONVERT(ULongLong, ULONGLONG, ULong, ULONG, ULONG_ERROR)
NTPS_INTSAFE_CONVERT(ULongLong, ULONGLONG, DWord, DWORD, DWORD_ERROR)
NTPS_INTSAFE_CONVERT(ULongLong, ULONGLONG, UInt, UINT, UINT_ERROR)
NTPS_INTSAFE_CONVERT(ULongLong, ULONGLONG, Long, LONG, LONG_ERROR)
NTPS_INTSAFE_CONVERT(ULongLong, ULONGLONG, Int, INT, INT_ERROR)
NTPS_INTSAFE_CONVERT(ULongLong, ULONGLONG, LongLong, LONGLONG, LONGLONG_ERROR)
NTPS_INTSAFE_CONVERT(ULongLong, ULONGLONG, UShort, USHORT, USHORT_ERROR)
NTPS_INTSAFE_CONVERT(ULongLong, ULONGLONG, SizeT, SIZE_T, SIZET_ERROR)
NTPS_INTSAFE_CONVERT(ULongLong, ULONGLONG, ULongPtr, ULONG_PTR, ULONG_PTR_ERROR)
NTPS_INTSAFE_CONVERT(ULongLong, ULONGLONG, LongPtr, LONG_PTR, LONG_PTR_ERROR)
NTPS_INTSAFE_CONVERT(SizeT, SIZE_T, ULong, ULONG, ULONG_ERROR)
NTPS_INTSAFE_CONVERT(SizeT, SIZE_T, DWord, DWORD, DWORD_ERROR)
NTPS_INTSAFE_CONVERT(SizeT, SIZE_T, UInt, UINT, UINT_ERROR)
NTPS_INTSAFE_CONVERT(SizeT, SIZE_T, Int, INT, INT_ERROR)
NTPS_INTSAFE_CONVERT(SizeT, SIZE_T, Long, LONG, LONG_ERROR)
NTPS_INTSAFE_CONVERT(SizeT, SIZE_T, UShort, USHORT, USHORT_ERROR)
NTPS_INTSAFE_CONVERT(SizeT, SIZE_T, LongPtr, LONG_PTR, LONG_PTR_ERROR)
NTPS_INTSAFE_CONVERT(SizeT, SIZE_T, LongLong, LONGLONG, LONGLONG_ERROR)
NTPS_INTSAFE_CONVERT(ULongPtr, ULONG_PTR, ULong, ULONG, ULONG_ERROR)
NTPS_INTSAFE_CONVERT(ULongPtr, ULONG_PTR, UInt, UINT, UINT_ERROR)
NTPS_INTSAFE_CONVERT(ULongPtr, ULONG_PTR, Long, LONG, LONG_ERROR)
NTPS_INTSAFE_CONVERT(ULongPtr, ULONG_PTR, UShort, USHORT, USHORT_ERROR)
NTPS_INTSAFE_CONVERT(ULongPtr, ULONG_PTR, LongPtr, LONG_PTR, LONG_PTR_ERROR)
NTPS_INTSAFE_CONVERT(LongPtr, LONG_PTR, ULong, ULONG, ULONG_ERROR)
NTPS_INTSAFE_CONVERT(LongPtr, LONG_PTR, Long, LONG, LONG_ERROR)
NTPS_INTSAFE_CONVERT(LongPtr, LONG_PTR, UInt, UINT, UINT_ERROR)
NTPS_INTSAFE_CONVERT(LongPtr, LONG_PTR, ULongPtr, ULONG_PTR, ULONG_PTR_ERROR)
NTPS_INTSAFE_CONVERT(LongPtr, LONG_PTR, SizeT, SIZE_T, SIZET_ERROR)

#undef NTPS_INTSAFE_CONVERT

NTPS_END_DECLS

#endif /* _NTINTSAFE_H_INCLUDED_ */
