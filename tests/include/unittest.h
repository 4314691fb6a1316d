/*
 * tests/include/unittest.h - a minimal check harness for host-side unit
 * tests: CHECK(cond) counts, UT_DONE() prints "N passed, N failed" and
 * returns the exit status.
 */
#ifndef NTPS_UNITTEST_H
#define NTPS_UNITTEST_H

#include <stdio.h>

static int UtPassed, UtFailed;

#define CHECK(cond) do { \
        if (cond) UtPassed++; \
        else { UtFailed++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
    } while (0)

#define CHECK_EQ(a, b) do { \
        long long _a = (long long)(a), _b = (long long)(b); \
        if (_a == _b) UtPassed++; \
        else { UtFailed++; fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld vs %lld)\n", \
                                   __FILE__, __LINE__, #a, #b, _a, _b); } \
    } while (0)

#define UT_DONE() (printf("%d passed, %d failed\n", UtPassed, UtFailed), UtFailed ? 1 : 0)

#endif
