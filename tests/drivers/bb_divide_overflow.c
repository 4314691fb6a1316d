// NTPS-TEST: modes rt1 sim1
/*
 * x64 raises one trap (#DE) for a division by zero and for a quotient that
 * does not fit (INT_MIN / -1, 2^32 / 1 with a 64-bit dividend). The NT kernel
 * tells them apart by the divisor: zero is STATUS_INTEGER_DIVIDE_BY_ZERO,
 * anything else STATUS_INTEGER_OVERFLOW (EXCEPTION_INT_OVERFLOW). Divisors
 * in registers and in memory (RIP-relative, base+index, stack), 8/16/32/64-bit
 * operands, div and idiv.
 */
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Zero32 = 0, MinusOne32 = -1, Min32 = MINLONG;
static volatile LONG64 MinusOne64 = -1, Min64 = (LONG64)0x8000000000000000ULL;

static NTSTATUS Code(int Which)
{
    NTSTATUS Status = STATUS_SUCCESS;
    __try {
        switch (Which) {
        case 0: { volatile LONG a = 7; a = a / Zero32; break; }
        case 1: { volatile LONG a = Min32; a = a / MinusOne32; break; }
        case 2: { volatile LONG64 a = Min64; a = a / MinusOne64; break; }
        case 3: { volatile LONG a = Min32; a = a % MinusOne32; break; }
        case 4: {   /* idiv with the divisor in memory (RIP-relative) */
            LONG Lo = MINLONG, Hi = -1;
            __asm__ volatile("idivl %2" : "+a"(Lo), "+d"(Hi) : "m"(MinusOne32) : "cc");
            break; }
        case 5: {   /* div: 2^32 / 1 with a 64-bit dividend in edx:eax */
            ULONG Lo = 0, Hi = 1, One = 1;
            __asm__ volatile("divl %2" : "+a"(Lo), "+d"(Hi) : "r"(One) : "cc");
            break; }
        case 6: {   /* 8-bit: 0x100 / 1 does not fit in al */
            USHORT Ax = 0x100; UCHAR One = 1;
            __asm__ volatile("divb %1" : "+a"(Ax) : "q"(One) : "cc");
            break; }
        case 7: {   /* 16-bit, divisor in memory through a base register */
            USHORT Ax = 0, Dx = 1; volatile USHORT One = 1; volatile USHORT *P = &One;
            __asm__ volatile("divw (%2)" : "+a"(Ax), "+d"(Dx) : "r"(P) : "cc", "memory");
            break; }
        case 8: {   /* divisor zero in memory through base+index*scale+disp */
            ULONG64 Rax = 1, Rdx = 0; volatile ULONG64 Table[4] = { 1, 1, 0, 1 }; ULONG64 Index = 1;
            __asm__ volatile("divq 8(%2,%3,8)" : "+a"(Rax), "+d"(Rdx) : "r"(Table), "r"(Index) : "cc", "memory");
            break; }
        case 9: {   /* 64-bit register divisor (r9) that is not zero */
            ULONG64 Rax = 0, Rdx = 5; register ULONG64 R9 __asm__("r9") = 2;
            __asm__ volatile("divq %2" : "+a"(Rax), "+d"(Rdx) : "r"(R9) : "cc");
            break; }
        case 10: {  /* 8-bit divisor in ah: zero */
            USHORT Ax = 0x0005;
            __asm__ volatile("divb %%ah" : "+a"(Ax) : : "cc");
            break; }
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Status = GetExceptionCode();
    }
    return Status;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KT_EQ(Code(0), STATUS_INTEGER_DIVIDE_BY_ZERO);
    KT_EQ(Code(1), STATUS_INTEGER_OVERFLOW);
    KT_EQ(Code(2), STATUS_INTEGER_OVERFLOW);
    KT_EQ(Code(3), STATUS_INTEGER_OVERFLOW);
    KT_EQ(Code(4), STATUS_INTEGER_OVERFLOW);
    KT_EQ(Code(5), STATUS_INTEGER_OVERFLOW);
    KT_EQ(Code(6), STATUS_INTEGER_OVERFLOW);
    KT_EQ(Code(7), STATUS_INTEGER_OVERFLOW);
    KT_EQ(Code(8), STATUS_INTEGER_DIVIDE_BY_ZERO);
    KT_EQ(Code(9), STATUS_INTEGER_OVERFLOW);
    KT_EQ(Code(10), STATUS_INTEGER_DIVIDE_BY_ZERO);
    KT_DONE();
    return STATUS_SUCCESS;
}
