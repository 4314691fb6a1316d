/*
 * aux_klib.h - the Auxiliary Kernel-Mode Library, as the WDK documents it
 * (a static library there; routines of the kernel here): the loaded
 * kernel modules (ps/sysmodule.c). AuxKlibInitialize must be called
 * first, at PASSIVE_LEVEL. Written for ntps; see include/README.md.
 */
#ifndef _AUX_KLIB_H
#define _AUX_KLIB_H

#include <ntdef.h>
#include <ntstatus.h>

NTPS_BEGIN_DECLS

#define AUX_KLIB_MODULE_PATH_LEN 256

typedef struct _AUX_MODULE_BASIC_INFO {
    PVOID ImageBase;
} AUX_MODULE_BASIC_INFO, *PAUX_MODULE_BASIC_INFO;

typedef struct _AUX_MODULE_EXTENDED_INFO {
    AUX_MODULE_BASIC_INFO BasicInfo;
    ULONG ImageSize;
    USHORT FileNameOffset;                      /* of the file name in FullPathName */
    UCHAR FullPathName[AUX_KLIB_MODULE_PATH_LEN];
} AUX_MODULE_EXTENDED_INFO, *PAUX_MODULE_EXTENDED_INFO;

NTKERNELAPI NTSTATUS NTAPI AuxKlibInitialize(VOID);
/* QueryInfo NULL: the size needed in *BufferSize. ElementSize: the size of
 * either structure above. Too small a buffer: STATUS_BUFFER_TOO_SMALL. */
NTKERNELAPI NTSTATUS NTAPI AuxKlibQueryModuleInformation(PULONG BufferSize, ULONG ElementSize, PVOID QueryInfo);

NTPS_END_DECLS

#endif /* _AUX_KLIB_H */
