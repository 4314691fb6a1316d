/*
 * host/scndevload.c - loading the device actions (open_device, ioctl,
 * read, write), the bytes they send, and the record expectations that
 * check what they read (docs/scenarios.md, "Device actions").
 *
 * Like the rest of the loader it uses only the C library.
 */
#include "host/scnload.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- bytes --------------------------------------------------------------------------------- */

typedef struct {
    uint8_t *Data;
    size_t Length;
} SCN_BYTES;

static bool ScnAppend(SCN_LOADER *L, const SCN_NODE *Node, SCN_BYTES *B, const void *Data, size_t Length)
{
    if (B->Length + Length > SCN_MAX_BYTES) {
        ScnError(L, Node, "at most %d bytes", SCN_MAX_BYTES);
        return false;
    }
    uint8_t *Bigger = realloc(B->Data, B->Length + Length + 1);
    if (Bigger == NULL) {
        ScnError(L, Node, "out of memory");
        return false;
    }
    B->Data = Bigger;
    if (Length != 0)
        memcpy(B->Data + B->Length, Data, Length);
    B->Length += Length;
    return true;
}

static int ScnHexDigit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* "0a 0b ff" or "0a0bff": pairs of hex digits, spaces between bytes. */
static bool ScnHexBytes(SCN_LOADER *L, const SCN_NODE *Node, SCN_BYTES *B)
{
    if (!ScnNeed(L, Node, ScnScalar, "hex"))
        return false;
    for (const char *c = Node->Value; *c;) {
        if (*c == ' ' || *c == '\t') {
            c++;
            continue;
        }
        int High = ScnHexDigit(c[0]), Low = High >= 0 ? ScnHexDigit(c[1]) : -1;
        if (Low < 0) {
            ScnError(L, Node, "hex: '%.64s' is not pairs of hex digits (write bytes as 0a ff 10)", Node->Value);
            return false;
        }
        uint8_t Byte = (uint8_t)(High << 4 | Low);
        if (!ScnAppend(L, Node, B, &Byte, 1))
            return false;
        c += 2;
    }
    return true;
}

/* UTF-8 text as UTF-16LE (what a driver's UNICODE_STRING holds). */
static bool ScnWideBytes(SCN_LOADER *L, const SCN_NODE *Node, SCN_BYTES *B)
{
    const unsigned char *c = (const unsigned char *)Node->Value;
    while (*c) {
        uint32_t Code = *c, More = 0;
        if (Code >= 0xF0 && Code < 0xF8)
            Code &= 0x07, More = 3;
        else if (Code >= 0xE0)
            Code &= 0x0F, More = 2;
        else if (Code >= 0xC0)
            Code &= 0x1F, More = 1;
        else if (Code >= 0x80)
            More = 9;
        c++;
        for (uint32_t i = 0; i < More && More != 9; i++, c++) {
            if ((*c & 0xC0) != 0x80) {
                More = 9;
                break;
            }
            Code = Code << 6 | (*c & 0x3F);
        }
        if (More == 9 || Code > 0x10FFFF) {
            ScnError(L, Node, "wtext: not valid UTF-8");
            return false;
        }
        uint16_t Units[2] = { (uint16_t)Code, 0 };
        size_t n = 1;
        if (Code >= 0x10000) {
            Units[0] = (uint16_t)(0xD800 | ((Code - 0x10000) >> 10));
            Units[1] = (uint16_t)(0xDC00 | ((Code - 0x10000) & 0x3FF));
            n = 2;
        }
        for (size_t i = 0; i < n; i++) {
            uint8_t Le[2] = { (uint8_t)Units[i], (uint8_t)(Units[i] >> 8) };
            if (!ScnAppend(L, Node, B, Le, 2))
                return false;
        }
    }
    return true;
}

/* u8/u16/u32/u64: a number or a list of them, little-endian; negative
 * numbers are two's complement. */
static bool ScnIntegerBytes(SCN_LOADER *L, const SCN_NODE *Node, unsigned Width, SCN_BYTES *B)
{
    size_t n = Node->Kind == ScnSequence ? Node->Count : 1;
    if (Node->Kind == ScnMapping) {
        ScnError(L, Node, "u%u takes a number or a list of numbers", Width * 8);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const SCN_NODE *Item = Node->Kind == ScnSequence ? Node->Items[i] : Node;
        int64_t Signed = 0;
        uint64_t Value = 0, Max = Width == 8 ? UINT64_MAX : (1ull << (Width * 8)) - 1;
        bool Ok = Item->Kind == ScnScalar;
        if (Ok && Item->Value[0] == '-') {
            Ok = ScnParseSigned(Item->Value, &Signed) && (Width == 8 || Signed >= -(int64_t)(Max / 2 + 1));
            Value = (uint64_t)Signed & Max;
        } else if (Ok) {
            Ok = ScnParseUnsigned(Item->Value, &Value) && Value <= Max;
        }
        if (!Ok) {
            ScnError(L, Item, "u%u: '%.64s' is not a number that fits in %u bits", Width * 8,
                     Item->Kind == ScnScalar ? Item->Value : "(not a value)", Width * 8);
            return false;
        }
        uint8_t Le[8];
        for (unsigned b = 0; b < Width; b++)
            Le[b] = (uint8_t)(Value >> (8 * b));
        if (!ScnAppend(L, Item, B, Le, Width))
            return false;
    }
    return true;
}

static bool ScnBytesItem(SCN_LOADER *L, const SCN_NODE *Node, const char *What, SCN_BYTES *B)
{
    static const char *const Keys[] = { "text", "wtext", "hex", "size", "u8", "u16", "u32", "u64", NULL };
    if (Node->Kind == ScnScalar)
        return ScnAppend(L, Node, B, Node->Value, strlen(Node->Value));
    if (Node->Kind != ScnMapping || Node->Count != 1) {
        ScnError(L, Node, "%s: bytes are text, or one of {text: T}, {wtext: T}, {hex: '0a ff'}, {size: N}, "
                 "{u8|u16|u32|u64: N or [N, ...]}, or a list of these", What);
        return false;
    }
    if (!ScnCheckKeys(L, Node, What, Keys))
        return false;
    const char *Key = Node->Items[0]->Value;
    const SCN_NODE *V = Node->Items[1];
    if (!strcmp(Key, "hex"))
        return ScnHexBytes(L, V, B);
    if (!strcmp(Key, "text"))
        return ScnNeed(L, V, ScnScalar, "text") && ScnAppend(L, V, B, V->Value, strlen(V->Value));
    if (!strcmp(Key, "wtext"))
        return ScnNeed(L, V, ScnScalar, "wtext") && ScnWideBytes(L, V, B);
    if (!strcmp(Key, "size")) {
        uint64_t N;
        if (!ScnGetUnsigned(L, V, "size (zero bytes)", 0, SCN_MAX_BYTES, &N))
            return false;
        uint8_t *Zeros = calloc(1, (size_t)N + 1);
        bool Ok = Zeros != NULL && ScnAppend(L, V, B, Zeros, (size_t)N);
        free(Zeros);
        if (Zeros == NULL)
            ScnError(L, V, "out of memory");
        return Ok;
    }
    return ScnIntegerBytes(L, V, Key[1] == '8' ? 1 : Key[1] == '1' ? 2 : Key[1] == '3' ? 4 : 8, B);
}

/* A byte string: text, a typed item, or a list of them (concatenated). */
bool ScnGetBytes(SCN_LOADER *L, const SCN_NODE *Node, const char *What, uint8_t **Data, uint32_t *Length)
{
    SCN_BYTES B = { NULL, 0 };
    bool Ok = true;
    if (Node->Kind == ScnSequence)
        for (size_t i = 0; i < Node->Count && Ok; i++)
            Ok = Node->Items[i]->Kind != ScnSequence ? ScnBytesItem(L, Node->Items[i], What, &B)
                                                     : (ScnError(L, Node->Items[i], "%s: lists of bytes do not "
                                                                 "nest", What), false);
    else
        Ok = ScnBytesItem(L, Node, What, &B);
    if (!Ok) {
        free(B.Data);
        return false;
    }
    *Data = B.Data;
    *Length = (uint32_t)B.Length;
    return true;
}

void ScnFormatBytes(const uint8_t *Bytes, size_t Length, char *Out, size_t OutSize)
{
    size_t Text = Length;
    while (Text > 0 && Bytes[Text - 1] == 0)
        Text--;     /* trailing NULs of a C string */
    bool Number = Length == 1 || Length == 2 || Length == 4 || Length == 8;
    bool Printable = Text > 0 && !(Number && Text < Length);   /* 28 00 00 00 is 40, not "(" */
    for (size_t i = 0; i < Text && Printable; i++)
        Printable = Bytes[i] >= 0x20 && Bytes[i] < 0x7F;
    size_t n = (size_t)snprintf(Out, OutSize, "%zu byte%s", Length, Length == 1 ? "" : "s");
    if (Printable) {
        n += (size_t)snprintf(Out + n, n < OutSize ? OutSize - n : 0, " \"");
        for (size_t i = 0; i < Text && n + 8 < OutSize; i++)
            n += (size_t)snprintf(Out + n, OutSize - n, Bytes[i] == '"' || Bytes[i] == '\\' ? "\\%c" : "%c",
                                  Bytes[i]);
        snprintf(Out + n, n < OutSize ? OutSize - n : 0, "\"");
        return;
    }
    for (size_t i = 0; i < Length && i < 32 && n + 8 < OutSize; i++)
        n += (size_t)snprintf(Out + n, OutSize - n, " %02x", Bytes[i]);
    if (Length > 32 && n + 8 < OutSize)
        n += (size_t)snprintf(Out + n, OutSize - n, " ...");
    if (Number) {
        uint64_t Value = 0;
        for (size_t i = 0; i < Length; i++)
            Value |= (uint64_t)Bytes[i] << (8 * i);
        snprintf(Out + n, n < OutSize ? OutSize - n : 0, " (%llu)", (unsigned long long)Value);
    }
}

bool ScnRecordMatches(const SCN_EXPECT *E, const uint8_t *Bytes, size_t Length)
{
    if (!E->BytesGiven)
        return true;
    if (!E->Contains)
        return Length == E->ByteCount && (Length == 0 || memcmp(Bytes, E->Bytes, Length) == 0);
    if (E->ByteCount == 0)
        return true;
    for (size_t i = 0; i + E->ByteCount <= Length; i++)
        if (memcmp(Bytes + i, E->Bytes, E->ByteCount) == 0)
            return true;
    return false;
}

/* ---- the actions ---------------------------------------------------------------------------------- */

/* \\.\Name is Win32's name for \??\Name; NT paths are taken as written. */
static bool ScnDevicePath(SCN_LOADER *L, const SCN_NODE *Node, SCN_ACTION *A)
{
    if (!ScnNeed(L, Node, ScnScalar, "path"))
        return false;
    const char *Path = Node->Value;
    size_t Length = strlen(Path);
    bool Win32 = strncmp(Path, "\\\\.\\", 4) == 0;
    bool Printable = true;
    for (size_t i = 0; i < Length; i++)
        Printable = Printable && Path[i] > 0x20 && Path[i] < 0x7F;
    if (Path[0] != '\\' || (Path[1] == '\\' && !Win32) || Length < (Win32 ? 5u : 2u) || Length > 500 || !Printable) {
        ScnError(L, Node, "open_device: '%.64s' is not a device path: write \\\\.\\Name (a symbolic link, as "
                 "Win32 does) or an NT path (\\Device\\Name, \\??\\Name), without spaces", Path);
        return false;
    }
    A->String = malloc(Length + 4);
    if (A->String == NULL) {
        ScnError(L, Node, "out of memory");
        return false;
    }
    if (Win32)
        snprintf(A->String, Length + 4, "\\??\\%s", Path + 4);
    else
        memcpy(A->String, Path, Length + 1);
    return true;
}

static bool ScnLoadOpenDevice(SCN_LOADER *L, const SCN_NODE *V, SCN_THREAD *T, SCN_ACTION *A)
{
    static const char *const Keys[] = { "path", "access", "as", "optional", NULL };
    const SCN_NODE *Path = V, *Access = NULL, *As = NULL, *Optional = NULL;
    if (V->Kind == ScnMapping) {
        if (!ScnCheckKeys(L, V, "open_device", Keys))
            return false;
        Path = ScnGet(V, "path"), Access = ScnGet(V, "access"), As = ScnGet(V, "as"), Optional = ScnGet(V, "optional");
        if (Path == NULL) {
            ScnError(L, V, "open_device needs `path:` (\\\\.\\Name or \\Device\\Name)");
            return false;
        }
    }
    if (!ScnDevicePath(L, Path, A))
        return false;
    A->Access = 0xC0000000u;        /* GENERIC_READ | GENERIC_WRITE */
    if (Access != NULL) {
        char Bad[96];
        if (!ScnNeed(L, Access, ScnScalar, "access"))
            return false;
        if (!ScnParseAccess(Access->Value, &A->Access, Bad, sizeof(Bad))) {
            ScnError(L, Access, "access: %s is not an access right: write names such as GENERIC_READ | "
                     "FILE_WRITE_DATA joined by '|', or numbers", Bad);
            return false;
        }
    }
    if (Optional != NULL && !ScnGetBool(L, Optional, "optional", &A->Optional))
        return false;
    if (As != NULL)
        return ScnDeclareLocal(L, As, T, ScnHandleDevice, &A->Local);
    /* Without `as:`, the handle is named after the path's last component. */
    const char *Last = strrchr(Path->Value, '\\') + 1;
    SCN_NODE Name = *Path;
    Name.Value = (char *)Last;
    Name.Kind = ScnScalar;
    bool Valid = *Last != 0 && strlen(Last) <= 64;
    for (const char *c = Last; *c && Valid; c++)
        Valid = isalnum((unsigned char)*c) || *c == '_' || *c == '-' || *c == '.';
    if (!Valid) {
        ScnError(L, Path, "open_device: '%.64s' is not a handle name: give one with `as:`", Last);
        return false;
    }
    return ScnDeclareLocal(L, &Name, T, ScnHandleDevice, &A->Local);
}

static int ScnRecordIndex(SCN_LOADER *L, const SCN_NODE *Node, bool Declare)
{
    NTPS_SCENARIO *S = L->Scenario;
    if (!ScnGetName(L, Node, "a record name (record:)"))
        return -1;
    for (size_t i = 0; i < S->RecordCount; i++)
        if (strcmp(S->Records[i], Node->Value) == 0)
            return (int)i;
    if (!Declare) {
        char List[400] = "";
        size_t n = 0;
        for (size_t i = 0; i < S->RecordCount && n < sizeof(List) - 80; i++)
            n += (size_t)snprintf(List + n, sizeof(List) - n, "%s%s", n ? ", " : "", S->Records[i]);
        ScnError(L, Node, "record: no ioctl or read action records '%.64s' (records: %s)", Node->Value,
                 n ? List : "none; add `record: NAME` to an ioctl or read");
        return -1;
    }
    if (S->RecordCount == 1000) {
        ScnError(L, Node, "a scenario has at most 1000 record names");
        return -1;
    }
    char **Names = realloc(S->Records, (S->RecordCount + 1) * sizeof(char *));
    if (Names == NULL) {
        ScnError(L, Node, "out of memory");
        return -1;
    }
    S->Records = Names;
    if ((Names[S->RecordCount] = ScnDup(L, Node)) == NULL)
        return -1;
    return (int)S->RecordCount++;
}

/* ioctl, read, write: `handle:` a device handle named by open_device. */
static bool ScnDeviceHandle(SCN_LOADER *L, const SCN_NODE *Node, SCN_THREAD *T, SCN_ACTION *A)
{
    if (!ScnResolveHandle(L, Node, T, SCN_REF_LOCALS, A->Text, &A->Handles[0]))
        return false;
    A->HandleCount = 1;
    if (A->Handles[0].Kind != ScnHandleDevice) {
        ScnError(L, Node, "%s: '%s' is a %s handle; %s works on device handles (open_device)", A->Text, Node->Value,
                 A->Handles[0].Kind == ScnHandleProcess ? "process" : "thread", A->Text);
        return false;
    }
    return true;
}

bool ScnLoadDeviceAction(SCN_LOADER *L, const SCN_NODE *V, SCN_THREAD *T, SCN_ACTION *A)
{
    static const char *const IoctlKeys[] = { "handle", "code", "input", "output_size", "record", "print", NULL };
    static const char *const ReadKeys[] = { "handle", "size", "record", "print", NULL };
    static const char *const WriteKeys[] = { "handle", "data", NULL };
    if (A->Kind == ScnActOpenDevice)
        return ScnLoadOpenDevice(L, V, T, A);
    const char *const *Keys = A->Kind == ScnActIoctl ? IoctlKeys : A->Kind == ScnActRead ? ReadKeys : WriteKeys;
    const SCN_NODE *Handle = V;
    if (A->Kind == ScnActRead)
        A->OutputSize = 4096;
    if (V->Kind == ScnMapping || A->Kind != ScnActRead) {
        if (!ScnNeed(L, V, ScnMapping, A->Text) || !ScnCheckKeys(L, V, A->Text, Keys))
            return false;
        if ((Handle = ScnGet(V, "handle")) == NULL) {
            ScnError(L, V, "%s needs `handle:` (a name given by open_device)", A->Text);
            return false;
        }
    }
    if (!ScnDeviceHandle(L, Handle, T, A))
        return false;
    if (V->Kind != ScnMapping)
        return true;    /* read: HANDLE */
    const SCN_NODE *Code = ScnGet(V, "code"), *Input = ScnGet(V, "input"), *Data = ScnGet(V, "data");
    const SCN_NODE *Size = ScnGet(V, A->Kind == ScnActIoctl ? "output_size" : "size");
    const SCN_NODE *Record = ScnGet(V, "record"), *Print = ScnGet(V, "print");
    uint64_t N;
    if (A->Kind == ScnActIoctl) {
        if (Code == NULL) {
            ScnError(L, V, "ioctl needs `code:` (the I/O control code, e.g. 0x222000)");
            return false;
        }
        if (!ScnGetUnsigned(L, Code, "code", 0, UINT32_MAX, &N))
            return false;
        A->Code = (uint32_t)N;
    }
    if (A->Kind == ScnActWrite && Data == NULL) {
        ScnError(L, V, "write needs `data:` (the bytes to write)");
        return false;
    }
    if ((Input != NULL || Data != NULL) &&
        !ScnGetBytes(L, Input ? Input : Data, Input ? "input" : "data", &A->Data, &A->DataLength))
        return false;
    if (Size != NULL) {
        if (!ScnGetUnsigned(L, Size, A->Kind == ScnActIoctl ? "output_size" : "size", 0, SCN_MAX_BYTES, &N))
            return false;
        A->OutputSize = (uint32_t)N;
    }
    if (Record != NULL && (A->Record = ScnRecordIndex(L, Record, true)) < 0)
        return false;
    return Print == NULL || ScnGetBool(L, Print, "print", &A->Print);
}

/* {record: R, equals: BYTES} / {record: R, contains: BYTES}, with an
 * optional count (default: at least once). */
bool ScnLoadRecordExpect(SCN_LOADER *L, const SCN_NODE *Node, SCN_EXPECT *E)
{
    E->Kind = ScnExpRecord;
    const char *Extra[] = { "process", "instance", "driver" };
    for (size_t i = 0; i < 3; i++)
        if (ScnGet(Node, Extra[i]) != NULL) {
            ScnError(L, ScnGet(Node, Extra[i]), "a record expectation is {record: R, equals: BYTES} or {record: R, "
                     "contains: BYTES}, with count, at_least or at_most: no %s", Extra[i]);
            return false;
        }
    if ((E->Record = ScnRecordIndex(L, ScnGet(Node, "record"), false)) < 0)
        return false;
    const SCN_NODE *Equals = ScnGet(Node, "equals"), *Contains = ScnGet(Node, "contains");
    if (Equals != NULL && Contains != NULL) {
        ScnError(L, Contains, "give equals or contains, not both");
        return false;
    }
    if (Equals != NULL || Contains != NULL) {
        E->Contains = Contains != NULL;
        E->BytesGiven = true;
        if (!ScnGetBytes(L, Equals ? Equals : Contains, Equals ? "equals" : "contains", &E->Bytes, &E->ByteCount))
            return false;
    }
    E->AtLeast = 1;
    E->AtMost = UINT64_MAX;
    const SCN_NODE *Count = ScnGet(Node, "count"), *AtLeast = ScnGet(Node, "at_least"), *AtMost = ScnGet(Node, "at_most");
    if (Count != NULL && (AtLeast != NULL || AtMost != NULL)) {
        ScnError(L, Count, "give an exact count or at_least/at_most, not both");
        return false;
    }
    if (Count != NULL) {
        if (!ScnGetUnsigned(L, Count, "count", 0, UINT64_MAX, &E->AtLeast))
            return false;
        E->AtMost = E->AtLeast;
    }
    if (AtLeast != NULL && !ScnGetUnsigned(L, AtLeast, "at_least", 0, UINT64_MAX, &E->AtLeast))
        return false;
    return AtMost == NULL || ScnGetUnsigned(L, AtMost, "at_most", 0, UINT64_MAX, &E->AtMost);
}
