/*
 * A Win32 console client in C++ with wmain(int, const wchar_t *[]) (as
 * the book samples write it), std::wstring and std::vector with 16-bit
 * wchar_t, _wtoi and _wcsicmp. Exits with the sum of its numeric
 * arguments.
 */
#include <windows.h>
#include <stdio.h>
#include <string>
#include <vector>

int wmain(int argc, const wchar_t *argv[])
{
    std::vector<DWORD> Numbers;
    for (int i = 1; i < argc; i++)
        if (_wcsicmp(argv[i], L"SKIP") != 0)
            Numbers.push_back(::_wtoi(argv[i]));
    std::wstring Joined(argv[0]);
    Joined += L" with ";
    Joined += (wchar_t)(L'0' + Numbers.size());
    printf("client++: %ws numbers (%zu characters)\n", Joined.c_str(), Joined.size());
    DWORD Sum = 0;
    for (auto N : Numbers)
        Sum += N;
    printf("client++: %s\n", min(Sum, 100u) == Sum && Joined.find(L"with") != std::wstring::npos ? "PASS" : "FAIL");
    return (int)Sum;
}
