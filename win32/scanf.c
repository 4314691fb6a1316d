/*
 * win32/scanf.c - the C run-time's sscanf_s (Microsoft's "secure" scanf):
 * as sscanf, except that %c, %s and %[ take two arguments, the buffer and
 * its size in characters (an unsigned int), and a field that does not fit
 * stores an empty string and ends the scan. Done one conversion at a time
 * with the C library's sscanf, each given the size as its width.
 */
#include "win32p.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sscanf_s(const char *Buffer, const char *Format, ...);
int vsscanf_s(const char *Buffer, const char *Format, va_list Arguments);

/* One directive of Format at *At: its length; *Kind the conversion ('\0'
 * for literal text), *Suppressed for %*, *HasWidth for an explicit width. */
static size_t W32Directive(const char *At, char *Kind, BOOL *Suppressed, BOOL *HasWidth)
{
    *Kind = 0;
    *Suppressed = *HasWidth = FALSE;
    if (At[0] != '%' || At[1] == '%') {
        size_t n = At[0] == '%' ? 2 : 0;
        while (At[n] != 0 && At[n] != '%')
            n++;
        return n;
    }
    size_t n = 1;
    if (At[n] == '*') {
        *Suppressed = TRUE;
        n++;
    }
    while (At[n] >= '0' && At[n] <= '9') {
        *HasWidth = TRUE;
        n++;
    }
    while (At[n] != 0 && strchr("hlLqjztI0123456789", At[n]) != NULL)     /* size prefixes, I64 */
        n++;
    *Kind = At[n];
    if (At[n] == 0)
        return n;
    if (At[n] == '[') {
        n++;
        if (At[n] == '^')
            n++;
        if (At[n] == ']')
            n++;
        while (At[n] != 0 && At[n] != ']')
            n++;
    }
    return At[n] != 0 ? n + 1 : n;
}

int vsscanf_s(const char *Buffer, const char *Format, va_list Arguments)
{
    if (Buffer == NULL || Format == NULL)
        return EOF;
    size_t Pos = 0;
    int Assigned = 0;
    for (const char *At = Format; *At != 0;) {
        char Kind, Piece[128];
        BOOL Suppressed, HasWidth;
        size_t Length = W32Directive(At, &Kind, &Suppressed, &HasWidth);
        if (Length + 8 >= sizeof(Piece))
            break;
        int Used = -1;
        if (Kind == 'n') {
            if (!Suppressed)
                *va_arg(Arguments, int *) = (int)Pos;
            At += Length;
            continue;
        }
        if (Kind == 0 || Suppressed) {
            snprintf(Piece, sizeof(Piece), "%.*s%%n", (int)Length, At);
            int Got = sscanf(Buffer + Pos, Piece, &Used);
            if (Got == EOF && Assigned == 0)
                return EOF;
        } else if (Kind == 'c' || Kind == 's' || Kind == '[') {
            void *Out = va_arg(Arguments, void *);
            unsigned Size = va_arg(Arguments, unsigned);
            if (Size == 0)
                break;
            /* %s/%[ need room for the NUL; %c reads 1 (or the width) characters */
            if (!HasWidth && Kind != 'c')
                snprintf(Piece, sizeof(Piece), "%%%u%.*s%%n", Size - 1, (int)(Length - 1), At + 1);
            else
                snprintf(Piece, sizeof(Piece), "%.*s%%n", (int)Length, At);
            int Got = sscanf(Buffer + Pos, Piece, Out, &Used);
            if (Got == EOF && Assigned == 0)
                return EOF;
            if (Got != 1)
                break;
            if (Kind != 'c' && Buffer[Pos + (size_t)Used] != 0 && !HasWidth &&
                strlen((const char *)Out) == Size - 1 && strchr(" \t\n", Buffer[Pos + (size_t)Used]) == NULL) {
                ((char *)Out)[0] = 0;          /* did not fit */
                break;
            }
            Assigned++;
        } else {
            void *Out = va_arg(Arguments, void *);
            snprintf(Piece, sizeof(Piece), "%.*s%%n", (int)Length, At);
            int Got = sscanf(Buffer + Pos, Piece, Out, &Used);
            if (Got == EOF && Assigned == 0)
                return EOF;
            if (Got != 1)
                break;
            Assigned++;
        }
        if (Used < 0)
            break;                              /* the literal text did not match */
        Pos += (size_t)Used;
        At += Length;
    }
    return Assigned;
}

int sscanf_s(const char *Buffer, const char *Format, ...)
{
    va_list Arguments;
    va_start(Arguments, Format);
    int Result = vsscanf_s(Buffer, Format, Arguments);
    va_end(Arguments);
    return Result;
}
