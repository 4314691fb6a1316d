/*
 * win32/winioctl.h - device I/O control codes for user-mode code: the same
 * definitions drivers get from devioctl.h (CTL_CODE, METHOD_*, FILE_*_ACCESS,
 * FILE_DEVICE_*).
 */
#ifndef _WINIOCTL_
#define _WINIOCTL_
#include <devioctl.h>
#endif
