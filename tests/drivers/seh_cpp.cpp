/*
 * SEH in a C++17 driver (built without exceptions or RTTI): __try/__except
 * and __try/__finally in member functions and templates, a hardware fault
 * and a raised status caught, break and continue in a handler reaching
 * the enclosing loop (C++ keeps the frame in an if statement's
 * init-statement), RAII objects destroyed on the normal path.
 */
// NTPS-TEST: modes rt1 sim1
#include <ntddk.h>
#include "ktest.h"

static volatile ULONG_PTR BadAddress = 0x28;

struct Counter {
    LONG Value = 0;
    void Bump() { Value++; }
};

class Prober {
public:
    NTSTATUS Read(int *Out) const
    {
        NTSTATUS Status = STATUS_SUCCESS;
        __try {
            *Out = *reinterpret_cast<volatile int *>(BadAddress);
            *Out += 1;
        } __except (GetExceptionCode() == STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER
                                                                  : EXCEPTION_CONTINUE_SEARCH) {
            Status = GetExceptionCode();
        }
        return Status;
    }
};

template <typename T> static T RaiseAndCatch(T Value)
{
    T Result = T();
    __try {
        ExRaiseStatus(STATUS_UNSUCCESSFUL);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Result = Value;
    }
    return Result;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    int Value = 0;
    KT_EQ(Prober().Read(&Value), STATUS_ACCESS_VIOLATION);
    KT_EQ(RaiseAndCatch<int>(7), 7);
    KT_EQ(RaiseAndCatch<LONG64>(1LL << 40), 1LL << 40);

    Counter Finals, Abnormal;
    int i, Caught = 0;
    for (i = 0; i < 100; i++) {
        __try {
            __try {
                ExRaiseStatus(STATUS_CANCELLED);
            } __finally {
                Finals.Bump();
                if (AbnormalTermination())
                    Abnormal.Bump();
            }
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            Caught++;
            if (i == 4)
                break;          /* leaves the loop */
            continue;           /* next iteration */
        }
        KT_CHECK(!"continue in a handler did not reach the loop");
    }
    KT_EQ(i, 4);
    KT_EQ(Caught, 5);
    KT_EQ(Finals.Value, 5);
    KT_EQ(Abnormal.Value, 5);
    __try {
        Value = 3;
    } __finally {
        KT_CHECK(!AbnormalTermination());
        Value++;
    }
    KT_EQ(Value, 4);
    KT_DONE();
    return STATUS_SUCCESS;
}
