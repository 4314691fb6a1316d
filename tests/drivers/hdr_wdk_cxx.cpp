// NTPS-TEST: modes rt1 sim1
/*
 * The WDK header set from C++ (the book samples' language): ntstrsafe.h,
 * DEFINE_GUID under <initguid.h> (extern "C", selectany), CTL_CODE in case
 * labels, wdmsec.h's SDDL strings, ntimage.h.
 */
#include <ntddk.h>
#include <Ntstrsafe.h>
#include <initguid.h>
#include <wdmsec.h>
#include <ntimage.h>
#include "ktest.h"

DEFINE_GUID(GUID_NTPS_CXX, 0x01020304, 0x0506, 0x0708, 1, 2, 3, 4, 5, 6, 7, 8);

#define IOCTL_CXX_A CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_CXX_B CTL_CODE(0x8000, 0x801, METHOD_NEITHER, FILE_ANY_ACCESS)

static int Classify(ULONG Code)
{
    switch (Code) {
    case IOCTL_CXX_A:
        return 1;
    case IOCTL_CXX_B:
        return 2;
    default:
        return 0;
    }
}

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    WCHAR W[32];
    char A[8];
    KT_EQ(RtlStringCchPrintfW(W, RTL_NUMBER_OF(W), L"pid %u: %s", 4u, L"System"), STATUS_SUCCESS);
    KT_CHECK(wcscmp(W, L"pid 4: System") == 0);
    KT_EQ(RtlStringCbPrintfA(A, sizeof(A), "%s", "truncated"), STATUS_BUFFER_OVERFLOW);
    KT_CHECK(strcmp(A, "truncat") == 0);
    KT_EQ(RtlStringCchCopyW(W, RTL_NUMBER_OF(W), L"copy"), STATUS_SUCCESS);
    KT_EQ(RtlStringCchCatW(W, RTL_NUMBER_OF(W), L"+cat"), STATUS_SUCCESS);
    KT_CHECK(wcscmp(W, L"copy+cat") == 0);
    KT_EQ(GUID_NTPS_CXX.Data1, 0x01020304);
    KT_EQ(GUID_NTPS_CXX.Data4[7], 8);
    KT_CHECK(IsEqualGUID(GUID_NTPS_CXX, GUID_NTPS_CXX));
    KT_EQ(Classify(0x222000), 1);
    KT_EQ(Classify(0x80002007), 2);
    KT_EQ(SDDL_DEVOBJ_SYS_ALL.Length, 30);
    KT_EQ(sizeof(IMAGE_NT_HEADERS), 264);
    KT_DONE();
    return STATUS_SUCCESS;
}
