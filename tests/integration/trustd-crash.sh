#!/bin/sh
# kill -9 of svopi-trustd in the middle of a redeem (the test hook holds the
# transaction open after the relationship row is written) and right after
# one: the store passes PRAGMA integrity_check and the relationship is
# either fully there (VUC gone) or absent (VUC still redeemable).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/trustd-lib.sh"
itest_init trustd-crash
command -v sqlite3 >/dev/null || skip "no sqlite3"
itest_ca
itest_cert server
trustd_config
trustd_users alice bob
itest_bg trustd env SVOPI_TRUSTD_TEST_REDEEM_DELAY_MS=5000 \
	"$TD_BIN" -c "$TD_CONF" -d
TD_PID=$ITEST_LAST_PID
itest_wait_port "$TD_PORT" 10
enroll alice
enroll bob
validate alice bob
expect_field role issuer "alice gets a code"
vuc=$(jget vuc)

counts() {
	[ "$(sqlite3 "$TD_DB" 'PRAGMA integrity_check')" = ok ] ||
		fail "integrity_check after kill -9"
	sqlite3 "$TD_DB" "SELECT (SELECT count(*) FROM relationships) || ' ' ||
		(SELECT count(*) FROM vucs) || ' ' ||
		(SELECT count(*) FROM relationships r JOIN users a ON a.id = r.a
		 JOIN users b ON b.id = r.b
		 WHERE r.fp_a = a.fingerprint AND r.fp_b = b.fingerprint)"
}

# 1. Killed inside the redeem transaction: nothing of it may remain.
curl -sS --cacert "$T/ca.crt" -o /dev/null --max-time 20 \
	--data-urlencode login=bob@example.org --data-urlencode password=pw-bob \
	--data-urlencode peer=alice@example.org --data-urlencode vuc="$vuc" \
	"$TD_URL/api/v1/redeem" 2>/dev/null &
cpid=$!
itest_wait_for 5 grep -q 'POST /api/v1/redeem' "$T/trustd.log" || true
sleep 1
kill -KILL "$TD_PID"
wait "$TD_PID" 2>/dev/null
wait "$cpid"
c=$(counts)
[ "$c" = "0 1 0" ] || fail "after kill -9 inside redeem: relationships/vucs/bound = $c"
note "ok: killed inside the redeem: no relationship, the code is intact"

# 2. The code still works after the restart; kill -9 right after.
trustd_run
validate bob alice
expect_field role redeemer "bob is still the redeemer"
api /api/v1/redeem login=bob@example.org password=pw-bob \
	peer=alice@example.org vuc="$vuc"
expect_field result trusted "redeem after the restart"
kill -KILL "$TD_PID"
wait "$TD_PID" 2>/dev/null
c=$(counts)
[ "$c" = "1 0 1" ] || fail "after kill -9 after redeem: relationships/vucs/bound = $c"
note "ok: killed after the redeem: the relationship is complete"

trustd_run
validate alice bob
expect_field relationship trusted "trusted after the second restart"
trustd_stop
