/* tools/ntps/ccinclude.h - case-insensitive #include names for `ntps cc`. */
#ifndef NTPS_TOOLS_CCINCLUDE_H
#define NTPS_TOOLS_CCINCLUDE_H

/* Scans the sources among Args (and the -I folders there) and links the
 * include names the compiler would not resolve as Windows does (case,
 * backslashes) into a new folder, whose path it returns (NULL if it cannot
 * make one); compile with -iquote and -idirafter it, then remove it.
 * Win32Dir (include/win32, for --user; or NULL) is searched before
 * IncludeDir. */
const char *NtpsCcCaseShim(const char *const *Args, int NArgs, const char *Win32Dir, const char *IncludeDir);
void NtpsCcCaseShimRemove(void);

#endif
