#!/bin/sh
# The README's demo (scripts/demo-run.sh) against this build: it must keep
# working, and its call must be secure and verified.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
out=$(sh "$top_srcdir/scripts/demo-run.sh" "$top_builddir" 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: demo exited $rc"; exit 1; }
printf '%s\n' "$out" | grep -q 'secure: true, peer verified: true' ||
	{ echo "FAIL: demo call not secure and verified"; exit 1; }
exit 0
