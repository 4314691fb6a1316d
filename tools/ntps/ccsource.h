/* tools/ntps/ccsource.h - `ntps cc`: source names and encodings as Visual Studio reads them. */
#ifndef NTPS_TOOLS_CCSOURCE_H
#define NTPS_TOOLS_CCSOURCE_H

/* Path, or the existing file whose name differs from it only in case
 * (a static buffer, valid until the next call). */
const char *NtpsCcFindSource(const char *Path);
/* Path, or a UTF-8 copy of it to compile instead (*Copied set) when it is
 * UTF-16 with a byte-order mark or not UTF-8; Index tells copies apart. */
const char *NtpsCcPrepareSource(const char *Path, int Index, int *Copied);
/* Remove the copies' folder. */
void NtpsCcCopyRemove(void);

#endif
