/*
 * The C run-time routines Windows-driver-samples clients use beyond
 * stdio: sscanf_s (sizes after %s, %c and %[ buffers) and conio.h
 * (_putch, _ungetch, _kbhit, _getch, _getche); standard input is left
 * alone (a pushed-back character is what _kbhit and _getch see first).
 * Run by tests/drivers/user_crt.c.
 */
#define NTPS_USER_NO_UNICODE
#include <windows.h>
#include <conio.h>
#include <stdio.h>
#include <string.h>

static int Failed;
#define CHECK(c) do { if (!(c)) { Failed++; printf("crt-client: FAIL line %d: %s\n", __LINE__, #c); } } while (0)

int main(void)
{
    float Delay = 0;
    unsigned Type = 9;
    char Word[8], Small[4], Letter = 0;
    int Used = 0;
    CHECK(sscanf_s("2.5", "%f", &Delay) == 1 && Delay == 2.5f);
    CHECK(sscanf_s("3 7", "%f %u", &Delay, &Type) == 2 && Delay == 3.0f && Type == 7);
    CHECK(sscanf_s("hello x", "%s %c%n", Word, (unsigned)sizeof(Word), &Letter, 1u, &Used) == 2 &&
          strcmp(Word, "hello") == 0 && Letter == 'x' && Used == 7);
    CHECK(sscanf_s("toolong", "%s", Small, (unsigned)sizeof(Small)) == 0 && Small[0] == 0);
    CHECK(sscanf_s("id=42", "id=%u", &Type) == 1 && Type == 42);
    CHECK(sscanf_s("x", "y%u", &Type) == 0);
    CHECK(sscanf_s("", "%u", &Type) == EOF);
    CHECK(_putch('o') == 'o' && _putch('k') == 'k' && _putch('\n') == '\n');
    CHECK(_ungetch('q') == 'q' && _ungetch('r') == EOF);
    CHECK(_kbhit() != 0);
    CHECK(_getch() == 'q');
    CHECK(_ungetch('z') == 'z' && _getche() == 'z');
    printf("\n");
    printf(Failed ? "crt-client: FAIL\n" : "crt-client: PASS\n");
    return Failed;
}
