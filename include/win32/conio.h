/*
 * win32/conio.h - the C run-time's console input and output: _getch,
 * _getche, _kbhit, _putch, _ungetch (and their _nolock-free wide forms
 * _getwch, _putwch). Implemented by ntps's win32 library (win32/conio.c)
 * on the ntps process's standard input and output.
 */
#ifndef _NTPS_WIN32_CONIO_H
#define _NTPS_WIN32_CONIO_H

#include <windows.h>

NTPS_BEGIN_DECLS

int _getch(void);
int _getche(void);
int _kbhit(void);
int _putch(int Character);
int _ungetch(int Character);
wint_t _getwch(void);
wint_t _putwch(wchar_t Character);

NTPS_END_DECLS

#endif
