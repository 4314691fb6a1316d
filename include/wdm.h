/*
 * wdm.h - the WDM driver interface as implemented by ntps.
 * Written for ntps from the WDK documentation; see include/README.md.
 */
#ifndef _WDMDDK_
#define _WDMDDK_

#include <SDKDDKVer.h>   /* NTDDI_VERSION, as wdm.h includes it */
#include <ntdef.h>
#include <ntstatus.h>
#include <ddk/sal.h>

#define PAGE_SIZE 0x1000
#define PAGE_SHIFT 12
#define BYTES_TO_PAGES(Size) (((Size) >> PAGE_SHIFT) + (((Size) & (PAGE_SIZE - 1)) != 0))
#define ROUND_TO_PAGES(Size) (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~(PAGE_SIZE - 1)))
#define BYTE_OFFSET(Va) ((ULONG)((LONG_PTR)(Va) & (PAGE_SIZE - 1)))

#include <ddk/intrin.h>
#include <ddk/rtl.h>
#include <ddk/rtllarge.h>
#include <ddk/ke.h>
#include <ddk/ex.h>
#include <ddk/exres.h>
#include <ddk/ob.h>
#include <ddk/ps.h>
#include <ddk/io.h>
#include <ddk/cm.h>
#include <ddk/cminfo.h>
#include <ddk/ktm.h>
#include <ddk/seh.h>

/* #pragma alloc_text / code_seg are accepted and ignored. */
#define PAGED_CODE() ((void)0)
#define PAGED_CODE_LOCKED() ((void)0)
#define INIT_CODE() ((void)0)

#endif /* _WDMDDK_ */
