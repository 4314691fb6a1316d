#!/usr/bin/env bash
# The main job (`make run`): build every sample driver under examples/ with
# `ntps cc`, run the five samples (procmon, protect, workers, wslprov, counter) under
# the default scenario in realtime on every processor, then once simulated
# with a seed, then with the same seed again: the closing trace hashes match.
# Each run ends with its summary (process tree, callback counts, verifier).
set -eu
build=${1:-build}
ntps="$build/ntps"
out="$build/examples"
mkdir -p "$out"
for dir in examples/*/; do
  name=$(basename "$dir")
  compgen -G "$dir*.c" >/dev/null || continue     # not a driver (examples/cluster: job files)
  "$ntps" cc --integritycheck -o "$out/$name.so" "$dir"/*.c
done
samples=()
for name in procmon protect workers wslprov counter; do samples+=(--driver "$out/$name.so"); done

section() { printf '\n== %s\n' "$*"; }
seed=7
section "realtime, $(nproc) processors: procmon, protect, workers, wslprov, counter"
"$ntps" run "${samples[@]}" --timeout 120
section "simulation, 2 processors, seed $seed"
"$ntps" run "${samples[@]}" --sim --cpus 2 --seed "$seed" --timeout 120 | tee "$out/sim-a.txt"
section "simulation, seed $seed again: the same run, event for event"
"$ntps" run "${samples[@]}" --sim --cpus 2 --seed "$seed" --timeout 120 >"$out/sim-b.txt"
hash_a=$(grep -o 'trace 0x[0-9a-f]*' "$out/sim-a.txt" || true)
hash_b=$(grep -o 'trace 0x[0-9a-f]*' "$out/sim-b.txt" || true)
echo "seed $seed, first run:  $hash_a"
echo "seed $seed, second run: $hash_b"
if [ -n "$hash_a" ] && [ "$hash_a" = "$hash_b" ]; then
  echo "the same trace hash: a simulated run replays from its seed"
else
  echo "the trace hashes differ: please report this as an ntps bug" >&2
  exit 1
fi
echo
echo "Next: build/ntps run --driver your.so [--scenario FILE] [--trace run.json] [--record run.txt]"
echo "(README.md: five minutes with your driver)"
