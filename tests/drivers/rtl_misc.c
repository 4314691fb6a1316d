/*
 * RtlRandom/RtlRandomEx: values in [0, MAXLONG - 1], the same sequence for
 * the same seed, the seed advanced. RtlNtStatusToDosError: the documented
 * equivalents, a Win32 error wrapped in an NTSTATUS given back, and
 * ERROR_MR_MID_NOT_FOUND (317) for a status without one.
 * RtlCaptureStackBackTrace: the return addresses up the frame chain, the
 * first in the caller; skipping frames; equal traces hash equally.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include "ktest.h"

static PVOID Trace[16], SkipTrace[16];
static USHORT Captured, SkipCaptured;
static ULONG Hash, SkipHash;

static DECLSPEC_NOINLINE VOID Innermost(VOID)
{
    Captured = RtlCaptureStackBackTrace(0, 16, Trace, &Hash);
    SkipCaptured = RtlCaptureStackBackTrace(1, 16, SkipTrace, &SkipHash);
    __asm__ volatile("" ::: "memory");
}

static DECLSPEC_NOINLINE VOID Middle(VOID)
{
    Innermost();
    __asm__ volatile("" ::: "memory");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);

    /* random numbers */
    ULONG Seed = 42, Again = 42, Other = 43;
    BOOLEAN Same = TRUE, InRange = TRUE, Differs = FALSE;
    for (int i = 0; i < 1000; i++) {
        ULONG A = RtlRandomEx(&Seed), B = RtlRandomEx(&Again), C = RtlRandomEx(&Other);
        Same &= A == B;
        InRange &= A <= MAXLONG - 1 && C <= MAXLONG - 1;
        Differs |= A != C;
    }
    KT_CHECK(Same);
    KT_CHECK(InRange);
    KT_CHECK(Differs);
    KT_CHECK(Seed != 42);
    ULONG Zero = 0, Max = MAXLONG;
    KT_CHECK(RtlRandom(&Zero) <= MAXLONG - 1);
    KT_CHECK(RtlRandom(&Max) <= MAXLONG - 1);

    /* status to Win32 error */
    KT_EQ(RtlNtStatusToDosError(STATUS_SUCCESS), 0);
    KT_EQ(RtlNtStatusToDosError(STATUS_INVALID_PARAMETER), 87);
    KT_EQ(RtlNtStatusToDosError(STATUS_INVALID_PARAMETER_3), 87);
    KT_EQ(RtlNtStatusToDosError(STATUS_ACCESS_DENIED), 5);
    KT_EQ(RtlNtStatusToDosError(STATUS_INSUFFICIENT_RESOURCES), 1450);
    KT_EQ(RtlNtStatusToDosError(STATUS_OBJECT_NAME_NOT_FOUND), 2);
    KT_EQ(RtlNtStatusToDosError(STATUS_PENDING), 997);
    KT_EQ(RtlNtStatusToDosError(STATUS_BUFFER_OVERFLOW), 234);
    KT_EQ(RtlNtStatusToDosError((NTSTATUS)0xC0070020), 0x20);  /* NTSTATUS_FROM_WIN32 */
    KT_EQ(RtlNtStatusToDosError((NTSTATUS)0xC0FF1234), 317);   /* ERROR_MR_MID_NOT_FOUND */

    /* back traces */
    Middle();
    KT_CHECK(Captured >= 3);                    /* Innermost <- Middle <- DriverEntry <- ... */
    KT_EQ(SkipCaptured + 1, Captured);
    KT_EQ(SkipTrace[0], Trace[1]);              /* one frame skipped */
    KT_CHECK((PUCHAR)Trace[0] > (PUCHAR)Innermost && (PUCHAR)Trace[0] < (PUCHAR)Innermost + 256);
    KT_CHECK((PUCHAR)Trace[1] > (PUCHAR)Middle && (PUCHAR)Trace[1] < (PUCHAR)Middle + 256);
    KT_CHECK((PUCHAR)Trace[2] > (PUCHAR)DriverEntry && (PUCHAR)Trace[2] < (PUCHAR)DriverEntry + 16384);   /* two bodies (dual points), ASan: large */
    ULONG Sum = 0;
    for (USHORT i = 0; i < Captured; i++)
        Sum += (ULONG)(ULONG_PTR)Trace[i];
    KT_EQ(Hash, Sum);
    PVOID One[1];
    KT_EQ(RtlCaptureStackBackTrace(0, 1, One, NULL), 1);
    KT_EQ(RtlCaptureStackBackTrace(1000, 16, Trace, NULL), 0);  /* skipped past the top */
    KT_DONE();
    return STATUS_SUCCESS;
}
