/*
 * wdf.h - not supported yet by ntps: KMDF drivers.
 * A clear error instead of a cascade of undeclared names; the include of a
 * file that does not exist stops the compilation here.
 */
#error "ntps: not supported yet: wdf.h (KMDF drivers)"
#include <ntps: compilation stopped here>
