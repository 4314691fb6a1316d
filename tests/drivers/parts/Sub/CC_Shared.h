/* cc_mixed: a header both halves include as "parts\Sub\cc_shared.h" /
 * "Sub\CC_SHARED.H", as Windows sources write them. */
#pragma once
#define CC_SHARED_MAGIC 0x5eed
#ifdef __cplusplus
extern "C" {
#endif
int CcMixedIsC(void);
int CcMixedTryC(void);
int CcMixedAssertC(void);
#ifdef __cplusplus
}
#endif
