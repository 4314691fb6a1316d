/*
 * dontuse.h - in the WDK, marks unsafe C string routines as deprecated in
 * favour of ntstrsafe.h. Drivers include it; ntps accepts it and deprecates
 * nothing. Written for ntps.
 */
#ifndef _NTPS_DONTUSE_H
#define _NTPS_DONTUSE_H
#endif
