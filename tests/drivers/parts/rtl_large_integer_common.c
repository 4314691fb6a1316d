/* The second file of rtl_large_integer.c: the same tentative definition. */
#include <ntddk.h>

ULONG RtlTestShared;

ULONG RtlTestSharedFromPart(VOID)
{
    return ++RtlTestShared;
}
