#!/bin/sh
# The README's first command: installs the dependencies, builds svopi into
# build/, and runs the local demo (scripts/demo-run.sh). Run it as root or
# with sudo available.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/install-deps.sh
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi
fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure
make -j"$(nproc 2>/dev/null || echo 2)"
cd "$top"
exec sh scripts/demo-run.sh "$top/build"
