/*
 * initguid.h - include before the headers whose DEFINE_GUIDs this source
 * should define (not just declare): sets INITGUID and re-arms DEFINE_GUID.
 * Written for ntps; see include/guiddef.h.
 */
#ifndef INITGUID
#define INITGUID
#endif
#include <guiddef.h>
