/*
 * windef.h - the Windows base types, as the WDK's shared windef.h gives
 * them to kernel-mode code that includes it after ntddk.h (DWORD, BOOL,
 * LPVOID, MAX_PATH, RECT, POINT ...). ntdef.h already has BYTE, WORD,
 * DWORD, BOOL, LPSTR/LPCSTR/LPWSTR/LPCWSTR and FLOAT; a --user program
 * gets the rest from windows.h, so they are defined here once.
 * Written for ntps from the Windows documentation.
 */
#ifndef _WINDEF_
#define _WINDEF_

#include <ntdef.h>

NTPS_BEGIN_DECLS

#ifndef _WINDOWS_       /* windows.h (include/win32) defines these itself */
typedef void *LPVOID;
typedef const void *LPCVOID;
typedef BYTE *LPBYTE;
typedef BOOL *LPBOOL;
typedef WORD *LPWORD;
typedef LONG *LPLONG;
#endif

typedef FLOAT *PFLOAT;
typedef int *LPINT;
typedef UINT_PTR WPARAM;
typedef LONG_PTR LPARAM, LRESULT;
typedef WORD ATOM;
typedef void *HWND, *HDC, *HGDIOBJ, *HICON, *HMENU, *HBITMAP, *HBRUSH, *HFONT, *HRGN, *HGLOBAL, *HLOCAL;

typedef struct tagRECT {
    LONG left, top, right, bottom;
} RECT, *PRECT, *NPRECT, *LPRECT;
typedef const RECT *LPCRECT;

typedef struct tagPOINT {
    LONG x, y;
} POINT, *PPOINT, *NPPOINT, *LPPOINT;

typedef struct tagSIZE {
    LONG cx, cy;
} SIZE, *PSIZE, *LPSIZE;

#ifndef _WINDOWS_       /* the same text as windows.h's, which may come after */
#define MAKEWORD(a, b) ((WORD)(((BYTE)(a)) | ((WORD)((BYTE)(b))) << 8))
#define MAKELONG(a, b) ((LONG)(((WORD)(a)) | ((DWORD)((WORD)(b))) << 16))
#define LOWORD(l) ((WORD)((DWORD_PTR)(l) & 0xffff))
#define HIWORD(l) ((WORD)((DWORD_PTR)(l) >> 16))
#define MAX_PATH 260
#endif
#define LOBYTE(w) ((BYTE)((DWORD_PTR)(w) & 0xff))
#define HIBYTE(w) ((BYTE)((DWORD_PTR)(w) >> 8))

NTPS_END_DECLS

#endif /* _WINDEF_ */
