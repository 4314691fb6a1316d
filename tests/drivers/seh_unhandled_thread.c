/*
 * An access violation nobody handles, in a system thread: bug check 0x7E
 * SYSTEM_THREAD_EXCEPTION_NOT_HANDLED (P1 code, P2 faulting address, P3 the
 * exception record, P4 the context record), with a backtrace of the
 * faulting context. A __finally on the way does not run: there is no
 * handler to unwind to.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000007E \(0x00000000c0000005, 0x[0-9a-f]{16}, 0x[0-9a-f]{16}, 0x[0-9a-f]{16}\)$
// NTPS-TEST: expect ^SYSTEM_THREAD_EXCEPTION_NOT_HANDLED$
// NTPS-TEST: expect ^driver: seh_unhandled_thread.so
// NTPS-TEST: expect seh_unhandled_thread.so!WriteBad
// NTPS-TEST: expect seh_unhandled_thread.so!Deeper
// NTPS-TEST: reject finally ran
#include <ntddk.h>
#include "ktest.h"

static volatile ULONG_PTR BadAddress = 0x40;

static DECLSPEC_NOINLINE VOID WriteBad(VOID) { *(volatile int *)BadAddress = 1; }
static DECLSPEC_NOINLINE VOID Deeper(VOID) { WriteBad(); __asm__ volatile("" ::: "memory"); }

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    __try {
        Deeper();
    } __finally {
        DbgPrint("finally ran\n");
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KtJoin(KtStartThread(Worker, NULL));
    DbgPrint("FAIL: the thread came back\n");
    return STATUS_SUCCESS;
}
