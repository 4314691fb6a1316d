/*
 * win32/DriverSpecs.h - the WDK's driver annotations (__drv_*, _IRQL_*,
 * _Kernel_*), which user-mode samples include too: all of them are in
 * ddk/sal.h, where they expand to nothing.
 */
#ifndef _NTPS_WIN32_DRIVERSPECS_H
#define _NTPS_WIN32_DRIVERSPECS_H
#include <ddk/sal.h>
/* Tells the code analyzer what kind of code follows (a declaration-free
 * line in the source): nothing for a compiler. */
#ifndef _Analysis_mode_
#define _Analysis_mode_(mode)
#endif
#endif
