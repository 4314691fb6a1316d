/*
 * ntddbeep.h - the interface of the Beep device (\Device\Beep), as the WDK
 * documents it. ntps's own \Device\Beep answers IOCTL_BEEP_SET (io/beep.c).
 * Written for ntps; see include/README.md.
 */
#ifndef _NTDDBEEP_
#define _NTDDBEEP_

#include <devioctl.h>

#define DD_BEEP_DEVICE_NAME "\\Device\\Beep"
#define DD_BEEP_DEVICE_NAME_U L"\\Device\\Beep"

#define IOCTL_BEEP_SET CTL_CODE(FILE_DEVICE_BEEP, 0, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* Frequencies in hertz; a Duration in milliseconds. */
#define BEEP_FREQUENCY_MINIMUM 0x25
#define BEEP_FREQUENCY_MAXIMUM 0x7FFF

typedef struct _BEEP_SET_PARAMETERS {
    ULONG Frequency;
    ULONG Duration;
} BEEP_SET_PARAMETERS, *PBEEP_SET_PARAMETERS;

#endif /* _NTDDBEEP_ */
