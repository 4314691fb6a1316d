/*
 * ddk/ntddk_extra.h - declarations the WDK places in ntddk.h (not wdm.h).
 */
#ifndef _NTPS_DDK_NTDDK_EXTRA_H
#define _NTPS_DDK_NTDDK_EXTRA_H

NTPS_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI ZwYieldExecution(VOID);

NTPS_END_DECLS

#endif
