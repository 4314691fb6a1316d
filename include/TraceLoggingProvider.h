/*
 * TraceLoggingProvider.h - not supported yet by ntps: TraceLogging.
 * A clear error instead of a cascade of undeclared names; the include of a
 * file that does not exist stops the compilation here.
 */
#error "ntps: not supported yet: TraceLoggingProvider.h (TraceLogging)"
#include <ntps: compilation stopped here>
