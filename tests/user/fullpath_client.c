/*
 * GetFullPathName as clients use it (a driver's .sys path for
 * CreateService): relative names against the current folder, . and ..,
 * / as \, the current drive's root, another drive, \\.\ device names, the
 * file part, and the buffer-size returns. Run by tests/drivers/user_fullpath.c.
 */
#define NTPS_USER_NO_UNICODE
#include <windows.h>
#include <stdio.h>
#include <string.h>

static int Failed;
#define CHECK(c) do { if (!(c)) { Failed++; printf("fullpath-client: FAIL line %d: %s\n", __LINE__, #c); } } while (0)

static void Expect(const char *In, const char *Want)
{
    char Out[MAX_PATH];
    DWORD n = GetFullPathNameA(In, sizeof(Out), Out, NULL);
    if (n != strlen(Want) || strcmp(Out, Want) != 0) {
        Failed++;
        printf("fullpath-client: FAIL %s -> %s (%lu), wanted %s\n", In, n ? Out : "(0)", (unsigned long)n, Want);
    }
}

int main(void)
{
    char Cwd[MAX_PATH], Want[MAX_PATH + 32], Parent[MAX_PATH];
    CHECK(GetCurrentDirectoryA(sizeof(Cwd), Cwd) > 2);
    snprintf(Want, sizeof(Want), "%s\\drv.sys", Cwd);
    Expect("drv.sys", Want);
    Expect(".\\drv.sys", Want);
    Expect("./x/../drv.sys", Want);
    snprintf(Parent, sizeof(Parent), "%s", Cwd);
    char *Slash = strrchr(Parent, '\\');
    if (Slash != NULL && Slash > Parent + 2)
        *Slash = 0;
    else
        Parent[3] = 0;          /* the root keeps its separator */
    Expect("..", Parent);
    Expect("C:\\Windows\\System32\\..\\notepad.exe", "C:\\Windows\\notepad.exe");
    Expect("c:/a//b/./c", "C:\\a\\b\\c");
    Expect("\\Temp\\x.txt", "C:\\Temp\\x.txt");
    Expect("C:\\..\\..\\x", "C:\\x");
    Expect("C:\\dir\\", "C:\\dir\\");
    Expect("D:x.txt", "D:\\x.txt");
    Expect("\\\\.\\SIoctl", "\\\\.\\SIoctl");
    char Out[MAX_PATH], *Part = NULL;
    CHECK(GetFullPathNameA("C:\\a\\b.txt", sizeof(Out), Out, &Part) == 10 && Part == Out + 5 && strcmp(Part, "b.txt") == 0);
    CHECK(GetFullPathNameA("C:\\a\\", sizeof(Out), Out, &Part) == 5 && Part == NULL);
    CHECK(GetFullPathNameA("C:\\a\\b.txt", 5, Out, NULL) == 11);     /* the size needed, with the NUL */
    WCHAR W[MAX_PATH];
    LPWSTR WPart = NULL;
    CHECK(GetFullPathNameW(L"C:/x/y", MAX_PATH, W, &WPart) == 6 && W[2] == '\\' && WPart == W + 5);
    SetLastError(0);
    CHECK(GetFullPathNameA("", sizeof(Out), Out, NULL) == 0 && GetLastError() == ERROR_INVALID_NAME);
    printf("fullpath-client: %s\n", Failed ? "FAIL" : "PASS");
    return Failed;
}
