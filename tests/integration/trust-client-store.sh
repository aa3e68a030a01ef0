#!/bin/sh
# The trust store survives kill -9: a writer records peers as fast as it
# can (trusted rows, synced, and rows that grant no trust, not synced)
# and prints each index after its commit returned; we kill it at a
# random moment, reopen the store, and every committed peer must be there
# with the database intact. Then restart, forget and the cache rules once
# more through a separate process each time (as svopid restarts would).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
itest_init trust-client-store

D=$B/tests/integration/trust-client-driver
[ -x "$D" ] || fail "no driver $D"
DB=$T/state/trust.db
mkdir -p "$T/state"
FP=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
FP2=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210

for round in 1 2 3 4 5; do
	rm -f "$DB" "$DB-wal" "$DB-shm"
	"$D" store "$DB" hammer 100000 >"$T/hammer.out" 2>"$T/hammer.err" &
	pid=$!
	# Kill somewhere between 0.2 and 0.7 s into the writes.
	sleep "0.$(( 2 + $(od -An -N1 -tu1 /dev/urandom | tr -d ' ') % 6 ))"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	last=$(sed -n 's/^committed //p' "$T/hammer.out" | tail -n 1)
	[ -n "$last" ] || fail "round $round: writer committed nothing"
	check "round $round: integrity" "$D" store "$DB" check
	"$D" store "$DB" list >"$T/list" || fail "round $round: list"
	n=$(wc -l <"$T/list")
	# Everything committed is there; at most the one in flight more.
	[ "$n" -ge $((last + 1)) ] && [ "$n" -le $((last + 2)) ] ||
		fail "round $round: committed $((last + 1)), found $n"
	# Even peers are trusted rows (synced), odd ones rows that grant no
	# trust (not synced): both kinds must survive the kill.
	grep -qx "sip:p${last}@example.org $FP $( [ $((last % 2)) = 0 ] &&
		echo trusted "$last" || echo none 0) $last" "$T/list" ||
		fail "round $round: last entry ($last)"
	prev=$((last - 1))
	[ "$prev" -lt 0 ] || grep -q "^sip:p${prev}@example.org " "$T/list" ||
		fail "round $round: entry $prev"
	note "ok: round $round: $((last + 1)) committed, $n found after kill -9"
done

# The files are private.
[ "$(stat -c %a "$DB")" = 600 ] || fail "mode of $DB"
# (the WAL is removed by the last clean close; the unit test checks it
# while open)
[ ! -e "$DB-wal" ] || [ "$(stat -c %a "$DB-wal")" = 600 ] ||
	fail "mode of $DB-wal"
note "ok: store is 0600"

# Restart semantics, one process per step.
rm -f "$DB" "$DB-wal" "$DB-shm"
check "record" "$D" store "$DB" record sip:bob@example.org "$FP" trusted 1000
"$D" store "$DB" lookup sip:bob@example.org "$FP" 1001 86400 >"$T/out"
check "fresh after restart" grep -qx lookup=trusted-fresh "$T/out"
"$D" store "$DB" lookup sip:bob@example.org "$FP" 90000 86400 >"$T/out"
check "stale after ttl" grep -qx lookup=trusted-stale "$T/out"
"$D" store "$DB" lookup sip:bob@example.org "$FP2" 1001 86400 >"$T/out"
check "changed key" grep -qx lookup=changed "$T/out"
check "forget" "$D" store "$DB" forget sip:bob@example.org
"$D" store "$DB" lookup sip:bob@example.org "$FP" 1001 86400 >"$T/out"
check "unknown after forget" grep -qx lookup=unknown "$T/out"
"$D" store "$DB" forget sip:bob@example.org >"$T/out" && fail "forgot twice"
check "forget twice is ENOENT" grep -qx store_error=-2 "$T/out"
exit 0
