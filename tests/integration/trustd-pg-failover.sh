#!/bin/sh
# PostgreSQL killed in the middle of a burst of requests (issue 14):
# every request gets an answer, 200 or a JSON 503, never a hang or
# another error; the store is consistent afterwards; once PostgreSQL is
# back, svopi-trustd serves again by itself (queries and LISTEN).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/trustd-lib.sh"
itest_init trustd-pg-failover
TD_BACKEND=postgresql
TD_DEBUG=
trustd_start "threads = 2"
enroll alice
enroll bob
enroll carol
validate alice bob
expect_field role issuer "a code before the burst"

# burst N OUT K: N validations in a row, one status code per line in OUT;
# stream K's answers go to its own file (the streams run at once, and $$
# is the same in every subshell: a shared file let one stream's 200 be
# read as another's error).
burst() {
	for _ in $(seq 1 "$1"); do
		curl -sS --cacert "$T/ca.crt" -o "$T/b.$3.json" --max-time 10 \
			-w '%{http_code}\n' \
			--data-urlencode login=alice@example.org \
			--data-urlencode password=pw-alice \
			--data-urlencode peer=bob@example.org \
			--data-urlencode cert@"$T/bob-id.crt" \
			"$TD_URL/api/v1/validate" 2>/dev/null || echo 000
		if grep -q '"error"' "$T/b.$3.json" 2>/dev/null; then
			cat "$T/b.$3.json" >>"$T/errors.json"
		fi
	done >>"$2"
}
pids=
for k in 1 2 3 4; do
	( burst 150 "$T/codes$k" "$k" ) &
	pids="$pids $!"
done
sleep 1
pg_stop KILL
note "PostgreSQL killed (kill -9 of the postmaster) during the burst"
sleep 2
pg_run
note "PostgreSQL restarted"
for p in $pids; do wait "$p"; done
cat "$T"/codes* >"$T/codes"
total=$(wc -l <"$T/codes")
n200=$(grep -c '^200$' "$T/codes")
n503=$(grep -c '^503$' "$T/codes")
[ "$total" = 600 ] || fail "$total answers for 600 requests"
[ $((n200 + n503)) = 600 ] ||
	fail "answers other than 200/503: $(sort "$T/codes" | uniq -c | tr '\n' ' ')"
[ "$n503" -gt 0 ] || fail "no 503 while PostgreSQL was down"
python3 - "$T/errors.json" <<'PY' || fail "a 503 without a JSON error"
import json, sys
for line in open(sys.argv[1]):
    assert json.loads(line)["error"], line
PY
# The last answers of each stream came after the restart.
for k in 1 2 3 4; do
	tail -n 5 "$T/codes$k" | grep -qv '^200$' &&
		fail "stream $k does not end in 200s: $(tail -n 5 "$T/codes$k" | tr '\n' ' ')"
done
note "ok: 600 requests: $n200 × 200, $n503 × 503 (JSON), none lost; serving again"

# Consistent afterwards: the same single code, and the flow completes.
validate alice bob
expect_field role issuer "alice still holds her code"
vuc=$(jget vuc)
n=$(psql "$PG_URL" -Atc "SELECT count(*) FROM vucs")
[ "$n" = 1 ] || fail "$n codes in the store"
api /api/v1/redeem login=bob@example.org password=pw-bob \
	peer=alice@example.org vuc="$vuc"
expect_field result trusted "redeem after the outage"
# LISTEN again after the outage: a change made on the database by
# someone else (psql here, another instance in production) wakes a poll.
validate carol bob
expect_field role issuer "carol gets a code"
curl -sS --cacert "$T/ca.crt" -o "$T/poll.json" --max-time 40 \
	--data-urlencode login=bob@example.org --data-urlencode password=pw-bob \
	--data-urlencode peer=carol@example.org --data-urlencode wait=30 \
	"$TD_URL/api/v1/status" &
poll=$!
sleep 1
psql "$PG_URL" -Atc "DELETE FROM vucs; SELECT pg_notify('svopi_trust', id || ' 0') FROM users WHERE login = 'carol@example.org'" >/dev/null
wait "$poll" || fail "long poll after the outage"
jget relationship "$T/poll.json" | grep -qx none || fail "poll: $(cat "$T/poll.json")"
note "ok: a change from outside, notified, wakes a long poll after the outage"
grep -q "re-established\|again" "$T/trustd.log" || fail "no reconnection logged"
size=$(wc -c <"$T/trustd.log")
[ "$size" -lt 65536 ] || fail "log grew to $size bytes"
trustd_stop
