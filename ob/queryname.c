/*
 * ob/queryname.c - ObQueryNameString: an object's full name in the object
 * namespace, written into the caller's buffer after the structure.
 *
 * Named objects give their directory and leaf (\Device\X,
 * \BaseNamedObjects\Y, \GLOBAL??\Z); a type may answer for itself (Io:
 * a file object is its device's name followed by the file's path, a driver
 * object its \Driver\ name). Unnamed objects give an empty name.
 */
#include "ob/ob.h"

#define OBP_MAX_NAME_CHARS ((MAXUSHORT - sizeof(WCHAR)) / sizeof(WCHAR))

NTSTATUS ObQueryNameString(PVOID Object, POBJECT_NAME_INFORMATION ObjectNameInfo, ULONG Length,
                           PULONG ReturnLength)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)   /* PASSIVE_LEVEL, as the other Ob look-ups (IrqlObPassive) */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001B, Irql, PASSIVE_LEVEL, (ULONG_PTR)Object);
    ObpCheckObject(Object, "ObQueryNameString", __builtin_return_address(0));
    if (ObjectNameInfo == NULL)
        Length = 0;         /* documented: a NULL buffer goes with Length 0 (a size query) */
    /* The characters go straight after the structure, the terminator after them. */
    OBP_NAME_BUILDER Builder = { NULL, 0, 0, 0 };
    if (Length >= sizeof(OBJECT_NAME_INFORMATION) + sizeof(WCHAR)) {
        Builder.Buffer = (PWCH)(ObjectNameInfo + 1);
        Builder.Capacity = (Length - sizeof(OBJECT_NAME_INFORMATION)) / sizeof(WCHAR) - 1;
    }
    ObpAppendObjectName(Object, &Builder);
    if (Builder.Count > OBP_MAX_NAME_CHARS)
        return STATUS_NAME_TOO_LONG;
    ULONG Needed = sizeof(OBJECT_NAME_INFORMATION);
    if (Builder.Count != 0)
        Needed += (ULONG)((Builder.Count + 1) * sizeof(WCHAR));
    *ReturnLength = Needed;
    if (Length < Needed)
        return STATUS_INFO_LENGTH_MISMATCH;     /* nothing returned (Length 0 included) */
    if (Builder.Count == 0) {
        ObjectNameInfo->Name.Buffer = NULL;     /* unnamed: an empty string */
        ObjectNameInfo->Name.Length = ObjectNameInfo->Name.MaximumLength = 0;
        return STATUS_SUCCESS;
    }
    Builder.Buffer[Builder.Count] = 0;
    ObjectNameInfo->Name.Buffer = Builder.Buffer;
    ObjectNameInfo->Name.Length = (USHORT)(Builder.Count * sizeof(WCHAR));
    ObjectNameInfo->Name.MaximumLength = (USHORT)(ObjectNameInfo->Name.Length + sizeof(WCHAR));
    return STATUS_SUCCESS;
}
