#!/usr/bin/env bash
# The main job (`make run`): build the sample drivers with `ntps cc` and run
# them on the kernel, in realtime on every processor and in simulation with
# a few seeds, showing what each run printed.
set -eu
build=${1:-build}
ntps="$build/ntps"
out="$build/examples"
mkdir -p "$out"
for dir in examples/*/; do
  name=$(basename "$dir")
  "$ntps" cc -o "$out/$name.so" "$dir"/*.c
done

section() { printf '\n== %s\n' "$*"; }
section "realtime, $(nproc) processors: ticker + pingpong"
"$ntps" run --driver "$out/ticker.so" --driver "$out/pingpong.so" --timeout 60
section "realtime, 1 processor: spinrace (a spinning thread is time-sliced)"
"$ntps" run --driver "$out/spinrace.so" --cpus 1 --timeout 60
for seed in 1 2 3; do
  section "simulation, 2 processors, seed $seed: spinrace"
  "$ntps" run --driver "$out/spinrace.so" --sim --cpus 2 --seed "$seed" --timeout 60
done
section "simulation, seed 2 again: the same run, event for event"
"$ntps" run --driver "$out/spinrace.so" --sim --cpus 2 --seed 2 --timeout 60
