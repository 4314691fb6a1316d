/*
 * host/scnregistry.c - set_value at run time: NtCreateKey (the key is
 * created if it is not there; its parent must be, as NtCreateKey wants)
 * with KEY_SET_VALUE, NtSetValueKey, NtClose, from the scenario thread in
 * user mode. So a registry callback (CmRegisterCallbackEx) sees the
 * create-key and set-value notifications in the scenario process's
 * context, as for a program's RegSetValueEx. The loader (scnregload.c)
 * has encoded the data already.
 */
#include "host/scnp.h"
#include "ps/ps.h"

#include <stdlib.h>
#include <string.h>

/* Text as a UNICODE_STRING in Buffer (printable ASCII: checked by the loader). */
static VOID ScnRegString(const char *Text, PWCHAR Buffer, size_t Count, PUNICODE_STRING Out)
{
    size_t n = 0;
    for (; Text != NULL && Text[n] != 0 && n < Count; n++)
        Buffer[n] = (WCHAR)Text[n];
    Out->Buffer = Buffer;
    Out->Length = Out->MaximumLength = (USHORT)(n * sizeof(WCHAR));
}

int32_t ScnSetValue(const SCN_ACTION *A)
{
    /* The caller's memory, as a program's own buffers would be. */
    PWCHAR KeyBuffer = malloc(512 * sizeof(WCHAR)), NameBuffer = malloc(256 * sizeof(WCHAR));
    PVOID Data = malloc(A->DataLength + 1);
    NTSTATUS Status = STATUS_NO_MEMORY;
    if (KeyBuffer != NULL && NameBuffer != NULL && Data != NULL) {
        UNICODE_STRING KeyName, ValueName;
        ScnRegString(A->String, KeyBuffer, 512, &KeyName);
        ScnRegString(A->ValueName, NameBuffer, 256, &ValueName);
        if (A->DataLength != 0)
            memcpy(Data, A->Data, A->DataLength);
        OBJECT_ATTRIBUTES Attributes;
        InitializeObjectAttributes(&Attributes, &KeyName, OBJ_CASE_INSENSITIVE, NULL, NULL);
        HANDLE Key = NULL;
        Status = NtCreateKey(&Key, KEY_SET_VALUE, &Attributes, 0, NULL, REG_OPTION_NON_VOLATILE, NULL);
        if (NT_SUCCESS(Status)) {
            Status = NtSetValueKey(Key, &ValueName, 0, A->ValueType, Data, A->DataLength);
            NtClose(Key);
        }
    }
    free(KeyBuffer);
    free(NameBuffer);
    free(Data);
    return Status;
}
