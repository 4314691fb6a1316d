/*
 * win32/tchar.h - the generic-text names of the C run-time for user-mode
 * code: wide under _UNICODE (the default of `ntps cc --user`), narrow
 * otherwise.
 */
#ifndef _INC_TCHAR
#define _INC_TCHAR
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#ifdef _UNICODE
typedef wchar_t _TCHAR;
#define _T(x) L##x
#define _tmain wmain
#define _tprintf wprintf
#define _tcslen wcslen
#define _tcscmp wcscmp
#define _tcsicmp _wcsicmp
#define _tcscpy_s wcscpy_s
#define _tcscat_s wcscat_s
#define _tcsncpy_s wcsncpy_s
#define _tcscpy wcscpy
#define _tcscat wcscat
#define _tcsncpy wcsncpy
#define _tcschr wcschr
#define _tcsrchr wcsrchr
#define _tcsstr wcsstr
#define _tcsncmp wcsncmp
#define _tcsnicmp _wcsnicmp
#define _ttoi _wtoi
#else
typedef char _TCHAR;
#define _T(x) x
#define _tmain main
#define _tprintf printf
#define _tcslen strlen
#define _tcscmp strcmp
#define _tcsicmp _stricmp
#define _tcscpy_s strcpy_s
#define _tcscat_s strcat_s
#define _tcsncpy_s strncpy_s
#define _tcscpy strcpy
#define _tcscat strcat
#define _tcsncpy strncpy
#define _tcschr strchr
#define _tcsrchr strrchr
#define _tcsstr strstr
#define _tcsncmp strncmp
#define _tcsnicmp _strnicmp
#define _ttoi atoi
#endif
#define _TEXT(x) _T(x)
#endif
