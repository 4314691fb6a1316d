/*
 * CallbackStack: a load-image notify routine that puts 9 KiB on the stack,
 * more than the quarter of the 24 KiB kernel stack allowed here
 * (--callback-stack-share=25). A thread notify routine with a small frame
 * in the same run is not reported. Not under sanitizers: their builds give
 * threads a stack 8 times larger (hal/README.md), so 9 KiB is a small share.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --callback-stack-share=25
// NTPS-TEST: expect ^VERIFIER CallbackStack: the load-image notify routine used [0-9]+ bytes \((3[0-9]|[4-9][0-9])%\) of its 24576-byte kernel stack; the limit is 25%
// NTPS-TEST: expect ^in the load-image notify routine vf_stack.so!Deep\+0x0$
// NTPS-TEST: reject ^in the thread notify routine
// NTPS-TEST: timeout 120
// NTPS-TEST: labels nosan
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\conhost.exe");
static volatile ULONG Sum;

static __attribute__((noinline)) VOID Fill(volatile UCHAR *Buffer, SIZE_T Size)
{
    for (SIZE_T i = 0; i < Size; i += 64)
        Buffer[i] = (UCHAR)i;
    Sum += Buffer[Size / 2];
}

static VOID Deep(PUNICODE_STRING Name, HANDLE ProcessId, PIMAGE_INFO Info)
{
    UNREFERENCED_PARAMETER(Name);
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(Info);
    volatile UCHAR Buffer[9 * 1024];
    Fill(Buffer, sizeof(Buffer));
}

static VOID Shallow(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    volatile UCHAR Buffer[256];
    Fill(Buffer, sizeof(Buffer));
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(ThreadId);
    UNREFERENCED_PARAMETER(Create);
}

static NTSTATUS NTAPI Main(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return 0;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsRemoveLoadImageNotifyRoutine(Deep);
    PsRemoveCreateThreadNotifyRoutine(Shallow);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    KT_EQ(PsSetLoadImageNotifyRoutine(Deep), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(Shallow), STATUS_SUCCESS);
    for (int i = 0; i < 2; i++)
        KT_EQ(KtRunProcess(&Image, NULL, SubsystemInformationTypeWin32, Main, NULL, NULL), 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
