/*
 * MmGetSystemRoutineAddress finds the kernel's exports by name (and only
 * them: a libc function or an unknown name is NULL); MmCopyVirtualMemory
 * copies, refuses a kernel-space range for a UserMode caller
 * (STATUS_ACCESS_VIOLATION) and reports a fault as STATUS_PARTIAL_COPY;
 * IoCreateSystemThread runs a thread tied to the driver object.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntps.h>
#include "ktest.h"

typedef HANDLE (*PGET_PID)(VOID);
static KEVENT Ran;

static VOID Started(PVOID Context)
{
    KT_EQ(Context, (PVOID)7);
    KeSetEvent(&Ran, 0, FALSE);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"PsGetCurrentProcessId");
    PGET_PID GetPid = (PGET_PID)MmGetSystemRoutineAddress(&Name);
    KT_EQ((PVOID)GetPid, (PVOID)PsGetCurrentProcessId);
    KT_EQ(GetPid(), (HANDLE)4);
    UNICODE_STRING Type = RTL_CONSTANT_STRING(L"PsProcessType");
    KT_EQ(MmGetSystemRoutineAddress(&Type), (PVOID)&PsProcessType);
    UNICODE_STRING Unknown = RTL_CONSTANT_STRING(L"NtpsNoSuchRoutine"), Libc = RTL_CONSTANT_STRING(L"malloc");
    KT_EQ(MmGetSystemRoutineAddress(&Unknown), NULL);
    KT_EQ(MmGetSystemRoutineAddress(&Libc), NULL);

    CHAR From[64] = "copied between address spaces", To[64] = { 0 };
    SIZE_T Done = 99;
    KT_EQ(MmCopyVirtualMemory(PsGetCurrentProcess(), From, PsGetCurrentProcess(), To, sizeof(From), KernelMode, &Done),
          STATUS_SUCCESS);
    KT_EQ(Done, sizeof(From));
    KT_EQ(strcmp(To, From), 0);
    KT_EQ(MmCopyVirtualMemory(PsGetCurrentProcess(), (PVOID)0xFFFF800000001000ULL, PsGetCurrentProcess(), To, 8,
                              UserMode, &Done),
          STATUS_ACCESS_VIOLATION);
    KT_EQ(Done, 0);
    KT_EQ(MmCopyVirtualMemory(PsGetCurrentProcess(), (PVOID)0x1000, PsGetCurrentProcess(), To, 8, KernelMode, &Done),
          STATUS_PARTIAL_COPY);
    KT_EQ(Done, 0);

    KeInitializeEvent(&Ran, NotificationEvent, FALSE);
    HANDLE Thread;
    KT_EQ(IoCreateSystemThread(DriverObject, &Thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, Started, (PVOID)7),
          STATUS_SUCCESS);
    KeWaitForSingleObject(&Ran, Executive, KernelMode, FALSE, NULL);
    ZwWaitForSingleObject(Thread, FALSE, NULL);
    ZwClose(Thread);
    KT_DONE();
    return STATUS_SUCCESS;
}
