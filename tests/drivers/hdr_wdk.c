/*
 * The WDK header set drivers include, spelled as Windows sources spell it
 * (case variants resolved by ntps cc, in include/, -I folders and the
 * source's own folder): DEFINE_GUID without INITGUID only declares, with
 * <initguid.h> it defines; CTL_CODE and its decoders against the documented
 * numbers; ntddbeep.h, ntimage.h, dontuse.h, wdmsec.h + IoCreateDeviceSecure;
 * RtlGetVersion.
 */
// NTPS-TEST: modes rt1 sim1
#include <NTDDK.h>
#include <Wdm.h>
#include <NtStrSafe.h>
#include <dontuse.h>
#include <DevIoCtl.h>
#include <ntddbeep.h>
#include <ntimage.h>
#include <wdmsec.h>
#include "KTest.h"
#include "HDR_Case_Local.h"

/* Without INITGUID: a declaration, so this source may define it itself. */
DEFINE_GUID(GUID_NTPS_DECLARED, 0x11111111, 0x2222, 0x3333, 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55);
const GUID GUID_NTPS_DECLARED = { 0x11111111, 0x2222, 0x3333, { 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55 } };

#include <InitGuid.h>
DEFINE_GUID(GUID_NTPS_DEFINED, 0xa1b2c3d4, 0xe5f6, 0x0718, 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90);

#define IOCTL_NTPS_TEST CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)

static VOID TestGuids(VOID)
{
    static const GUID Expected = { 0xa1b2c3d4, 0xe5f6, 0x0718, { 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90 } };
    KT_CHECK(IsEqualGUID(&GUID_NTPS_DEFINED, &Expected));
    KT_CHECK(!IsEqualGUID(&GUID_NTPS_DECLARED, &Expected));
    KT_EQ(GUID_NTPS_DECLARED.Data4[7], 0x55);
    KT_EQ(sizeof(GUID), 16);
}

static VOID TestIoctl(VOID)
{
    KT_EQ(IOCTL_NTPS_TEST, 0x222000);
    KT_EQ(CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_NEITHER, FILE_READ_ACCESS | FILE_WRITE_ACCESS), 0x22E007);
    KT_EQ(CTL_CODE(0x8000, 0x900, METHOD_OUT_DIRECT, FILE_READ_ACCESS), 0x80006402);
    KT_EQ(DEVICE_TYPE_FROM_CTL_CODE(IOCTL_NTPS_TEST), FILE_DEVICE_UNKNOWN);
    KT_EQ(METHOD_FROM_CTL_CODE(0x22E007), METHOD_NEITHER);
    KT_EQ(IOCTL_BEEP_SET, 0x10000);
    KT_EQ(FILE_DEVICE_DISK, 7);
    KT_EQ(METHOD_IN_DIRECT, 1);
    KT_EQ(sizeof(BEEP_SET_PARAMETERS), 8);
}

static VOID TestImage(VOID)
{
    KT_EQ(sizeof(IMAGE_DOS_HEADER), 64);
    KT_EQ(FIELD_OFFSET(IMAGE_DOS_HEADER, e_lfanew), 0x3c);
    KT_EQ(sizeof(IMAGE_FILE_HEADER), 20);
    KT_EQ(sizeof(IMAGE_OPTIONAL_HEADER64), 240);
    KT_EQ(sizeof(IMAGE_OPTIONAL_HEADER32), 224);
    KT_EQ(sizeof(IMAGE_NT_HEADERS64), 264);
    KT_EQ(sizeof(IMAGE_SECTION_HEADER), IMAGE_SIZEOF_SECTION_HEADER);
    KT_EQ(sizeof(IMAGE_EXPORT_DIRECTORY), 40);
    KT_EQ(IMAGE_DOS_SIGNATURE, 0x5A4D);
}

static VOID TestVersion(VOID)
{
    RTL_OSVERSIONINFOW V = { 0 };
    RTL_OSVERSIONINFOEXW X = { 0 };
    ULONG Major = 0, Minor = 0, Build = 0;
    KT_EQ(sizeof(RTL_OSVERSIONINFOW), 276);
    KT_EQ(sizeof(RTL_OSVERSIONINFOEXW), 284);
    KT_EQ(RtlGetVersion(&V), STATUS_INVALID_PARAMETER);         /* size not set */
    V.dwOSVersionInfoSize = sizeof(V);
    KT_EQ(RtlGetVersion(&V), STATUS_SUCCESS);
    KT_EQ(V.dwMajorVersion, 10);
    KT_EQ(V.dwMinorVersion, 0);
    KT_EQ(V.dwPlatformId, VER_PLATFORM_WIN32_NT);
    KT_EQ(V.szCSDVersion[0], 0);
    PsGetVersion(&Major, &Minor, &Build, NULL);
    KT_EQ(V.dwBuildNumber, Build);
    X.dwOSVersionInfoSize = sizeof(X);
    KT_EQ(RtlGetVersion((PRTL_OSVERSIONINFOW)&X), STATUS_SUCCESS);
    KT_EQ(X.dwMajorVersion, 10);
    KT_EQ(X.wProductType, VER_NT_WORKSTATION);
    KT_EQ(X.wServicePackMajor, 0);
}

static VOID TestDeviceSecure(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\NtpsHdrWdk");
    PDEVICE_OBJECT Device = NULL;
    KT_EQ(IoCreateDeviceSecure(DriverObject, 16, &Name, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE,
                               &SDDL_DEVOBJ_SYS_ALL_ADM_ALL, &GUID_NTPS_DEFINED, &Device), STATUS_SUCCESS);
    KT_CHECK(Device != NULL);
    if (Device != NULL) {
        KT_EQ(Device->DeviceType, FILE_DEVICE_UNKNOWN);
        IoDeleteDevice(Device);
    }
    KT_EQ(IoCreateDeviceSecure(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, NULL, NULL, &Device),
          STATUS_INVALID_PARAMETER);
    KT_EQ(SDDL_DEVOBJ_KERNEL_ONLY.Length, 6);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    KT_EQ(HDR_CASE_LOCAL_VALUE, 1234);
    TestGuids();
    TestIoctl();
    TestImage();
    TestVersion();
    TestDeviceSecure(DriverObject);
    KT_DONE();
    return STATUS_SUCCESS;
}
