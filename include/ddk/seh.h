/*
 * ddk/seh.h - structured exception handling for driver sources.
 * (Placeholder until the SEH runtime lands: exception records only.)
 */
#ifndef _NTPS_DDK_SEH_H
#define _NTPS_DDK_SEH_H

NTPS_BEGIN_DECLS

#define EXCEPTION_MAXIMUM_PARAMETERS 15
#define EXCEPTION_NONCONTINUABLE 0x1

typedef struct _EXCEPTION_RECORD {
    NTSTATUS ExceptionCode;
    ULONG ExceptionFlags;
    struct _EXCEPTION_RECORD *ExceptionRecord;
    PVOID ExceptionAddress;
    ULONG NumberParameters;
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;

NTPS_END_DECLS

#endif
