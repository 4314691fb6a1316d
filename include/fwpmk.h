/*
 * fwpmk.h - not supported yet by ntps: WFP callout drivers.
 * A clear error instead of a cascade of undeclared names; the include of a
 * file that does not exist stops the compilation here.
 */
#error "ntps: not supported yet: fwpmk.h (WFP callout drivers)"
#include <ntps: compilation stopped here>
