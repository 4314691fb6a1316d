/*
 * advapi32's registry calls as clients use them (regfltr's regctrl):
 * create a key under HKEY_LOCAL_MACHINE, set and query REG_SZ / REG_DWORD
 * / REG_BINARY values (the size-only query, ERROR_MORE_DATA), the A forms'
 * string conversion, a subkey relative to an open key, deleting values and
 * keys (a key with a subkey first refused), the errors of missing names;
 * and GetModuleFileName(NULL). Run by tests/drivers/user_registry.c.
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

static int Failed;
#define CHECK(c) do { if (!(c)) { Failed++; printf("registry-client: FAIL line %d: %s\n", __LINE__, #c); } } while (0)

int main(void)
{
    HKEY Key = NULL, Sub = NULL;
    DWORD Disposition = 0, Type = 0, Size = 0, Number = 0;
    CHECK(RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\NtpsRegTest", 0, NULL, REG_OPTION_NON_VOLATILE,
                          KEY_ALL_ACCESS, NULL, &Key, &Disposition) == ERROR_SUCCESS);
    CHECK(Disposition == REG_CREATED_NEW_KEY);
    const WCHAR Text[] = L"hello";
    CHECK(RegSetValueExW(Key, L"Text", 0, REG_SZ, (const BYTE *)Text, sizeof(Text)) == ERROR_SUCCESS);
    Number = 42;
    CHECK(RegSetValueExW(Key, L"Number", 0, REG_DWORD, (const BYTE *)&Number, sizeof(Number)) == ERROR_SUCCESS);
    const BYTE Blob[3] = { 1, 2, 3 };
    CHECK(RegSetValueExA(Key, "Blob", 0, REG_BINARY, Blob, sizeof(Blob)) == ERROR_SUCCESS);
    CHECK(RegQueryValueExW(Key, L"Text", NULL, &Type, NULL, &Size) == ERROR_SUCCESS && Type == REG_SZ &&
          Size == sizeof(Text));
    WCHAR Back[16];
    Size = 4;
    CHECK(RegQueryValueExW(Key, L"Text", NULL, NULL, (BYTE *)Back, &Size) == ERROR_MORE_DATA && Size == sizeof(Text));
    Size = sizeof(Back);
    CHECK(RegQueryValueExW(Key, L"Text", NULL, NULL, (BYTE *)Back, &Size) == ERROR_SUCCESS && wcscmp(Back, Text) == 0);
    Number = 0;
    Size = sizeof(Number);
    CHECK(RegQueryValueExW(Key, L"Number", NULL, &Type, (BYTE *)&Number, &Size) == ERROR_SUCCESS &&
          Type == REG_DWORD && Number == 42);
    char Narrow[16];
    CHECK(RegSetValueExA(Key, "Ansi", 0, REG_SZ, (const BYTE *)"abc", 4) == ERROR_SUCCESS);
    Size = sizeof(Narrow);
    CHECK(RegQueryValueExA(Key, "Ansi", NULL, &Type, (BYTE *)Narrow, &Size) == ERROR_SUCCESS && Type == REG_SZ &&
          Size == 4 && strcmp(Narrow, "abc") == 0);
    Size = sizeof(Back);
    CHECK(RegQueryValueExW(Key, L"Ansi", NULL, NULL, (BYTE *)Back, &Size) == ERROR_SUCCESS && wcscmp(Back, L"abc") == 0);
    BYTE BlobBack[8];
    Size = sizeof(BlobBack);
    CHECK(RegQueryValueExA(Key, "Blob", NULL, &Type, BlobBack, &Size) == ERROR_SUCCESS && Type == REG_BINARY &&
          Size == 3 && memcmp(BlobBack, Blob, 3) == 0);
    CHECK(RegQueryValueExW(Key, L"Missing", NULL, NULL, NULL, &Size) == ERROR_FILE_NOT_FOUND);
    CHECK(RegDeleteValueW(Key, L"Blob") == ERROR_SUCCESS);
    CHECK(RegDeleteValueW(Key, L"Blob") == ERROR_FILE_NOT_FOUND);
    /* a subkey relative to the open key, found again from HKLM */
    CHECK(RegCreateKeyExA(Key, "Child", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &Sub, &Disposition) == ERROR_SUCCESS &&
          Disposition == REG_CREATED_NEW_KEY);
    CHECK(RegCloseKey(Sub) == ERROR_SUCCESS);
    CHECK(RegOpenKeyExA(HKEY_LOCAL_MACHINE, "software\\ntpsregtest\\CHILD", 0, KEY_READ, &Sub) == ERROR_SUCCESS);
    CHECK(RegCloseKey(Sub) == ERROR_SUCCESS);
    CHECK(RegCreateKeyExA(Key, "Child", 0, NULL, 0, KEY_READ, NULL, &Sub, &Disposition) == ERROR_SUCCESS &&
          Disposition == REG_OPENED_EXISTING_KEY);
    CHECK(RegCloseKey(Sub) == ERROR_SUCCESS);
    CHECK(RegDeleteKeyW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\NtpsRegTest") != ERROR_SUCCESS);     /* it has a subkey */
    CHECK(RegDeleteKeyA(Key, "Child") == ERROR_SUCCESS);
    CHECK(RegCloseKey(Key) == ERROR_SUCCESS);
    CHECK(RegDeleteKeyW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\NtpsRegTest") == ERROR_SUCCESS);
    CHECK(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\NtpsRegTest", 0, KEY_READ, &Key) == ERROR_FILE_NOT_FOUND);
    /* the image's own file, as a C: path */
    WCHAR Module[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, Module, MAX_PATH);
    CHECK(n > 3 && Module[0] == 'C' && Module[1] == ':' && Module[2] == '\\' && wcsstr(Module, L"registry_client") != NULL);
    char Small[4];
    SetLastError(0);
    CHECK(GetModuleFileNameA(NULL, Small, sizeof(Small)) == sizeof(Small) && Small[3] == 0 &&
          GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    printf("registry-client: %s\n", Failed ? "FAIL" : "PASS");
    return Failed;
}
