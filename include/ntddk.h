/*
 * ntddk.h - the kernel-mode driver interface as implemented by ntps.
 * Includes wdm.h and adds what the WDK's ntddk.h adds.
 */
#ifndef _NTDDK_
#define _NTDDK_

#include <wdm.h>
#include <ddk/ntddk_extra.h>
#include <ddk/pscallbacks.h>
#include <ddk/rtltable.h>

#endif /* _NTDDK_ */
