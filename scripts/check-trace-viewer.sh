#!/usr/bin/env bash
# Proof that a trace from `ntps run --trace FILE` opens in a real timeline
# viewer: the Performance panel of Chromium's DevTools, headless (see
# scripts/check-trace-viewer.js for what is checked). Not part of `make test`
# or CI: it installs a browser (Debian's chromium, ~300 MB) and playwright-core
# (npm), and takes ~15 s once they are there.
#
# usage: scripts/check-trace-viewer.sh [--build DIR] [--screenshot PNG] [TRACE.json]
#
# Without TRACE it makes one: the procmon sample (examples/procmon, built
# with `ntps cc`) under the default scenario, simulated on 2 processors with
# seed 7. Installs what is missing: chromium and nodejs/npm with apt-get (as
# root, or with sudo), playwright-core into $NTPS_VIEWER_DIR (default
# ~/.cache/ntps/trace-viewer). Why not chrome://tracing or Perfetto: see
# docs/run-record.md ("Which viewer").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build="$src/build"
shot=""
trace=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --screenshot) shot=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "check-trace-viewer: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) trace=$1; shift ;;
  esac
done
playwright_version=1.65.1
viewer_dir=${NTPS_VIEWER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ntps/trace-viewer}

need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo=sudo; else
    echo "check-trace-viewer: please install as root: apt-get install$need" >&2; exit 1
  fi
  echo "check-trace-viewer: installing:$need"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >/dev/null
fi
if [ ! -f "$viewer_dir/node_modules/playwright-core/package.json" ] ||
   ! grep -q "\"version\": \"$playwright_version\"" "$viewer_dir/node_modules/playwright-core/package.json"; then
  echo "check-trace-viewer: installing playwright-core $playwright_version into $viewer_dir"
  mkdir -p "$viewer_dir"
  npm install --prefix "$viewer_dir" --no-audit --no-fund --silent "playwright-core@$playwright_version"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$trace" ]; then
  if [ ! -x "$build/ntps" ]; then
    echo "check-trace-viewer: $build/ntps not found: run make first, or give --build DIR or a TRACE file" >&2
    exit 1
  fi
  "$build/ntps" cc --integritycheck -o "$tmp/procmon.so" "$src"/examples/procmon/*.c
  if ! "$build/ntps" run --driver "$tmp/procmon.so" --sim --cpus 2 --seed 7 --timeout 120 \
         --trace "$tmp/run.json" >"$tmp/run.out" 2>&1; then
    cat "$tmp/run.out" >&2
    echo "check-trace-viewer: ntps run failed (above)" >&2
    exit 1
  fi
  trace="$tmp/run.json"
elif [ ! -r "$trace" ]; then
  echo "check-trace-viewer: $trace: no such file (give a trace written by ntps run --trace)" >&2
  exit 2
fi
NODE_PATH="$viewer_dir/node_modules" node "$here/check-trace-viewer.js" "$trace" "${shot:-$tmp/viewer.png}"
