/*
 * guiddef.h - DEFINE_GUID and the GUID comparisons (the GUID type itself is
 * in ntdef.h, which includes this file).
 *
 * As documented: without INITGUID, DEFINE_GUID(name, l, w1, w2, b1..b8)
 * declares `extern const GUID name`; with INITGUID defined (normally by
 * including <initguid.h> before the headers that use DEFINE_GUID) it defines
 * the GUID. Definitions are "selectany" (weak here), so two sources of one
 * module that both define a GUID link. DEFINE_GUID is redefined each time
 * this file is included, which is how <initguid.h> switches it on.
 * Written for ntps; see include/README.md.
 */
#ifndef _NTDEF_
#include <ntdef.h>
#endif

#undef DEFINE_GUID
#if defined(INITGUID) && defined(__cplusplus)
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    extern "C" const GUID DECLSPEC_SELECTANY name = { l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#elif defined(INITGUID)     /* C: a file-scope const is external without "extern" */
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    const GUID DECLSPEC_SELECTANY name = { l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) EXTERN_C const GUID name
#endif

#ifndef NTPS_GUIDDEF_ONCE
#define NTPS_GUIDDEF_ONCE

#define DEFINE_OLEGUID(name, l, w1, w2) DEFINE_GUID(name, l, w1, w2, 0xC0, 0, 0, 0, 0, 0, 0, 0x46)

#ifdef __cplusplus
#define REFGUID const GUID &
#else
#define REFGUID const GUID *
#endif

NTPS_INLINE int NtpsIsEqualGuid(const GUID *a, const GUID *b)
{
    return __builtin_memcmp(a, b, sizeof(GUID)) == 0;
}
#ifdef __cplusplus
#define InlineIsEqualGUID(a, b) NtpsIsEqualGuid(&(a), &(b))
#define IsEqualGUID(a, b) NtpsIsEqualGuid(&(a), &(b))
#else
#define InlineIsEqualGUID(a, b) NtpsIsEqualGuid((a), (b))
#define IsEqualGUID(a, b) NtpsIsEqualGuid((a), (b))
#endif

#endif /* NTPS_GUIDDEF_ONCE */
