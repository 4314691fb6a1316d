#!/usr/bin/env bash
# Every routine and variable the public headers declare with NTKERNELAPI,
# NTHALAPI or NTSYSAPI must be exported by the ntps executable, or a driver
# that calls it fails to load with "undefined symbol".
set -eu
build=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
exported=$(nm -D --defined-only "$build/ntps" | awk '{print $3}' | sort -u)
declared=$(cat "$src"/include/*.h "$src"/include/ddk/*.h |
  grep -v '^[[:space:]]*#' | sed -E 's|/\*[^*]*\*+([^/*][^*]*\*+)*/||g; s|//.*||' |
  tr '\n' ' ' | sed 's/;/;\n/g; s/[{}]/;\n/g' |
  grep -E '^[[:space:]]*(NTKERNELAPI|NTHALAPI|NTSYSAPI)' |
  sed -E 's/\(.*//; s/\[.*//; s/;//' | awk '{print $NF}' | tr -d '*' | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
if [ -n "$missing" ]; then
  echo "declared in include/ but not exported by ntps:"
  echo "$missing" | sed 's/^/  /'
  exit 1
fi
echo "all $(echo "$declared" | wc -l) declared DDIs are exported"
