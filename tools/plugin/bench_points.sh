#!/bin/sh
# bench_points.sh BUILD_DIR
#
# Cost of ntps preemption points on compute-bound driver-like loops
# (bench_points.c), at -O2, with __ntps_poll == 0 (the fast path):
#
#   none      no instrumentation
#   edges     ntps_points plugin, mode=edges (function entries, back edges)
#   full      ntps_points plugin, mode=full (+ every shared load/store)
#   trace-pc  -fsanitize-coverage=trace-pc, __sanitizer_cov_trace_pc doing
#             if (__ntps_poll) __ntps_preempt();   (the fallback)
#
# Prints ns per iteration and the ratio to "none", side by side.  Each
# binary times each loop 5 times and keeps the best; the four binaries run
# one after the other, BENCH_ROUNDS times (default 3), and the table shows
# the best of the rounds (this machine is a shared VM: single timings
# vary by 10-30%).
# Environment: CC (default cc), CFLAGS (default -O2), BENCH_ROUNDS.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR   (the directory holding ntps_points.so)" >&2
  exit 2
fi
build=$1
here=$(cd "$(dirname "$0")" && pwd)
src=$here/bench_points.c
plugin=$build/ntps_points.so
cc=${CC:-cc}
cflags=${CFLAGS:--O2}
work=$build/bench_points
[ -f "$plugin" ] || { echo "$0: $plugin not found (build target ntps_points)" >&2; exit 1; }
mkdir -p "$work"

variants="none edges full trace-pc"
# shellcheck disable=SC2086
$cc $cflags -DBENCH_MAIN -c "$src" -o "$work/main.o"
for v in $variants; do
  case $v in
    none) inst= ;;
    edges|full) inst="-fplugin=$plugin -fplugin-arg-ntps_points-mode=$v" ;;
    trace-pc) inst=-fsanitize-coverage=trace-pc ;;
  esac
  # shellcheck disable=SC2086
  $cc $cflags $inst -DBENCH_LOOPS -c "$src" -o "$work/loops-$v.o"
  $cc "$work/main.o" "$work/loops-$v.o" -o "$work/bench-$v"
done

rounds=${BENCH_ROUNDS:-3}
for v in $variants; do : >"$work/rounds-$v.txt"; done
r=0
while [ "$r" -lt "$rounds" ]; do
  for v in $variants; do
    "$work/bench-$v" >>"$work/rounds-$v.txt"
  done
  r=$((r + 1))
done
# Best of the rounds, in first-seen loop order.
for v in $variants; do
  awk '{ if (!($1 in best)) { order[++n] = $1; best[$1] = $2 }
         else if ($2 + 0 < best[$1] + 0) best[$1] = $2 }
       END { for (i = 1; i <= n; i++) print order[i], best[order[i]] }' \
    "$work/rounds-$v.txt" >"$work/result-$v.txt"
done

echo "ntps_points benchmark: $($cc --version | head -n 1), flags $cflags, __ntps_poll == 0, best of $rounds rounds"
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo
# Join the four result files: "loop ns" lines, same order.
awk -v variants="$variants" '
  BEGIN { nv = split(variants, V, " ") }
  { name[FNR] = $1; ns[FILENAME, FNR] = $2; if (FNR > rows) rows = FNR; file[++nf] = FILENAME }
  END {
    printf "%-8s", "ns/iter"
    for (i = 1; i <= nv; i++) printf "  %-16s", V[i]
    printf "\n"
    for (r = 1; r <= rows; r++) {
      printf "%-8s", name[r]
      for (i = 1; i <= nv; i++) {
        f = ARGV[i]; base = ns[ARGV[1], r]
        if (i == 1) printf "  %-16s", sprintf("%.3f", ns[f, r])
        else printf "  %-16s", sprintf("%.3f (%.2fx)", ns[f, r], ns[f, r] / base)
      }
      printf "\n"
    }
  }' "$work/result-none.txt" "$work/result-edges.txt" "$work/result-full.txt" \
     "$work/result-trace-pc.txt"
echo
printf "%-8s" ".text B"
for v in $variants; do
  printf "  %-16s" "$(size -A "$work/loops-$v.o" | awk '$1 == ".text" { print $2 }')"
done
printf "\n"
