#!/bin/sh
# The README's demo (scripts/demo-run.sh) against this build: it must keep
# working, and its call must be secure and verified; with espeak-ng, Bob's
# recording of Alice's spoken sample must correlate (segmental) >= 0.7.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
out=$(sh "$top_srcdir/scripts/demo-run.sh" "$top_builddir" 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: demo exited $rc"; exit 1; }
printf '%s\n' "$out" | grep -q 'secure: true, peer verified: true' ||
	{ echo "FAIL: demo call not secure and verified"; exit 1; }
printf '%s\n' "$out" | grep -q '^   codec: opus$' ||
	{ echo "FAIL: demo does not print the codec"; exit 1; }
if command -v espeak-ng >/dev/null 2>&1; then
	corr=$(printf '%s\n' "$out" |
		sed -n 's/^   correlation with what Alice said: \([0-9.]*\).*/\1/p')
	awk -v v="${corr:-0}" 'BEGIN { exit !(v >= 0.7) }' ||
		{ echo "FAIL: Bob's recording does not match Alice ($corr)"; exit 1; }
fi
exit 0
