// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: sources parts/cc_mixed_part.c
/*
 * One `ntps cc` call with a C++ source and a C source (parts/): each is
 * compiled as its own language (the C half does not compile as C++), the
 * C++ half as C++17 without exceptions or RTTI. Also what the WDK gives C++
 * drivers: extern "C" DriverEntry, role typedefs, SAL, #pragma alloc_text,
 * __pragma, __annotation, NT_ASSERT in expressions, min/max, _countof,
 * wcscpy_s's array overload, DEFINE_ENUM_FLAG_OPERATORS, _try/_except;
 * and an include written with backslashes and another case.
 */
#include <ntddk.h>
#include "ktest.h"
#include "parts\Sub\cc_shared.h"

enum class CC_FLAGS : ULONG { None = 0, Read = 1, Write = 2 };
DEFINE_ENUM_FLAG_OPERATORS(CC_FLAGS);

extern "C" DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD CcUnload;

#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, CcUnload)
#pragma warning(push)
#pragma warning(disable : 4201)
__pragma(warning(disable : 4100))

_Use_decl_annotations_
VOID CcUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PAGED_CODE();
}

static int CcNoExceptions()
{
#if defined(__cpp_exceptions) || defined(__GXX_RTTI)
    return 0;
#else
    return __cplusplus >= 201703L;
#endif
}

_Use_decl_annotations_
extern "C" NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = CcUnload;
    KT_EQ(CcMixedIsC(), 1);
    KT_EQ(CcMixedTryC(), 11012);
    KT_EQ(CcMixedAssertC(), 7);
    KT_EQ(CcNoExceptions(), 1);
    KT_EQ(CC_SHARED_MAGIC, 0x5eed);

    WCHAR Name[6];
    KT_EQ(wcscpy_s(Name, L"abc"), 0);                     /* the array overload: size 6 */
    KT_EQ(wcslen(Name), 3);
    KT_CHECK(wcscpy_s(Name, L"too long") != 0);
    KT_EQ(_countof(Name), 6);
    KT_EQ(sizeof(L"x"), 4);                               /* 16-bit WCHAR literals */
    KT_EQ(min(3, 5), 3);
    KT_EQ(max(3UL, 5UL), 5);
    CC_FLAGS Flags = CC_FLAGS::Read | CC_FLAGS::Write;
    Flags &= ~CC_FLAGS::Read;
    KT_CHECK(Flags == CC_FLAGS::Write);

    __annotation(L"Debug", L"AssertFail", L"x");
    KT_CHECK(NT_ASSERT(Name[0] == 0));                   /* a failed wcscpy_s empties it */
    int Checked = (NT_ASSERTMSG("never", 1 + 1 == 2), 5);
    KT_EQ(Checked, 5);
    volatile NTSTATUS Code = 0;
    _try {
        NT_ASSERT(Checked == 6);                         /* fails: the assertion exception */
    } _except (EXCEPTION_EXECUTE_HANDLER) {
        Code = GetExceptionCode();
    }
    KT_EQ(Code, STATUS_ASSERTION_FAILURE);
    KT_DONE();
    return STATUS_SUCCESS;
}
#pragma warning(pop)
