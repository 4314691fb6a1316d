/*
 * rtl/version.c - RtlGetVersion, RtlVerifyVersionInfo and VerSetConditionMask.
 *
 * ntps reports the same version as PsGetVersion (ps/query.c), Windows 11
 * 23H2, which like Windows 10 is version 10.0: major 10, minor 0, build
 * 22631, platform VER_PLATFORM_WIN32_NT, no service pack (empty
 * szCSDVersion, 0.0), product VER_NT_WORKSTATION, suite
 * VER_SUITE_SINGLEUSERTS.
 *
 * RtlGetVersion fills an RTL_OSVERSIONINFOW or, when dwOSVersionInfoSize
 * says so, an RTL_OSVERSIONINFOEXW; any other size is STATUS_INVALID_PARAMETER.
 */
#include "rtl/rtl.h"

#include <string.h>

#define RTLP_VERSION_MAJOR 10
#define RTLP_VERSION_MINOR 0
#define RTLP_VERSION_BUILD 22631      /* keep equal to PsGetVersion */

NTSTATUS RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation)
{
    if (lpVersionInformation == NULL)
        return STATUS_INVALID_PARAMETER;
    ULONG Size = lpVersionInformation->dwOSVersionInfoSize;
    if (Size != sizeof(RTL_OSVERSIONINFOW) && Size != sizeof(RTL_OSVERSIONINFOEXW))
        return STATUS_INVALID_PARAMETER;
    lpVersionInformation->dwMajorVersion = RTLP_VERSION_MAJOR;
    lpVersionInformation->dwMinorVersion = RTLP_VERSION_MINOR;
    lpVersionInformation->dwBuildNumber = RTLP_VERSION_BUILD;
    lpVersionInformation->dwPlatformId = VER_PLATFORM_WIN32_NT;
    memset(lpVersionInformation->szCSDVersion, 0, sizeof(lpVersionInformation->szCSDVersion));
    if (Size == sizeof(RTL_OSVERSIONINFOEXW)) {
        PRTL_OSVERSIONINFOEXW Ex = (PRTL_OSVERSIONINFOEXW)lpVersionInformation;
        Ex->wServicePackMajor = 0;
        Ex->wServicePackMinor = 0;
        Ex->wSuiteMask = VER_SUITE_SINGLEUSERTS;
        Ex->wProductType = VER_NT_WORKSTATION;
        Ex->wReserved = 0;
    }
    return STATUS_SUCCESS;
}

/* ---- RtlVerifyVersionInfo / VerSetConditionMask ---------------------------------------------------- */

/* A type bit's condition: three bits at its index (VER_NUM_BITS_PER_CONDITION_MASK). */
static UCHAR RtlpCondition(ULONGLONG ConditionMask, ULONG TypeBit)
{
    ULONG Index = (ULONG)__builtin_ctz(TypeBit);
    return (UCHAR)((ConditionMask >> (Index * VER_NUM_BITS_PER_CONDITION_MASK)) & VER_CONDITION_MASK);
}

ULONGLONG VerSetConditionMask(ULONGLONG ConditionMask, ULONG TypeMask, UCHAR Condition)
{
    if (TypeMask == 0 || Condition == 0)
        return ConditionMask;
    Condition &= VER_CONDITION_MASK;
    for (ULONG Index = 0; Index < 8; Index++)
        if (TypeMask & (1u << Index)) {
            ULONG Shift = Index * VER_NUM_BITS_PER_CONDITION_MASK;
            ConditionMask = (ConditionMask & ~((ULONGLONG)VER_CONDITION_MASK << Shift)) | ((ULONGLONG)Condition << Shift);
        }
    return ConditionMask;
}

/* Actual against Wanted under an ordering condition; FALSE for an unknown one. */
static BOOLEAN RtlpCompare(ULONG Actual, ULONG Wanted, UCHAR Condition)
{
    switch (Condition) {
    case VER_EQUAL: return Actual == Wanted;
    case VER_GREATER: return Actual > Wanted;
    case VER_GREATER_EQUAL: return Actual >= Wanted;
    case VER_LESS: return Actual < Wanted;
    case VER_LESS_EQUAL: return Actual <= Wanted;
    default: return FALSE;
    }
}

/* Major, minor, service pack major and minor are one number compared
 * most significant first: the first of them given that differs decides,
 * under its own condition; all equal: each condition must allow equality. */
static BOOLEAN RtlpCompareVersion(const RTL_OSVERSIONINFOEXW *Actual, const RTL_OSVERSIONINFOEXW *Wanted,
                                  ULONG TypeMask, ULONGLONG ConditionMask)
{
    static const ULONG Bits[] = { VER_MAJORVERSION, VER_MINORVERSION, VER_SERVICEPACKMAJOR, VER_SERVICEPACKMINOR };
    const ULONG Have[] = { Actual->dwMajorVersion, Actual->dwMinorVersion, Actual->wServicePackMajor,
                           Actual->wServicePackMinor };
    const ULONG Want[] = { Wanted->dwMajorVersion, Wanted->dwMinorVersion, Wanted->wServicePackMajor,
                           Wanted->wServicePackMinor };
    for (ULONG i = 0; i < RTL_NUMBER_OF(Bits); i++) {
        if (!(TypeMask & Bits[i]))
            continue;
        UCHAR Condition = RtlpCondition(ConditionMask, Bits[i]);
        if (Have[i] != Want[i])
            return RtlpCompare(Have[i], Want[i], Condition);
        if (!RtlpCompare(Have[i], Want[i], Condition))
            return FALSE;
    }
    return TRUE;
}

NTSTATUS RtlVerifyVersionInfo(PRTL_OSVERSIONINFOEXW VersionInfo, ULONG TypeMask, ULONGLONG ConditionMask)
{
    if (VersionInfo == NULL || TypeMask == 0 || ConditionMask == 0)
        return STATUS_INVALID_PARAMETER;
    RTL_OSVERSIONINFOEXW Actual = { .dwOSVersionInfoSize = sizeof(Actual) };
    RtlGetVersion((PRTL_OSVERSIONINFOW)&Actual);
    BOOLEAN Match = TRUE;
    if (TypeMask & (VER_MAJORVERSION | VER_MINORVERSION | VER_SERVICEPACKMAJOR | VER_SERVICEPACKMINOR))
        Match = RtlpCompareVersion(&Actual, VersionInfo, TypeMask, ConditionMask);
    if (Match && (TypeMask & VER_BUILDNUMBER))
        Match = RtlpCompare(Actual.dwBuildNumber, VersionInfo->dwBuildNumber,
                            RtlpCondition(ConditionMask, VER_BUILDNUMBER));
    if (Match && (TypeMask & VER_PLATFORMID))
        Match = RtlpCompare(Actual.dwPlatformId, VersionInfo->dwPlatformId, RtlpCondition(ConditionMask, VER_PLATFORMID));
    if (Match && (TypeMask & VER_PRODUCT_TYPE))
        Match = RtlpCompare(Actual.wProductType, VersionInfo->wProductType, RtlpCondition(ConditionMask, VER_PRODUCT_TYPE));
    if (Match && (TypeMask & VER_SUITENAME)) {
        /* VER_AND: all the suites asked for; VER_OR: at least one. */
        UCHAR Condition = RtlpCondition(ConditionMask, VER_SUITENAME);
        USHORT Asked = VersionInfo->wSuiteMask, Common = Actual.wSuiteMask & Asked;
        Match = Condition == VER_OR ? Common != 0 || Asked == 0 : Common == Asked;
    }
    return Match ? STATUS_SUCCESS : STATUS_REVISION_MISMATCH;
}
