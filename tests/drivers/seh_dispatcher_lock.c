/*
 * A fault inside the kernel while this processor holds the dispatcher lock
 * is never an exception a driver could catch and go on from with the lock
 * held. A bad object pointer faults at the DDI's entry, before the lock
 * (see ke_bad_arg_*); here the event is a real one whose wait list the
 * driver corrupted, so KeSetEvent faults walking it, under the lock: as
 * Windows faulting at DISPATCH_LEVEL, bug check 0xA naming the driver.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000000A \(0x00000000000000[0-9a-f]{2}, 0x0000000000000002, 0x0000000000000000,
// NTPS-TEST: expect ^the kernel faulted at 0x[0-9a-f]+ on memory a driver gave it, holding the dispatcher lock$
// NTPS-TEST: expect ^driver: seh_dispatcher_lock.so$
// NTPS-TEST: reject handler ran
#include <ntddk.h>

static volatile ULONG_PTR BadAddress = 0x58;
static KEVENT Event;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Event, SynchronizationEvent, FALSE);
    Event.Header.WaitListHead.Flink = (PLIST_ENTRY)BadAddress;     /* corrupted */
    __try {
        KeSetEvent(&Event, 0, FALSE);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        DbgPrint("handler ran\n");
    }
    return STATUS_SUCCESS;
}
