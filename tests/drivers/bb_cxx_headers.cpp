// NTPS-TEST: modes rt1 sim1
/*
 * C++ driver idioms that depend on the headers: FORCEINLINE member functions
 * (FORCEINLINE was `static inline`, which made them static members: "invalid
 * use of member in static member function"), `static FORCEINLINE`, the
 * CRT's array overloads of wcscpy_s/wcscat_s, C_ASSERT in a class, and
 * RtlInitEmptyUnicodeString.
 */
#include <ntifs.h>
#include <errno.h>
#include "ktest.h"

class SpinLock {
public:
    FORCEINLINE void Init() { KeInitializeSpinLock(&Lock); }
    FORCEINLINE void Acquire() { KeAcquireSpinLock(&Lock, &OldIrql); }
    FORCEINLINE void Release() { KeReleaseSpinLock(&Lock, OldIrql); }
    static FORCEINLINE ULONG Tag() { return 'kcLS'; }
private:
    KSPIN_LOCK Lock;
    KIRQL OldIrql;
    C_ASSERT(sizeof(KSPIN_LOCK) == sizeof(ULONG_PTR));
};

template <typename T> struct AutoLock {
    explicit AutoLock(T &Lock) : Held(Lock) { Held.Acquire(); }
    ~AutoLock() { Held.Release(); }
    T &Held;
};

static SpinLock Guard;
static ULONG Counter;

extern "C" DRIVER_INITIALIZE DriverEntry;

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Guard.Init();
    {
        AutoLock<SpinLock> Lock(Guard);
        KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
        Counter++;
    }
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(SpinLock::Tag(), 'kcLS');

    WCHAR Name[8];
    KT_EQ(wcscpy_s(Name, L"abc"), 0);
    KT_EQ(wcscat_s(Name, L"def"), 0);
    KT_EQ(wcscat_s(Name, L"gh"), ERANGE);
    KT_EQ(wcscpy_s(Name, L"ntps"), 0);
    KT_EQ(wcslen(Name), 4);
    KT_CHECK(wcschr(Name, L't') == &Name[1]);
    const WCHAR *Const = Name;
    KT_CHECK(wcsstr(Const, L"ps") == &Name[2]);
    char Narrow[4];
    KT_EQ(strcpy_s(Narrow, "abc"), 0);
    KT_EQ(strcpy_s(Narrow, "abcd"), ERANGE);

    UNICODE_STRING Us;
    RtlInitEmptyUnicodeString(&Us, Name, sizeof(Name));
    KT_EQ(RtlAppendUnicodeToString(&Us, L"Driver"), STATUS_SUCCESS);
    DbgPrint("cxx: [%wZ] counter %lu\n", &Us, Counter);
    KT_DONE();
    return STATUS_SUCCESS;
}
