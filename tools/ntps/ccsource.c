/*
 * tools/ntps/ccsource.c - `ntps cc`: source files as Visual Studio reads them.
 *
 * A project lists "Capture.c" for a file named capture.c: Windows opens it
 * (names compare without regard to case), so the name given is resolved
 * the same way, component by component, when it does not exist as written.
 *
 * Visual C++ reads a source with a UTF-16 byte-order mark as UTF-16, and
 * one that is not UTF-8 in the machine's code page, whose narrow string
 * literals keep their bytes (source and execution code page are the same).
 * gcc reads UTF-8 and refuses literal bytes that are not ("converting to
 * execution character set"), and Visual C++'s integer suffixes (10i64,
 * 0ui64, 1i32). Such a file is compiled from a copy in a temporary folder:
 * UTF-16 made UTF-8; in a non-UTF-8 file, every byte above 0x7F inside a
 * narrow string or character literal written as an octal escape (the
 * same bytes in the image); i64/ui64/i32... made LL/ULL/(none)...;
 * everything else unchanged.
 * The copy starts with #line naming the original, so messages and
 * __FILE__ name it, and the original's folder is searched for its quoted
 * #include names (-iquote). A wide literal's bytes in a non-UTF-8 file are
 * kept as one character each (as ISO-8859-1): the code page is not known.
 */
#include <ctype.h>
#include <strings.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccsource.h"

static char NtpsCopyDir[64];

/* Path, or the existing path that differs from it only in case (static). */
const char *NtpsCcFindSource(const char *Path)
{
    static char Found[PATH_MAX];
    struct stat St;
    if (stat(Path, &St) == 0 || strlen(Path) >= sizeof(Found))
        return Path;
    Found[0] = 0;
    const char *p = Path;
    if (*p == '/') {
        strcpy(Found, "/");
        while (*p == '/')
            p++;
    }
    while (*p) {
        size_t n = strcspn(p, "/");
        char Part[NAME_MAX + 1];
        if (n > NAME_MAX)
            return Path;
        memcpy(Part, p, n);
        Part[n] = 0;
        const char *Dir = Found[0] ? Found : ".";
        char Try[PATH_MAX];
        if (snprintf(Try, sizeof(Try), "%s%s%s", Found, Found[0] && Found[strlen(Found) - 1] != '/' ? "/" : "",
                     Part) >= (int)sizeof(Try))
            return Path;
        if (lstat(Try, &St) != 0) {
            DIR *D = opendir(Dir);
            struct dirent *E;
            int Match = 0;
            while (D != NULL && (E = readdir(D)) != NULL)
                if (!strcasecmp(E->d_name, Part)) {
                    snprintf(Part, sizeof(Part), "%s", E->d_name);
                    Match = 1;
                    break;
                }
            if (D != NULL)
                closedir(D);
            if (!Match)
                return Path;
            snprintf(Try, sizeof(Try), "%s%s%s", Found, Found[0] && Found[strlen(Found) - 1] != '/' ? "/" : "", Part);
        }
        snprintf(Found, sizeof(Found), "%s", Try);
        p += n;
        while (*p == '/')
            p++;
    }
    return Found;
}

static int NtpsIsUtf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
        if (k == 9 || (k == 1 && c < 0xC2) || i + k >= n + (k == 0))
            return 0;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
        i += k + 1;
    }
    return 1;
}

static void NtpsPutUtf8(FILE *F, unsigned long c)
{
    if (c < 0x80) {
        fputc((int)c, F);
    } else if (c < 0x800) {
        fputc((int)(0xC0 | (c >> 6)), F);
        fputc((int)(0x80 | (c & 0x3F)), F);
    } else if (c < 0x10000) {
        fputc((int)(0xE0 | (c >> 12)), F);
        fputc((int)(0x80 | ((c >> 6) & 0x3F)), F);
        fputc((int)(0x80 | (c & 0x3F)), F);
    } else {
        fputc((int)(0xF0 | (c >> 18)), F);
        fputc((int)(0x80 | ((c >> 12) & 0x3F)), F);
        fputc((int)(0x80 | ((c >> 6) & 0x3F)), F);
        fputc((int)(0x80 | (c & 0x3F)), F);
    }
}

/* UTF-16 (after its mark) to UTF-8 in a new buffer (*Out, *OutLength);
 * an unpaired surrogate becomes U+FFFD. */
static int NtpsFromUtf16(const unsigned char *s, size_t n, int BigEndian, unsigned char **Out, size_t *OutLength)
{
    char *Buffer = NULL;
    size_t Size = 0;
    FILE *F = open_memstream(&Buffer, &Size);
    if (F == NULL)
        return 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned long c = BigEndian ? (unsigned long)(s[i] << 8 | s[i + 1]) : (unsigned long)(s[i] | s[i + 1] << 8);
        if (c >= 0xD800 && c < 0xDC00 && i + 3 < n) {
            unsigned long d = BigEndian ? (unsigned long)(s[i + 2] << 8 | s[i + 3])
                                        : (unsigned long)(s[i + 2] | s[i + 3] << 8);
            if (d >= 0xDC00 && d < 0xE000) {
                c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
                i += 2;
            } else {
                c = 0xFFFD;
            }
        } else if (c >= 0xD800 && c < 0xE000) {
            c = 0xFFFD;
        }
        NtpsPutUtf8(F, c);
    }
    fclose(F);
    *Out = (unsigned char *)Buffer;
    *OutLength = Size;
    return 1;
}

/* Visual C++'s integer suffixes (10i64, 0xFFui64, 1i32): the standard
 * ones for the same type, or none. */
static const char *NtpsSuffix(const unsigned char *s, size_t n)
{
    static const struct { const char *Ms, *Std; } Map[] = {
        { "ui64", "ULL" }, { "i64", "LL" }, { "ui32", "U" }, { "i32", "" },
        { "ui16", "U" }, { "i16", "" }, { "ui8", "U" }, { "i8", "" },
    };
    for (size_t k = 0; k < sizeof(Map) / sizeof(Map[0]); k++) {
        size_t m = strlen(Map[k].Ms);
        if (n > m && !strncasecmp((const char *)s + n - m, Map[k].Ms, m) && isxdigit(s[n - m - 1]))
            return Map[k].Std;
    }
    return NULL;
}

static int NtpsIdentChar(unsigned c)
{
    return isalnum((int)c) || c == '_' || c >= 0x80;
}

/* Writes the text to F (NULL: only counts) with the MSVC integer suffixes
 * made standard; in a code-page file (CodePage), high bytes in narrow
 * literals as octal escapes and in wide ones as ISO-8859-1 characters,
 * elsewhere (comments) as they are. Returns how many changes it made. */
static int NtpsRewrite(FILE *F, const unsigned char *s, size_t n, int CodePage)
{
    enum { Code, Line, Block, Str } State = Code;
    int Wide = 0, Changes = 0;
    unsigned Quote = 0;
#define NTPS_PUT(c) (F != NULL ? fputc((int)(c), F) : 0)
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i], Next = i + 1 < n ? s[i + 1] : 0;
        switch (State) {
        case Code:
            if (c == '/' && (Next == '/' || Next == '*')) {
                State = Next == '/' ? Line : Block;
                NTPS_PUT('/'), NTPS_PUT(Next), i++;
                continue;
            }
            if (c == '"' || c == '\'') {
                State = Str, Quote = c;
                /* L, u and U prefixes make a wide literal; u8 and none a narrow one */
                Wide = i > 0 && (s[i - 1] == 'L' || s[i - 1] == 'U' || s[i - 1] == 'u');
            } else if (isdigit((int)c) && (i == 0 || !NtpsIdentChar(s[i - 1]))) {
                size_t End = i + 1;     /* a preprocessing number */
                while (End < n && (NtpsIdentChar(s[End]) || s[End] == '.' ||
                                   ((s[End] == '+' || s[End] == '-') && strchr("eEpP", s[End - 1]) != NULL)))
                    End++;
                const char *Std = NtpsSuffix(s + i, End - i);
                size_t Keep = End - i;
                if (Std != NULL) {
                    while (Keep > 0 && (s[i + Keep - 1] | 0x20) != 'i')
                        Keep--;
                    Keep--;                             /* before the i */
                    if (Keep > 0 && (s[i + Keep - 1] | 0x20) == 'u')
                        Keep--;
                    Changes++;
                }
                for (size_t k = 0; k < Keep; k++)
                    NTPS_PUT(s[i + k]);
                if (Std != NULL && F != NULL)
                    fputs(Std, F);
                i = End - 1;
                continue;
            }
            break;
        case Line:
            if (c == '\n' && !(i > 0 && s[i - 1] == '\\'))
                State = Code;
            break;
        case Block:
            if (c == '*' && Next == '/') {
                State = Code;
                NTPS_PUT('*'), NTPS_PUT('/'), i++;
                continue;
            }
            break;
        case Str:
            if (c == '\\' && Next != 0) {
                NTPS_PUT('\\'), i++;
                if (Next >= 0x80 && CodePage && !Wide) {
                    if (F != NULL)
                        fprintf(F, "%03o", Next);
                } else {
                    NTPS_PUT(Next);
                }
                continue;
            }
            if (c == Quote || c == '\n') {
                State = Code;
            } else if (c >= 0x80 && CodePage) {
                if (F != NULL && Wide)
                    NtpsPutUtf8(F, c);
                else if (F != NULL)
                    fprintf(F, "\\%03o", c);
                continue;
            }
            break;
        }
        NTPS_PUT(c);
    }
#undef NTPS_PUT
    return Changes;
}

void NtpsCcCopyRemove(void)
{
    if (NtpsCopyDir[0] == 0)
        return;
    DIR *D = opendir(NtpsCopyDir);
    struct dirent *E;
    char Path[sizeof(NtpsCopyDir) + NAME_MAX + 2];
    while (D != NULL && (E = readdir(D)) != NULL)
        if (strcmp(E->d_name, ".") && strcmp(E->d_name, "..")) {
            snprintf(Path, sizeof(Path), "%s/%s", NtpsCopyDir, E->d_name);
            unlink(Path);
        }
    if (D != NULL)
        closedir(D);
    rmdir(NtpsCopyDir);
    NtpsCopyDir[0] = 0;
}

/* Index distinguishes copies of two sources with one name (x/a.c, y/a.c). */
static const char *NtpsWriteCopy(const char *Path, const unsigned char *Text, size_t n, int Index, int CodePage)
{
    if (NtpsCopyDir[0] == 0) {
        snprintf(NtpsCopyDir, sizeof(NtpsCopyDir), "/tmp/ntps-cc-src-XXXXXX");
        if (mkdtemp(NtpsCopyDir) == NULL) {
            NtpsCopyDir[0] = 0;
            return NULL;
        }
    }
    const char *Base = strrchr(Path, '/');
    Base = Base != NULL ? Base + 1 : Path;
    size_t Size = strlen(NtpsCopyDir) + strlen(Base) + 24;
    char *Copy = malloc(Size);
    if (Copy == NULL)
        return NULL;
    snprintf(Copy, Size, "%s/%d-%s", NtpsCopyDir, Index, Base);
    FILE *F = fopen(Copy, "w");
    if (F == NULL) {
        free(Copy);
        return NULL;
    }
    fprintf(F, "#line 1 \"");
    for (const char *p = Path; *p; p++)
        fprintf(F, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
    fprintf(F, "\"\n");
    NtpsRewrite(F, Text, n, CodePage);
    fclose(F);
    return Copy;
}

const char *NtpsCcPrepareSource(const char *Path, int Index, int *Copied)
{
    *Copied = 0;
    FILE *F = fopen(Path, "rb");
    if (F == NULL)
        return Path;
    fseek(F, 0, SEEK_END);
    long Size = ftell(F);
    fseek(F, 0, SEEK_SET);
    unsigned char *Text = Size > 0 ? malloc((size_t)Size) : NULL;
    size_t n = Text != NULL ? fread(Text, 1, (size_t)Size, F) : 0;
    fclose(F);
    int Utf16 = 0, CodePage = 0;
    if (n >= 2 && ((Text[0] == 0xFF && Text[1] == 0xFE) || (Text[0] == 0xFE && Text[1] == 0xFF))) {
        unsigned char *Utf8;
        size_t Length;
        if (NtpsFromUtf16(Text + 2, n - 2, Text[0] == 0xFE, &Utf8, &Length)) {
            free(Text);
            Text = Utf8;
            n = Length;
            Utf16 = 1;
        }
    } else if (n > 0 && !NtpsIsUtf8(Text, n)) {
        CodePage = 1;
    }
    const char *Result = Path;
    if (Utf16 || CodePage || (n > 0 && NtpsRewrite(NULL, Text, n, 0) > 0)) {
        const char *Copy = NtpsWriteCopy(Path, Text, n, Index, CodePage);
        if (Copy != NULL) {
            Result = Copy;
            *Copied = 1;
        }
    }
    free(Text);
    return Result;
}
