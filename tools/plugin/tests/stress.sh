#!/bin/sh
# Compile-only stress of the ntps_points plugin: every source in several
# configurations, with GCC's internal IL verifiers enabled (-fchecking), so
# that broken SSA / CFG / loop structures show up as internal errors.
#
#   stress.sh CC CXX PLUGIN WORKDIR SOURCE...
#
# A source may carry extra flags on a line "// STRESS_FLAGS: ...", and a
# line "// STRESS_QUICK" selects fewer configurations (for slow sources).
# Mode "races" is full with the races argument (memory points pass accesses).
# Any failed compilation fails the test; the message says whether the
# source also fails without the plugin.
set -u
cc=$1 cxx=$2 plugin=$3 work=$4
shift 4
mkdir -p "$work"
rm -f "$work/failures"

configs='
full:-O0
full:-O1
full:-O2
full:-O3
full:-Os
full:-O0 -fsanitize=address
full:-O2 -fsanitize=address
full:-O3 -fsanitize=address
full:-Os -fsanitize=address
full:-O2 -fsanitize=thread
full:-O0 -fsanitize=thread
full:-O2 -g -fPIC
full:-O3 -g -fPIC -march=x86-64-v3
full:-O2 -g -fcompare-debug
full:-O2 -fnon-call-exceptions -fexceptions
edges:-O2
edges:-O3 -fsanitize=address
edges:-O0 -g
races:-O0
races:-O2
races:-O3 -fsanitize=address
races:-O2 -fsanitize=thread
races:-O2 -g -fcompare-debug
'
quick_configs='
full:-O0
full:-O2
full:-O3 -fsanitize=address
full:-O2 -fsanitize=thread -g
edges:-Os -fPIC
races:-O2 -g
'

for src in "$@"; do
  case $src in
    *.c) comp=$cc ;;
    *) comp=$cxx ;;
  esac
  extra=$(sed -n 's,^// STRESS_FLAGS: *,,p' "$src" | head -n 1)
  base=$(basename "$src")
  cfgs=$configs
  if grep -q '^// STRESS_QUICK' "$src"; then cfgs=$quick_configs; fi
  echo "$cfgs" | while IFS=: read -r mode flags; do
    [ -n "$mode" ] || continue
    out="$work/$base.o"
    log="$work/$base.log"
    # races: mode full, memory points pass their accesses (-fplugin-arg-ntps_points-races)
    pmode="-fplugin-arg-ntps_points-mode=$mode"
    [ "$mode" = races ] && pmode="-fplugin-arg-ntps_points-mode=full -fplugin-arg-ntps_points-races"
    # shellcheck disable=SC2086
    if $comp -fplugin="$plugin" $pmode \
        -fchecking $flags $extra -c "$src" -o "$out" >"$log" 2>&1; then
      echo "ok   $mode $flags  $base"
    else
      # shellcheck disable=SC2086
      if $comp $flags $extra -c "$src" -o "$out" >/dev/null 2>&1; then
        echo "FAIL $mode $flags  $base   (compiles without the plugin)"
      else
        echo "FAIL $mode $flags  $base   (fails without the plugin too)"
      fi
      sed 's/^/    /' "$log" | head -n 40
      echo FAIL >>"$work/failures"
    fi
  done
done
rm -f "$work"/*.o "$work"/*.log
if [ -s "$work/failures" ]; then
  echo "stress: $(wc -l <"$work/failures") failing compilation(s)"
  rm -f "$work/failures"
  exit 1
fi
echo "stress: all compilations passed"
