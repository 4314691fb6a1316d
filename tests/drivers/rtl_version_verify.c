/*
 * RtlVerifyVersionInfo with VerSetConditionMask against ntps's 10.0.22631
 * (regfltr's "Windows 8 or newer?" test: major <= 6 and minor <= 1 is a
 * mismatch), hierarchical major/minor, build, platform, product and suite
 * tests, the errors; ExUuidCreate (version 4, variant 1, all different);
 * and the KTM routines, not implemented: STATUS_NOT_IMPLEMENTED, said once.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^ntps: ZwCreateTransactionManager is not implemented \(STATUS_NOT_IMPLEMENTED\)$
// NTPS-TEST: expect ^PASS$
#include <ntddk.h>
#include "ktest.h"

static NTSTATUS Verify(ULONG Major, ULONG Minor, UCHAR MajorCondition, UCHAR MinorCondition)
{
    RTL_OSVERSIONINFOEXW Info = { .dwOSVersionInfoSize = sizeof(Info), .dwMajorVersion = Major,
                                  .dwMinorVersion = Minor };
    ULONGLONG Mask = 0;
    VER_SET_CONDITION(Mask, VER_MAJORVERSION, MajorCondition);
    VER_SET_CONDITION(Mask, VER_MINORVERSION, MinorCondition);
    return RtlVerifyVersionInfo(&Info, VER_MAJORVERSION | VER_MINORVERSION, Mask);
}

static VOID TestVersion(VOID)
{
    KT_EQ(Verify(6, 1, VER_LESS_EQUAL, VER_LESS_EQUAL), STATUS_REVISION_MISMATCH);     /* not Windows 7 or older */
    KT_EQ(Verify(6, 2, VER_GREATER_EQUAL, VER_GREATER_EQUAL), STATUS_SUCCESS);          /* Windows 8 or newer */
    KT_EQ(Verify(10, 0, VER_EQUAL, VER_EQUAL), STATUS_SUCCESS);
    KT_EQ(Verify(10, 1, VER_GREATER_EQUAL, VER_GREATER_EQUAL), STATUS_REVISION_MISMATCH);
    KT_EQ(Verify(6, 3, VER_GREATER, VER_LESS), STATUS_SUCCESS);     /* the major differs: its condition decides */
    RTL_OSVERSIONINFOEXW Info = { .dwOSVersionInfoSize = sizeof(Info), .dwBuildNumber = 22000,
                                  .dwPlatformId = VER_PLATFORM_WIN32_NT, .wProductType = VER_NT_WORKSTATION,
                                  .wSuiteMask = VER_SUITE_SINGLEUSERTS };
    ULONGLONG Mask = VerSetConditionMask(0, VER_BUILDNUMBER, VER_GREATER_EQUAL);
    KT_EQ(RtlVerifyVersionInfo(&Info, VER_BUILDNUMBER, Mask), STATUS_SUCCESS);
    Mask = VerSetConditionMask(0, VER_BUILDNUMBER, VER_LESS);
    KT_EQ(RtlVerifyVersionInfo(&Info, VER_BUILDNUMBER, Mask), STATUS_REVISION_MISMATCH);
    Mask = VerSetConditionMask(VerSetConditionMask(0, VER_PLATFORMID, VER_EQUAL), VER_PRODUCT_TYPE, VER_EQUAL);
    KT_EQ(RtlVerifyVersionInfo(&Info, VER_PLATFORMID | VER_PRODUCT_TYPE, Mask), STATUS_SUCCESS);
    Mask = VerSetConditionMask(0, VER_SUITENAME, VER_AND);
    KT_EQ(RtlVerifyVersionInfo(&Info, VER_SUITENAME, Mask), STATUS_SUCCESS);
    Info.wSuiteMask |= 0x0080;  /* and a suite ntps is not */
    KT_EQ(RtlVerifyVersionInfo(&Info, VER_SUITENAME, Mask), STATUS_REVISION_MISMATCH);
    Mask = VerSetConditionMask(0, VER_SUITENAME, VER_OR);
    KT_EQ(RtlVerifyVersionInfo(&Info, VER_SUITENAME, Mask), STATUS_SUCCESS);
    KT_EQ(RtlVerifyVersionInfo(&Info, 0, Mask), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlVerifyVersionInfo(&Info, VER_BUILDNUMBER, 0), STATUS_INVALID_PARAMETER);
    KT_EQ(VerSetConditionMask(5, 0, VER_EQUAL), 5u);     /* no type: unchanged */
    KT_EQ(VerSetConditionMask(0, VER_MINORVERSION | VER_MAJORVERSION, VER_LESS), (4ull << 0) | (4ull << 3));
}

static VOID TestUuid(VOID)
{
    UUID A, B;
    KT_EQ(ExUuidCreate(&A), STATUS_SUCCESS);
    KT_EQ(ExUuidCreate(&B), STATUS_SUCCESS);
    KT_EQ(A.Data3 >> 12, 4);                    /* version 4 */
    KT_EQ(A.Data4[0] & 0xC0, 0x80);             /* variant 1 */
    KT_CHECK(RtlCompareMemory(&A, &B, sizeof(A)) != sizeof(A));
}

static VOID TestKtm(VOID)
{
    HANDLE Tm = (HANDLE)1, Tx = (HANDLE)1;
    KT_EQ(ZwCreateTransactionManager(&Tm, TRANSACTIONMANAGER_ALL_ACCESS, NULL, NULL, TRANSACTION_MANAGER_VOLATILE, 0),
          STATUS_NOT_IMPLEMENTED);
    KT_CHECK(Tm == NULL);
    KT_EQ(ZwCreateTransactionManager(&Tm, TRANSACTIONMANAGER_ALL_ACCESS, NULL, NULL, TRANSACTION_MANAGER_VOLATILE, 0),
          STATUS_NOT_IMPLEMENTED);
    KT_EQ(ZwCreateTransaction(&Tx, TRANSACTION_ALL_ACCESS, NULL, NULL, NULL, 0, 0, 0, NULL, NULL),
          STATUS_NOT_IMPLEMENTED);
    KT_CHECK(Tx == NULL);
    KT_EQ(ZwCommitTransaction(NULL, TRUE), STATUS_NOT_IMPLEMENTED);
    KT_CHECK(TmTransactionObjectType != NULL);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    TestVersion();
    TestUuid();
    TestKtm();
    KT_DONE();
    return STATUS_SUCCESS;
}
