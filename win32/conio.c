/*
 * win32/conio.c - conio.h's console routines on the ntps process's
 * standard input and output (the console a Windows client would read).
 *
 * _getch reads one character without echo and waits for it; _getche
 * echoes it; _kbhit says whether one is waiting, without waiting. On a
 * terminal each key counts (line buffering and echo are off while these
 * read: the terminal's settings come back after each call). When standard
 * input is not a terminal (a pipe, a file) its bytes are the keys; at its
 * end (or /dev/null) _kbhit returns nonzero, as if a key was pressed, so a
 * client's "press any key to stop" loop ends instead of running for ever,
 * and _getch returns EOF (-1). A wait in _getch holds the virtual processor
 * the thread runs on (a host read). _ungetch pushes back one character.
 */
#include "win32p.h"

#include <conio.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#define W32_NO_CHARACTER (-2)

static int W32Pushed = W32_NO_CHARACTER;

/* Runs Body with the terminal (if standard input is one) in raw input mode. */
static int W32WithRawInput(int (*Body)(int Timeout), int Timeout)
{
    struct termios Saved, Raw;
    int Terminal = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &Saved) == 0;
    if (Terminal) {
        Raw = Saved;
        Raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        Raw.c_cc[VMIN] = 1;
        Raw.c_cc[VTIME] = 0;
        tcsetattr(STDIN_FILENO, TCSANOW, &Raw);
    }
    int Result = Body(Timeout);
    if (Terminal)
        tcsetattr(STDIN_FILENO, TCSANOW, &Saved);
    return Result;
}

static int W32Poll(int Timeout)
{
    struct pollfd P = { STDIN_FILENO, POLLIN, 0 };
    return poll(&P, 1, Timeout) > 0 && (P.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

static int W32ReadKey(int Timeout)
{
    (void)Timeout;
    unsigned char c;
    ssize_t n;
    do
        n = read(STDIN_FILENO, &c, 1);
    while (n < 0 && errno == EINTR);
    return n == 1 ? c : EOF;
}

int _kbhit(void)
{
    if (W32Pushed != W32_NO_CHARACTER)
        return 1;
    return W32WithRawInput(W32Poll, 0);
}

int _getch(void)
{
    if (W32Pushed != W32_NO_CHARACTER) {
        int c = W32Pushed;
        W32Pushed = W32_NO_CHARACTER;
        return c;
    }
    fflush(stdout);
    return W32WithRawInput(W32ReadKey, -1);
}

int _getche(void)
{
    int c = _getch();
    if (c != EOF)
        _putch(c);
    return c;
}

int _putch(int Character)
{
    unsigned char c = (unsigned char)Character;
    fflush(stdout);
    return write(STDOUT_FILENO, &c, 1) == 1 ? c : EOF;
}

int _ungetch(int Character)
{
    if (Character == EOF || W32Pushed != W32_NO_CHARACTER)
        return EOF;
    W32Pushed = Character & 0xFF;
    return W32Pushed;
}

/* One byte is one character (the console's code page is Latin-1 here). */
wint_t _getwch(void)
{
    int c = _getch();
    return c == EOF ? (wint_t)0xFFFF : (wint_t)c;
}

wint_t _putwch(wchar_t Character)
{
    return Character < 0x100 && _putch((int)Character) != EOF ? (wint_t)Character : (wint_t)0xFFFF;
}
