/*
 * fltUser.h - not supported yet by ntps: FltMgr minifilters are the next step.
 * A clear error instead of a cascade of undeclared names; the include of a
 * file that does not exist stops the compilation here.
 */
#error "ntps: not supported yet: fltUser.h (FltMgr minifilters are the next step)"
#include <ntps: compilation stopped here>
