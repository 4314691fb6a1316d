/*
 * rtl/version.c - RtlGetVersion.
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
