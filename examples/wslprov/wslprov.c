/*
 * wslprov - a WSL-type subsystem provider (ntps's NtpsRegisterSubsystemProvider,
 * <ntps.h>): it serves the Linux system calls of the subsystem's processes,
 * such as the default scenario's /usr/bin/bash, with Linux x86-64 numbers:
 * write (1) prints the text prefixed with the PID, getpid (39), gettid
 * (186), uname (63), nanosleep (35) and exit_group (231); anything else is
 * -ENOSYS, as Linux answers. Each call runs on the calling thread, in its
 * process, at PASSIVE_LEVEL; its pointers are the process's user memory,
 * probed and read inside __try.
 */
#include <ntps.h>

#define LINUX_ENOSYS 38
#define LINUX_EFAULT 14
#define LINUX_EINVAL 22

enum { SysWrite = 1, SysNanosleep = 35, SysGetpid = 39, SysUname = 63, SysGettid = 186, SysExitGroup = 231 };

typedef struct _LINUX_UTSNAME {
    char Sysname[65], Nodename[65], Release[65], Version[65], Machine[65], Domainname[65];
} LINUX_UTSNAME;

typedef struct _LINUX_TIMESPEC {
    LONG64 Seconds, Nanoseconds;
} LINUX_TIMESPEC;

static PVOID Registration;
static volatile LONG Calls[256], Unknown;

static ULONG_PTR Errno(int Error) { return (ULONG_PTR)(LONG_PTR)-Error; }

static ULONG_PTR Write(ULONG_PTR Fd, ULONG_PTR Buffer, ULONG_PTR Count)
{
    if (Fd != 1 && Fd != 2)
        return Errno(LINUX_EINVAL);
    if (Count > 4096)
        Count = 4096;
    __try {
        ProbeForRead((PVOID)Buffer, Count, 1);
        const char *Text = (const char *)Buffer;
        BOOLEAN Newline = Count != 0 && Text[Count - 1] == '\n';
        DbgPrint("[%lu] %.*s%s", HandleToULong(PsGetCurrentProcessId()), (int)Count, Text, Newline ? "" : "\n");
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return Errno(LINUX_EFAULT);
    }
    return Count;
}

static ULONG_PTR Uname(ULONG_PTR Address)
{
    static const LINUX_UTSNAME Name = { "Linux", "ntps", "6.1.0-ntps", "#1 SMP ntps", "x86_64", "(none)" };
    __try {
        ProbeForWrite((PVOID)Address, sizeof(Name), 1);
        RtlCopyMemory((PVOID)Address, &Name, sizeof(Name));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return Errno(LINUX_EFAULT);
    }
    return 0;
}

static ULONG_PTR Nanosleep(ULONG_PTR Address)
{
    LINUX_TIMESPEC Time;
    __try {
        ProbeForRead((PVOID)Address, sizeof(Time), 8);
        Time = *(const LINUX_TIMESPEC *)Address;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return Errno(LINUX_EFAULT);
    }
    if (Time.Seconds < 0 || Time.Nanoseconds < 0 || Time.Nanoseconds >= 1000000000)
        return Errno(LINUX_EINVAL);
    LARGE_INTEGER Delay = { .QuadPart = -(Time.Seconds * 10000000 + Time.Nanoseconds / 100) };
    KeDelayExecutionThread(UserMode, FALSE, &Delay);
    return 0;
}

/* A user APC: runs in user mode in the calling thread, as the call returns. */
static VOID NTAPI ExitGroup(PVOID Code, PVOID Unused1, PVOID Unused2)
{
    UNREFERENCED_PARAMETER(Unused1);
    UNREFERENCED_PARAMETER(Unused2);
    NtTerminateProcess(NtCurrentProcess(), (NTSTATUS)(ULONG_PTR)Code);
}

static NTSTATUS NTAPI DispatchSystemCall(PNTPS_SYSTEM_CALL Call)
{
    ULONG_PTR *A = Call->Arguments;
    if (Call->Number < RTL_NUMBER_OF(Calls))
        InterlockedIncrement(&Calls[Call->Number]);
    switch (Call->Number) {
    case SysWrite:
        Call->ReturnValue = Write(A[0], A[1], A[2]);
        break;
    case SysGetpid:
        Call->ReturnValue = HandleToULong(PsGetCurrentProcessId());
        break;
    case SysGettid:
        Call->ReturnValue = HandleToULong(PsGetCurrentThreadId());
        break;
    case SysUname:
        Call->ReturnValue = Uname(A[0]);
        break;
    case SysNanosleep:
        Call->ReturnValue = Nanosleep(A[0]);
        break;
    case SysExitGroup:
        /* The process ends with the code, and the caller never sees the
         * call return: a user APC ends it on its way back to user mode.
         * Ending it here, inside the provider's call, would leave the call
         * in flight for ever (and NtpsUnregisterSubsystemProvider waiting). */
        Call->ReturnValue = (ULONG_PTR)ZwQueueApcThread(ZwCurrentThread(), ExitGroup, (PVOID)(A[0] & 0xFF), NULL, NULL);
        break;
    default:
        InterlockedIncrement(&Unknown);
        Call->ReturnValue = Errno(LINUX_ENOSYS);
        break;
    }
    return STATUS_SUCCESS;
}

static const NTPS_SUBSYSTEM_PROVIDER Provider = { sizeof(NTPS_SUBSYSTEM_PROVIDER), SubsystemInformationTypeWSL,
                                                  DispatchSystemCall, NULL };

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NtpsUnregisterSubsystemProvider(Registration);
    DbgPrint("wslprov: system calls served: write %ld, getpid %ld, gettid %ld, uname %ld, nanosleep %ld, "
             "exit_group %ld, unknown (ENOSYS) %ld\n", Calls[SysWrite], Calls[SysGetpid], Calls[SysGettid],
             Calls[SysUname], Calls[SysNanosleep], Calls[SysExitGroup], Unknown);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS Status = NtpsRegisterSubsystemProvider(&Provider, &Registration);
    if (!NT_SUCCESS(Status)) {
        DbgPrint("wslprov: NtpsRegisterSubsystemProvider failed 0x%08X\n", (unsigned)Status);
        return Status;
    }
    DriverObject->DriverUnload = Unload;
    DbgPrint("wslprov: serving WSL system calls\n");
    return STATUS_SUCCESS;
}
