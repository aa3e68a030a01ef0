#!/bin/sh
# A full secure call whose two sides validate at different svopi-trustd
# instances sharing one PostgreSQL (issue 14): alice's svopid talks to
# instance A, bob's to instance B. First contact through Kamailio: the
# VUC issued through one instance is redeemed through the other, the
# waiting side learns it through its instance's long poll (LISTEN/NOTIFY
# between the instances), and the call rings, is answered and carries
# SRTP both ways, verified.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
itest_init trustd-pg-call
command -v curl >/dev/null || skip "no curl"
[ -x "$TD_BIN" ] || fail "no $TD_BIN"
pg_start
TD_DATABASE=$PG_URL
itest_ca
itest_kamailio alice:pw-alice bob:pw-bob
PROXY="sip:127.0.0.1:$KAM_TLS_PORT;transport=tls"
itest_cert server

trustd_config
mv "$T/trustd.conf" "$T/trustd-b.conf"
URL_B=$TD_URL
PORT_B=$TD_PORT
trustd_config
URL_A=$TD_URL
for u in alice bob; do
	printf 'pw-%s\n' "$u" | "$TD_ADM" -c "$TD_CONF" useradd "$u@$DOMAIN" ||
		fail "useradd $u"
done
itest_bg trustd-a "$TD_BIN" -c "$T/trustd.conf"
A_PID=$ITEST_LAST_PID
itest_bg trustd-b "$TD_BIN" -c "$T/trustd-b.conf"
B_PID=$ITEST_LAST_PID
itest_wait_port "$TD_PORT" 10
itest_wait_port "$PORT_B" 10

TD_URL=$URL_A
calls_conf alice "$PROXY"
TD_URL=$URL_B
CALLS_AUTO_ANSWER=yes calls_conf bob "$PROXY"
grep -q "$URL_A" "$T/alice.conf" && grep -q "$URL_B" "$T/bob.conf" ||
	fail "the daemons do not use different instances"
svopid_start alice
svopid_start bob
itest_wait_for 20 is_registered alice || fail "alice not registered"
itest_wait_for 20 is_registered bob || fail "bob not registered"
ctl alice enroll >/dev/null || fail "alice enroll (instance A)"
ctl bob enroll >/dev/null || fail "bob enroll (instance B)"
note "ok: alice enrolled through A, bob through B"

ctl alice call "sip:bob@$DOMAIN" >"$T/call1.txt" ||
	fail "dial: $(cat "$T/call1.txt")"
A1=$(last_call alice)
itest_wait_for 20 call_state_is alice "$A1" awaiting-trust ||
	fail "alice's call not awaiting trust: $(ctl alice calls)"
itest_wait_for 10 vuc_prompted alice || fail "no VUC prompt at alice"
itest_wait_for 10 vuc_prompted bob || fail "no VUC prompt at bob"
ctl alice --json vuc list >"$T/vuc-a.json"
ctl bob --json vuc list >"$T/vuc-b.json"
code=$(cat "$T/vuc-a.json" "$T/vuc-b.json" | python3 -c '
import json, sys
for line in sys.stdin:
    for v in json.loads(line):
        if v["code"]:
            print(v["code"])')
[ -n "$code" ] || fail "no VUC code issued"
if grep -q "$code" "$T/vuc-a.json"; then
	issuer=alice redeemer=bob
else
	issuer=bob redeemer=alice
fi
note "ok: one code, issued to $issuer, asked of $redeemer"
ctl "$redeemer" vuc enter "sip:$issuer@$DOMAIN" "$code" >"$T/redeem.txt" ||
	fail "redeem: $(cat "$T/redeem.txt")"
note "ok: $redeemer entered the code through the other instance"

itest_wait_for 30 call_state_is alice "$A1" active ||
	fail "call not active: alice $(ctl alice calls) bob $(ctl bob calls)"
B1=$(last_call bob)
itest_wait_for 5 call_state_is bob "$B1" active || fail "bob's call not active"
sleep 2
for n in alice bob; do
	id=$(last_call $n)
	ctl $n --json calls >"$T/calls-$n.json"
	check "$n: secure" [ "$(call_field $n "$id" secure)" = true ]
	check "$n: peer verified" [ "$(call_field $n "$id" peer_verified)" = true ]
	rx=$(call_field $n "$id" packets.received)
	check "$n: received authenticated SRTP ($rx)" [ "$rx" -gt 20 ]
	check "$n: rejected none" [ "$(call_field $n "$id" packets.rejected)" -eq 0 ]
done
ctl alice hangup "$A1" || fail "hangup"
itest_wait_for 5 call_state_is bob "$B1" ended || fail "bob did not see the BYE"
n=$(psql "$PG_URL" -Atc "SELECT count(*) FROM relationships")
check "one relationship in the shared store ($n)" [ "$n" -eq 1 ]
grep -q "trust each other" "$T/trustd-a.log" "$T/trustd-b.log" ||
	fail "no instance logged the redeem"
svopid_stop alice
svopid_stop bob
kill -TERM "$A_PID" "$B_PID"
wait "$A_PID" || fail "instance A exited with $?"
wait "$B_PID" || fail "instance B exited with $?"
exit 0
