/*
 * win32/time.c - system time, tick counts, the performance counter and
 * FILETIME -> SYSTEMTIME. ntps has one time zone, UTC: local time is
 * system time.
 */
#include "win32p.h"

#define W32_TICKS_PER_MS 10000ULL
#define W32_MS_PER_DAY 86400000ULL
#define W32_DAYS_1601_TO_1970 134774LL

VOID WINAPI GetSystemTimeAsFileTime(LPFILETIME lpSystemTimeAsFileTime)
{
    LARGE_INTEGER Now;
    KeQuerySystemTimePrecise(&Now);
    lpSystemTimeAsFileTime->dwLowDateTime = (DWORD)Now.QuadPart;
    lpSystemTimeAsFileTime->dwHighDateTime = (DWORD)((ULONGLONG)Now.QuadPart >> 32);
}

/* The civil date of a day counted from 1970-01-01 (proleptic Gregorian,
 * eras of 400 years starting on March 1st). */
static VOID W32CivilFromDays(LONGLONG Days, WORD *Year, WORD *Month, WORD *Day)
{
    Days += 719468;                                     /* from 0000-03-01 */
    LONGLONG Era = (Days >= 0 ? Days : Days - 146096) / 146097;
    ULONG DayOfEra = (ULONG)(Days - Era * 146097);
    ULONG YearOfEra = (DayOfEra - DayOfEra / 1460 + DayOfEra / 36524 - DayOfEra / 146096) / 365;
    ULONG DayOfYear = DayOfEra - (365 * YearOfEra + YearOfEra / 4 - YearOfEra / 100);
    ULONG MonthIndex = (5 * DayOfYear + 2) / 153;       /* 0 = March */
    *Day = (WORD)(DayOfYear - (153 * MonthIndex + 2) / 5 + 1);
    *Month = (WORD)(MonthIndex < 10 ? MonthIndex + 3 : MonthIndex - 9);
    *Year = (WORD)(YearOfEra + Era * 400 + (*Month <= 2));
}

BOOL WINAPI FileTimeToSystemTime(const FILETIME *lpFileTime, LPSYSTEMTIME lpSystemTime)
{
    ULONGLONG Ticks = ((ULONGLONG)lpFileTime->dwHighDateTime << 32) | lpFileTime->dwLowDateTime;
    if (Ticks >= 0x8000000000000000ULL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    ULONGLONG Ms = Ticks / W32_TICKS_PER_MS;
    LONGLONG Days = (LONGLONG)(Ms / W32_MS_PER_DAY);
    ULONG InDay = (ULONG)(Ms % W32_MS_PER_DAY);
    W32CivilFromDays(Days - W32_DAYS_1601_TO_1970, &lpSystemTime->wYear, &lpSystemTime->wMonth, &lpSystemTime->wDay);
    lpSystemTime->wDayOfWeek = (WORD)((Days + 1) % 7);  /* 1601-01-01 was a Monday */
    lpSystemTime->wHour = (WORD)(InDay / 3600000);
    lpSystemTime->wMinute = (WORD)(InDay / 60000 % 60);
    lpSystemTime->wSecond = (WORD)(InDay / 1000 % 60);
    lpSystemTime->wMilliseconds = (WORD)(InDay % 1000);
    return TRUE;
}

BOOL WINAPI FileTimeToLocalFileTime(const FILETIME *lpFileTime, LPFILETIME lpLocalFileTime)
{
    *lpLocalFileTime = *lpFileTime;
    return TRUE;
}

ULONGLONG WINAPI GetTickCount64(VOID)
{
    return KeQueryInterruptTime() / W32_TICKS_PER_MS;
}

DWORD WINAPI GetTickCount(VOID)
{
    return (DWORD)GetTickCount64();
}

BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER *lpPerformanceCount)
{
    lpPerformanceCount->QuadPart = (LONGLONG)KeQueryInterruptTime();
    return TRUE;
}

BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER *lpFrequency)
{
    lpFrequency->QuadPart = 10000000;                   /* 100 ns units */
    return TRUE;
}
