/* tools/ntps/ccinclude.h - case-insensitive #include names for `ntps cc`. */
#ifndef NTPS_TOOLS_CCINCLUDE_H
#define NTPS_TOOLS_CCINCLUDE_H

/* Scans the sources among Args and links the include names that differ from
 * a file only in case into a new folder, whose path it returns (NULL if it
 * cannot make one); compile with -idirafter it, then remove it. */
const char *NtpsCcCaseShim(const char *const *Args, int NArgs, const char *IncludeDir);
void NtpsCcCaseShimRemove(void);

#endif
