/*
 * win32/console.c - printf and wprintf for user code, with the Microsoft
 * conversions (%ws, %S, %ls: 16-bit strings; %hs; %I64d ...): formatted by
 * the kernel's _vsnprintf/_vsnwprintf and written to ntps's standard
 * output through the C library's stdout, flushed at once, so that the
 * client's lines and the drivers' DbgPrint lines keep their order.
 * Wide output is converted to UTF-8.
 */
#include "win32p.h"

#include <stdarg.h>
#include <stdio.h>

#define W32_LINE 4096

static int W32Write(const char *Text, size_t Length)
{
    fwrite(Text, 1, Length, stdout);
    fflush(stdout);
    return (int)Length;
}

/* UTF-16 to UTF-8 (lone surrogates become U+FFFD). */
static size_t W32ToUtf8(const WCHAR *In, size_t Count, char *Out, size_t Size)
{
    size_t Used = 0;
    for (size_t i = 0; i < Count && Used + 4 < Size; i++) {
        ULONG C = In[i];
        if (C >= 0xD800 && C < 0xDC00 && i + 1 < Count && In[i + 1] >= 0xDC00 && In[i + 1] < 0xE000)
            C = 0x10000 + ((C - 0xD800) << 10) + (In[++i] - 0xDC00);
        else if (C >= 0xD800 && C < 0xE000)
            C = 0xFFFD;
        if (C < 0x80) {
            Out[Used++] = (char)C;
        } else if (C < 0x800) {
            Out[Used++] = (char)(0xC0 | C >> 6);
            Out[Used++] = (char)(0x80 | (C & 0x3F));
        } else if (C < 0x10000) {
            Out[Used++] = (char)(0xE0 | C >> 12);
            Out[Used++] = (char)(0x80 | (C >> 6 & 0x3F));
            Out[Used++] = (char)(0x80 | (C & 0x3F));
        } else {
            Out[Used++] = (char)(0xF0 | C >> 18);
            Out[Used++] = (char)(0x80 | (C >> 12 & 0x3F));
            Out[Used++] = (char)(0x80 | (C >> 6 & 0x3F));
            Out[Used++] = (char)(0x80 | (C & 0x3F));
        }
    }
    return Used;
}

int vprintf(const char *Format, va_list Args)
{
    char Line[W32_LINE];
    int N = _vsnprintf(Line, sizeof(Line), Format, Args);
    if (N < 0 || (size_t)N > sizeof(Line))
        N = sizeof(Line);           /* cut: what fits */
    return W32Write(Line, (size_t)N);
}

int printf(const char *Format, ...)
{
    va_list Args;
    va_start(Args, Format);
    int N = vprintf(Format, Args);
    va_end(Args);
    return N;
}

int vwprintf(const wchar_t *Format, va_list Args)
{
    WCHAR Line[W32_LINE];
    char Utf8[W32_LINE * 3];
    int N = _vsnwprintf(Line, RTL_NUMBER_OF(Line), Format, Args);
    if (N < 0 || (size_t)N > RTL_NUMBER_OF(Line))
        N = RTL_NUMBER_OF(Line);
    W32Write(Utf8, W32ToUtf8(Line, (size_t)N, Utf8, sizeof(Utf8)));
    return N;
}

int wprintf(const wchar_t *Format, ...)
{
    va_list Args;
    va_start(Args, Format);
    int N = vwprintf(Format, Args);
    va_end(Args);
    return N;
}
