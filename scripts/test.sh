#!/bin/sh
# Runs every test: builds svopi with ASan+UBSan in build-check/ and runs
# make check (unit tests, fuzz corpora, integration tests with real
# processes), then make check-long. The last line is "N passed, N failed[, N skipped]".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# On a fresh machine this is the whole job; .ci/run installs first and
# sets SVOPI_DEPS_DONE.
if [ -z "${SVOPI_DEPS_DONE:-}" ]; then
	sh scripts/install-deps.sh >install-deps.log 2>&1 ||
		{ tail -n 40 install-deps.log; echo "0 passed, 1 failed"; exit 1; }
fi
jobs=$(nproc 2>/dev/null || echo 2)

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi || exit 1
fi
mkdir -p build-check
cd build-check || exit 1
if [ ! -f Makefile ] || [ ../configure -nt Makefile ]; then
	../configure --enable-sanitizers CFLAGS="-O1 -g" || exit 1
fi
make -j"$jobs" >make.log 2>&1 || { tail -n 60 make.log; exit 1; }
make -j"$jobs" -k check
rc=$?
# The long tests (kill -9 rounds, floods): make check-long. SVOPI_SKIP_LONG=1
# leaves them out for a quick local run.
if [ -z "${SVOPI_SKIP_LONG:-}" ]; then
	make -k check-long || rc=1
fi

pass=0 failn=0 skipped=0
for trs in $(find . -name '*.trs'); do
	case $(sed -n 's/^:test-result: //p' "$trs") in
	PASS|XFAIL) pass=$((pass + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) failn=$((failn + 1)); echo "failed: ${trs%.trs}"
	   # The end of its log, so that a CI transcript says why.
	   tail -n 40 "${trs%.trs}.log" 2>/dev/null | sed 's/^/    | /' ;;
	esac
done
[ "$rc" -ne 0 ] && [ "$failn" -eq 0 ] && failn=1
echo "$pass passed, $failn failed, $skipped skipped"
[ "$failn" -eq 0 ]
