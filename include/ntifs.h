/*
 * ntifs.h - the file-system/kernel interface as implemented by ntps.
 * Includes ntddk.h and adds what the WDK's ntifs.h adds.
 */
#ifndef _NTIFS_
#define _NTIFS_

#include <ntddk.h>
#include <ddk/ntifs_extra.h>

#endif /* _NTIFS_ */
