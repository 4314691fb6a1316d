/* cc_mixed's C half: it only compiles as C (a variable named class, a
 * void * converted without a cast), and uses the C spellings of SEH. */
#include <ntddk.h>
#include "Sub\CC_SHARED.H"

int CcMixedIsC(void)
{
#ifdef __cplusplus
    return 0;
#else
    int class = CC_SHARED_MAGIC;
    void *Any = &class;
    int *Back = Any;
    return *Back == CC_SHARED_MAGIC && __STDC_VERSION__ >= 201112L;
#endif
}

/* try/except/finally/leave are the C spellings of __try..., as in the WDK. */
int CcMixedTryC(void)
{
    volatile int Result = 0;
    try {
        RtlRaiseStatus(STATUS_UNSUCCESSFUL);
    } except (GetExceptionCode() == STATUS_UNSUCCESSFUL ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH) {
        Result = 1;
    }
    try {
        Result += 1;
        if (Result == 2)
            leave;
        Result += 100;
    } finally {
        Result += 10;
    }
    _try {
        Result += 1000;
    } _finally {
        Result += 10000;
    }
    return Result;      /* 11012 */
}

/* NT_ASSERT and DbgRaiseAssertionFailure are expressions. */
int CcMixedAssertC(void)
{
    int Value = (NT_ASSERT(CC_SHARED_MAGIC != 0), 7);
    if (!NT_VERIFY(Value == 7))
        return 0;
    volatile NTSTATUS Code = 0;
    __try {
        (void)(Value == 7 ? (DbgRaiseAssertionFailure(), 0) : 1);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Code = GetExceptionCode();
    }
    return Code == STATUS_ASSERTION_FAILURE ? Value : -1;
}
