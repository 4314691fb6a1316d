/*
 * ex/sysinfo.c - ZwQuerySystemInformation / NtQuerySystemInformation.
 *
 * The WDK does not declare these; drivers declare them themselves (with a
 * ULONG or enum SYSTEM_INFORMATION_CLASS first parameter), so they are
 * exported here without a header declaration. Not implemented yet: every
 * class returns STATUS_NOT_IMPLEMENTED with *ReturnLength = 0, which callers
 * handle as a failed query (issue 14 lists SystemProcessInformation as the
 * first class to provide).
 */
#include "ex/ex.h"

NTPS_EXPORT NTSTATUS ZwQuerySystemInformation(ULONG SystemInformationClass, PVOID SystemInformation,
                                              ULONG SystemInformationLength, PULONG ReturnLength);
NTPS_EXPORT NTSTATUS NtQuerySystemInformation(ULONG SystemInformationClass, PVOID SystemInformation,
                                              ULONG SystemInformationLength, PULONG ReturnLength);

NTSTATUS ZwQuerySystemInformation(ULONG SystemInformationClass, PVOID SystemInformation,
                                  ULONG SystemInformationLength, PULONG ReturnLength)
{
    (void)SystemInformationClass;
    (void)SystemInformation;
    (void)SystemInformationLength;
    if (ReturnLength != NULL)
        *ReturnLength = 0;
    return STATUS_NOT_IMPLEMENTED;
}

NTSTATUS NtQuerySystemInformation(ULONG SystemInformationClass, PVOID SystemInformation,
                                  ULONG SystemInformationLength, PULONG ReturnLength)
{
    return ZwQuerySystemInformation(SystemInformationClass, SystemInformation, SystemInformationLength,
                                    ReturnLength);
}
