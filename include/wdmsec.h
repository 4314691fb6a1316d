/*
 * wdmsec.h - IoCreateDeviceSecure and the SDDL strings for device objects,
 * as the WDK documents them (Windows links the routine from wdmsec.lib;
 * ntps exports it). Written for ntps; see include/README.md.
 *
 * ntps creates the device with IoCreateDevice: DefaultSDDLString is checked
 * to be present but not parsed or enforced (ntps has no security
 * descriptors on device objects), and DeviceClassGuid is ignored.
 */
#ifndef _WDMSEC_H_
#define _WDMSEC_H_

#include <wdm.h>

NTPS_BEGIN_DECLS

#define NTPS_SDDL_STRING(Name, Text)                                               \
    static const WCHAR Name##_buffer[] __attribute__((unused)) = Text;             \
    static const UNICODE_STRING Name __attribute__((unused)) = {                   \
        sizeof(Text) - sizeof(WCHAR), sizeof(Text), (PWCH)Name##_buffer }

/* D:P - protected DACL; (A;;rights;;;who) allows: SY LocalSystem, BA
 * Administrators, WD Everyone, RC restricted code; GA all, GR read, GW
 * write, GX execute. */
NTPS_SDDL_STRING(SDDL_DEVOBJ_KERNEL_ONLY, L"D:P");
NTPS_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL, L"D:P(A;;GA;;;SY)");
NTPS_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_ALL, L"D:P(A;;GA;;;SY)(A;;GA;;;BA)");
NTPS_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RX, L"D:P(A;;GA;;;SY)(A;;GRGX;;;BA)");
NTPS_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R, L"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GR;;;WD)");
NTPS_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R,
                 L"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGW;;;WD)(A;;GR;;;RC)");
NTPS_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RWX_RES_RWX,
                 L"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGWGX;;;WD)(A;;GRGWGX;;;RC)");

NTKERNELAPI NTSTATUS IoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                                          PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                                          ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                                          PCUNICODE_STRING DefaultSDDLString, LPCGUID DeviceClassGuid,
                                          PDEVICE_OBJECT *DeviceObject);

NTPS_END_DECLS

#endif /* _WDMSEC_H_ */
