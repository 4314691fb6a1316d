/*
 * bench/drivers/interp.c - a Lua-like whole program for the preemption
 * point benchmark: a small bytecode interpreter (a dispatch loop over a
 * value stack in memory, calls with frames), a hash table, string building
 * and a sort, all in "driver code". Its script: fib(16) in bytecode, a
 * table of 4096 keys filled and read back, 8192 numbers formatted into
 * a buffer and hashed, 4096 numbers sorted (about 0.3 ms). Nothing is allocated: the
 * caller passes an arena.
 */
#include <ntddk.h>

typedef enum { OpConst, OpArg, OpAdd, OpSub, OpLess, OpJumpIfNot, OpCall, OpReturn } OPCODE;

typedef struct _INSN {
    UCHAR Op;
    LONG Operand;
} INSN;

/* fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2) */
static const INSN FibCode[] = {
    { OpArg, 0 }, { OpConst, 2 }, { OpLess, 0 }, { OpJumpIfNot, 6 },
    { OpArg, 0 }, { OpReturn, 0 },
    { OpArg, 0 }, { OpConst, 1 }, { OpSub, 0 }, { OpCall, 0 },
    { OpArg, 0 }, { OpConst, 2 }, { OpSub, 0 }, { OpCall, 0 },
    { OpAdd, 0 }, { OpReturn, 0 },
};

typedef struct _VM {
    LONG64 *Stack;      /* values */
    ULONG Top;
    ULONG *Frames;      /* return pc, argument slot */
    ULONG Depth;
} VM;

static LONG64 VmRun(VM *Vm, const INSN *Code, LONG64 Arg)
{
    ULONG Pc = 0, Base = Vm->Top;
    Vm->Stack[Vm->Top++] = Arg;
    for (;;) {
        const INSN *I = &Code[Pc++];
        switch (I->Op) {
        case OpConst: Vm->Stack[Vm->Top++] = I->Operand; break;
        case OpArg: Vm->Stack[Vm->Top++] = Vm->Stack[Base]; break;
        case OpAdd: Vm->Top--; Vm->Stack[Vm->Top - 1] += Vm->Stack[Vm->Top]; break;
        case OpSub: Vm->Top--; Vm->Stack[Vm->Top - 1] -= Vm->Stack[Vm->Top]; break;
        case OpLess: Vm->Top--; Vm->Stack[Vm->Top - 1] = Vm->Stack[Vm->Top - 1] < Vm->Stack[Vm->Top]; break;
        case OpJumpIfNot: if (!Vm->Stack[--Vm->Top]) Pc = (ULONG)I->Operand; break;
        case OpCall:    /* the argument is on the stack: it becomes the callee's slot */
            Vm->Frames[Vm->Depth++] = Pc;
            Vm->Frames[Vm->Depth++] = Base;
            Base = Vm->Top - 1;
            Pc = 0;
            break;
        case OpReturn: {
            LONG64 Result = Vm->Stack[Vm->Top - 1];
            Vm->Top = Base;
            if (Vm->Depth == 0)
                return Result;
            Base = Vm->Frames[--Vm->Depth];
            Pc = Vm->Frames[--Vm->Depth];
            Vm->Stack[Vm->Top++] = Result;
            break;
        }
        }
    }
}

typedef struct _SLOT {
    ULONG64 Key;
    LONG64 Value;
} SLOT;

static ULONG64 Mix(ULONG64 X)
{
    X ^= X >> 33;
    X *= 0xff51afd7ed558ccdULL;
    return X ^ (X >> 33);
}

static VOID TableSet(SLOT *T, ULONG Mask, ULONG64 Key, LONG64 Value)
{
    for (ULONG i = (ULONG)Mix(Key) & Mask;; i = (i + 1) & Mask)
        if (T[i].Key == 0 || T[i].Key == Key) {
            T[i].Key = Key;
            T[i].Value = Value;
            return;
        }
}

static LONG64 TableGet(const SLOT *T, ULONG Mask, ULONG64 Key)
{
    for (ULONG i = (ULONG)Mix(Key) & Mask;; i = (i + 1) & Mask)
        if (T[i].Key == Key || T[i].Key == 0)
            return T[i].Key == Key ? T[i].Value : 0;
}

static ULONG Format(CHAR *Out, ULONG64 V)
{
    CHAR Digits[24];
    ULONG n = 0, Length = 0;
    do Digits[n++] = (CHAR)('0' + V % 10); while ((V /= 10) != 0);
    while (n > 0)
        Out[Length++] = Digits[--n];
    Out[Length++] = ',';
    return Length;
}

static VOID Sort(LONG64 *A, LONG Low, LONG High)
{
    while (Low < High) {
        LONG64 Pivot = A[(Low + High) / 2];
        LONG i = Low, j = High;
        while (i <= j) {
            while (A[i] < Pivot) i++;
            while (A[j] > Pivot) j--;
            if (i <= j) {
                LONG64 T = A[i]; A[i] = A[j]; A[j] = T;
                i++; j--;
            }
        }
        if (j - Low < High - i) { Sort(A, Low, j); Low = i; }
        else { Sort(A, i, High); High = j; }
    }
}

#define TABLE_KEYS 4096
#define TABLE_SLOTS 8192
#define FORMAT_NUMBERS 8192
#define SORT_NUMBERS 4096

/* Arena: at least 1 MiB; returns a checksum. */
NTPS_EXPORT ULONG64 BenchInterpreter(PVOID Arena, SIZE_T Size)
{
    if (Size < ((SIZE_T)1 << 20))
        return 0;
    PUCHAR P = Arena;
    VM Vm = { (LONG64 *)P, 0, (ULONG *)(P + 4096 * 8), 0 };
    ULONG64 Sum = (ULONG64)VmRun(&Vm, FibCode, 16);

    SLOT *T = (SLOT *)P;        /* the VM's stack is done with */
    RtlZeroMemory(T, TABLE_SLOTS * sizeof(SLOT));
    for (ULONG64 k = 1; k <= TABLE_KEYS; k++)
        TableSet(T, TABLE_SLOTS - 1, Mix(k) | 1, (LONG64)k);
    for (ULONG64 k = 1; k <= TABLE_KEYS; k++)
        Sum += (ULONG64)TableGet(T, TABLE_SLOTS - 1, Mix(k) | 1);

    CHAR *S = (CHAR *)P;
    ULONG Length = 0;
    for (ULONG64 k = 0; k < FORMAT_NUMBERS; k++)
        Length += Format(S + Length, k * 2654435761u);
    ULONG Hash = 2166136261u;
    for (ULONG i = 0; i < Length; i++)
        Hash = (Hash ^ (UCHAR)S[i]) * 16777619u;
    Sum += Hash;

    LONG64 *A = (LONG64 *)P;
    for (ULONG i = 0; i < SORT_NUMBERS; i++)
        A[i] = (LONG64)(Mix(i + 1) >> 20);
    Sort(A, 0, SORT_NUMBERS - 1);
    return Sum + (ULONG64)A[SORT_NUMBERS / 2];
}
