#!/bin/sh
# Compile a runtime harness (points_test.c / points_test.cc) with the
# ntps_points plugin and run it.
#
#   run_harness.sh COMPILER PLUGIN SOURCE WORKDIR MODE [--shared] [FLAGS...]
#
# MODE is dual, full, edges or none.  --shared builds the driver half as a
# -fPIC -shared object and the runtime half as an executable exporting
# __ntps_poll / __ntps_preempt (the ntps layout).
set -eu
cc=$1 plugin=$2 src=$3 work=$4 mode=$5
shift 5
shared=
if [ "${1:-}" = "--shared" ]; then shared=1; shift; fi

case $mode in
  dual) m=3 ;;
  full) m=2 ;;
  edges) m=1 ;;
  none) m=0 ;;
  *) echo "run_harness.sh: bad mode $mode" >&2; exit 2 ;;
esac
[ -f "$plugin" ] || { echo "run_harness.sh: plugin $plugin not built" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work"
pf="-fplugin=$plugin -fplugin-arg-ntps_points-mode=$mode -DNTPS_MODE=$m"
set -x
if [ -n "$shared" ]; then
  # shellcheck disable=SC2086
  $cc $pf -DNTPS_PART=1 -fPIC -shared "$@" -o "$work/libdrv.so" "$src"
  # shellcheck disable=SC2086
  $cc $pf -DNTPS_PART=2 -rdynamic "$@" -o "$work/harness" "$src" \
      "$work/libdrv.so" "-Wl,-rpath,$work"
else
  # shellcheck disable=SC2086
  $cc $pf -Wall -Wextra "$@" -o "$work/harness" "$src"
fi
"$work/harness"
