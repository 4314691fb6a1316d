// NTPS-TEST: modes rt1
// NTPS-TEST: cc --std=c++20
/* `ntps cc --std=c++20`: the C++20 standard (consteval, designated
 * initializers, concepts), still without exceptions or RTTI. */
#include <ntddk.h>
#include "ktest.h"

#if __cplusplus < 202002L
#error "not C++20"
#endif

consteval ULONG CcTag(const char (&Text)[5])
{
    return (ULONG)Text[0] | (ULONG)Text[1] << 8 | (ULONG)Text[2] << 16 | (ULONG)Text[3] << 24;
}

template <typename T>
concept Counted = requires(T t) { t.Length; t.MaximumLength; };

template <Counted T> static USHORT CcRoom(const T &String)
{
    return String.MaximumLength - String.Length;
}

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    static_assert(CcTag("Ntps") == 'sptN');
    UNICODE_STRING Name = { .Length = 2, .MaximumLength = 8, .Buffer = nullptr };
    KT_EQ(CcRoom(Name), 6);
#if defined(__cpp_exceptions) || defined(__GXX_RTTI)
    KT_CHECK(!"exceptions or RTTI on");
#endif
    KT_DONE();
    return STATUS_SUCCESS;
}
