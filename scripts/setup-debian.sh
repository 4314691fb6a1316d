#!/usr/bin/env bash
# Install what ntps needs to build and test on Debian (12 "bookworm" and
# later): a C/C++ toolchain (and clang), CMake, libyaml (scenario files), and the GCC plugin headers for the
# compiler in use (the plugin compiles preemption points into drivers).
# Safe to run repeatedly; does nothing when everything is present.
set -eu

gcc_major=$(gcc -dumpversion 2>/dev/null | cut -d. -f1 || true)
packages="build-essential cmake libyaml-dev pkg-config python3"   # python3: the tests' JSON and trace checks
# clang: ntps cc --user compiles C++ that only Visual C++'s dialect accepts (a goto over an
# initialization) with clang++ -fms-compatibility (tools/ntps/cc.c; tests/scripts/test_cc_compat.sh)
packages="$packages clang"
[ -n "$gcc_major" ] && packages="$packages gcc-$gcc_major-plugin-dev"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# gcc itself may be missing on a bare machine: then the plugin package
# name is known only after installing it.
command -v gcc >/dev/null 2>&1 || missing="$missing build-essential"

if [ -z "$missing" ]; then
  exit 0
fi
echo "ntps: installing:$missing"
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "ntps: please install as root: apt-get install$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq $missing >/dev/null
# With gcc now present, make sure its plugin headers are too.
gcc_major=$(gcc -dumpversion | cut -d. -f1)
if ! dpkg-query -W -f='${Status}' "gcc-$gcc_major-plugin-dev" 2>/dev/null | grep -q "install ok installed"; then
  $SUDO apt-get install -y -qq "gcc-$gcc_major-plugin-dev" >/dev/null
fi
