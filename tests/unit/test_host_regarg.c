/*
 * test_host_regarg.c - parsing `ntps run --reg KEY\VALUE=TYPE:DATA`
 * (host/registry.c): every type's data, relative and full keys, the
 * default value, UTF-8 text, and the errors (what is wrong, and where).
 */
#include "host/host.h"

#include <string.h>

#include "unittest.h"

static NTPS_HOST_REG_VALUE Value;
static char Error[256];

static int Parse(const char *Spec)
{
    Error[0] = 0;
    NtpsFreeRegistryValue(&Value);
    return NtpsParseRegistryValue(Spec, 2, &Value, Error, sizeof(Error));
}

static int WideIs(PCWSTR Wide, PCWSTR Expected)
{
    size_t n = 0;
    while (Expected[n] != 0 && Wide[n] == Expected[n])
        n++;
    return Wide[n] == 0 && Expected[n] == 0;
}

static void TestGood(void)
{
    CHECK(Parse("Parameters\\Level=dword:5"));
    CHECK(Value.Relative);
    CHECK_EQ(Value.Driver, 2);
    CHECK(WideIs(Value.Key, L"Parameters"));
    CHECK(WideIs(Value.Name, L"Level"));
    CHECK_EQ(Value.Type, REG_DWORD);
    CHECK_EQ(Value.Length, 4);
    CHECK_EQ(*(ULONG *)Value.Data, 5);
    CHECK(Parse("Start=DWORD:0xffffffff"));
    CHECK(WideIs(Value.Key, L""));
    CHECK_EQ(*(ULONG *)Value.Data, 0xFFFFFFFFu);
    CHECK(Parse("\\Registry\\Machine\\Software\\V\\Big=qword:0x100000000"));
    CHECK(!Value.Relative);
    CHECK(WideIs(Value.Key, L"\\Registry\\Machine\\Software\\V"));
    CHECK_EQ(Value.Type, REG_QWORD);
    CHECK_EQ(Value.Length, 8);
    CHECK_EQ(*(ULONGLONG *)Value.Data, 0x100000000ULL);
    CHECK(Parse("P\\=sz:héllo=1:2"));      /* the default value; '=' and ':' in the data */
    CHECK(WideIs(Value.Name, L""));
    CHECK_EQ(Value.Type, REG_SZ);
    CHECK(WideIs((PCWSTR)Value.Data, L"h\u00e9llo=1:2"));
    CHECK_EQ(Value.Length, 10 * sizeof(WCHAR));   /* nine characters and the NUL */
    CHECK(Parse("E=expand_sz:%Root%\\x"));
    CHECK_EQ(Value.Type, REG_EXPAND_SZ);
    CHECK(Parse("S=sz:"));
    CHECK_EQ(Value.Length, sizeof(WCHAR));
    CHECK(Parse("M=multi_sz:a,bc"));
    CHECK_EQ(Value.Type, REG_MULTI_SZ);
    CHECK_EQ(Value.Length, 6 * sizeof(WCHAR));
    CHECK(memcmp(Value.Data, L"a\0bc\0", 6 * sizeof(WCHAR)) == 0);
    CHECK(Parse("M=multi_sz:"));
    CHECK_EQ(Value.Length, sizeof(WCHAR));
    CHECK(Parse("B=binary:00fFa1"));
    CHECK_EQ(Value.Type, REG_BINARY);
    CHECK_EQ(Value.Length, 3);
    CHECK_EQ(Value.Data[1], 0xFF);
    CHECK_EQ(Value.Data[2], 0xA1);
    CHECK(Parse("B=binary:"));
    CHECK_EQ(Value.Length, 0);
}

static void TestBad(void)
{
    CHECK(!Parse("Level"));
    CHECK(strstr(Error, "no '='") != NULL);
    CHECK(!Parse("Level=dword"));
    CHECK(strstr(Error, "no ':'") != NULL);
    CHECK(!Parse("Level=word:1"));
    CHECK(strstr(Error, "unknown type 'word'") != NULL);
    CHECK(!Parse("Level=dword:-1"));
    CHECK(strstr(Error, "not a number") != NULL);
    CHECK(!Parse("Level=dword:4294967296"));
    CHECK(!Parse("Level=dword:12abc"));
    CHECK(!Parse("Level=dword:"));
    CHECK(!Parse("Level=qword:99999999999999999999"));
    CHECK(!Parse("B=binary:abc"));
    CHECK(strstr(Error, "odd number") != NULL);
    CHECK(!Parse("B=binary:zz"));
    CHECK(strstr(Error, "'z' at character 10") != NULL);
    CHECK(!Parse("M=multi_sz:a,,b"));
    CHECK(strstr(Error, "empty string") != NULL);
    CHECK(!Parse("A\\\\B=dword:1"));
    CHECK(strstr(Error, "empty key name") != NULL);
    CHECK(!Parse("\\Machine\\X=dword:1"));
    CHECK(strstr(Error, "\\Registry") != NULL);
    CHECK(!Parse("\\RegistryX\\X=dword:1"));
    char Long[400] = "";
    memset(Long, 'k', 256);
    strcat(Long, "\\V=dword:1");
    CHECK(!Parse(Long));
    CHECK(strstr(Error, "longer than 255") != NULL);
    CHECK(!Parse("S=sz:\xff\xfe"));
    CHECK(strstr(Error, "UTF-8") != NULL);
}

int main(void)
{
    TestGood();
    TestBad();
    NtpsFreeRegistryValue(&Value);
    return UT_DONE();
}
