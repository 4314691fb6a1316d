/*
 * ZwClose of a handle that is not valid, from kernel mode: bug check 0x93
 * INVALID_KERNEL_HANDLE with P1 the handle and P2 1, as documented (a
 * user-mode caller gets STATUS_INVALID_HANDLE instead: ob_sync_user).
 * Pseudo-handles are not handles: STATUS_INVALID_HANDLE even from kernel
 * mode.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000093 \(0x000000000007fff0, 0x0000000000000001, 0x0000000000000000, 0x0000000000000000\)
// NTPS-TEST: expect ^INVALID_KERNEL_HANDLE$
// NTPS-TEST: expect closed handle 0x7fff0, which is not a valid handle
// NTPS-TEST: expect ^before$
// NTPS-TEST: reject ^after$
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    if (ZwClose(NtCurrentProcess()) == STATUS_INVALID_HANDLE && ZwClose(NtCurrentThread()) == STATUS_INVALID_HANDLE)
        DbgPrint("before\n");
    ZwClose((HANDLE)(ULONG_PTR)0x7FFF0);
    DbgPrint("after\n");
    return STATUS_SUCCESS;
}
