#!/bin/sh
# Registration and calls over an impaired UDP path (issue 9): gina talks to
# Kamailio over UDP through udp-relay.py with 10 % loss and 0-100 ms of
# jitter (reordering) both ways; alice is on TLS. gina registers (REGISTER
# is repeated by Timer E), and ten cached-trust calls from gina to alice
# through the proxy set up and end (the ~3 KB INVITE goes over TCP, RFC
# 3261 §18.1.1; the ACK, the 2xx repeats and the BYE cross the lossy UDP).
# With SVOPID_OUTAGE=1 (make check-long: svopid-outage.sh) the path is
# then cut for 30 s, and gina must be registered again after it.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/calls-common.sh"
. "$S/tests/integration/sip-common.sh"
itest_init "svopid-lossy${SVOPID_OUTAGE:+-outage}"
command -v sqlite3 >/dev/null || skip "no sqlite3"
itest_ca
itest_kamailio alice:pw-alice gina:pw-gina
svopid_port
R=$SVOPID_PORT
itest_bg relay python3 "$S/tests/integration/udp-relay.py" --port "$R" \
	--target "127.0.0.1:$KAM_PORT" --tcp --loss 0.1 --delay 20 \
	--jitter 100 --seed 11 --block "$T/outage" --stats "$T/relay.json"
itest_wait_port "$R" 10

SVOPID_EXPIRES=${SVOPID_OUTAGE:+60}
svopid_conf alice "sip:127.0.0.1:$KAM_TLS_PORT;transport=tls"
svopid_conf gina "sip:127.0.0.1:$R;transport=udp"
for n in alice gina; do
	printf '[media]\naudio = null\nrtp_ports = 20000-29999\n' >>"$T/$n.conf"
	printf '[calls]\nauto_answer = yes\n' >>"$T/$n.conf"
	svopid_start "$n"
done
itest_wait_for 30 is_registered alice || fail "alice: $(ctl alice status)"
itest_wait_for 60 is_registered gina ||
	fail "gina not registered over the lossy path: $(ctl gina status)"
note "ok: gina registered over 10 % loss and jitter"

sip_seed gina alice
sip_seed alice gina

ok=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	ctl gina call "sip:alice@$DOMAIN" >"$T/call-$i.out" 2>&1 ||
		fail "dial $i: $(cat "$T/call-$i.out")"
	id=$(last_call gina)
	if itest_wait_for 30 call_state_is gina "$id" active; then
		ok=$((ok + 1))
	else
		note "call $i did not set up: $(ctl gina calls | tail -1)"
	fi
	ctl gina hangup "$id" >/dev/null 2>&1
done
none_active() {
	ctl "$1" --json calls | python3 -c '
import json, sys
sys.exit(any(c["state"] != "ended" for c in json.load(sys.stdin)))'
}
check "alice saw every BYE (over the lossy UDP)" itest_wait_for 40 none_active alice
note "relay: $(cat "$T/relay.json")"
check "cached calls over the lossy path: $ok of 10 set up" [ "$ok" -ge 9 ]
check "gina alive" ctl gina status
check "alice alive" ctl alice status

drops() { python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["up"][2] + s["down"][2])' "$T/relay.json"; }
regs() { grep -c "registered at" "$T/svopid-gina.log"; }
more_regs() { [ "$(regs)" -gt "$1" ]; }
if [ -n "${SVOPID_OUTAGE:-}" ]; then
	# A call that is up when the proxy path goes away could survive
	# it (the media go straight between the phones): it must.
	ctl gina call "sip:alice@$DOMAIN" >/dev/null ||
		fail "dial before the outage"
	OID=$(last_call gina)
	itest_wait_for 30 call_state_is gina "$OID" active ||
		fail "the call before the outage did not set up: $(ctl gina calls)"
	AOID=$(last_call alice)
	rx0=$(call_field gina "$OID" packets.received)
	# Expiry 60 s: the refresh (at half) falls into the outage.
	n1=$(regs)
	d1=$(drops)
	: >"$T/outage"
	note "path cut for 30 s"
	sleep 30
	sleep 1.1	# the relay's counters are written every second
	d2=$(drops)
	rm -f "$T/outage"
	check "the outage dropped gina's traffic ($d1 -> $d2)" [ "$d2" -gt "$d1" ]
	t0=$(date +%s)
	itest_wait_for 120 more_regs "$n1" ||
		fail "gina did not register again after the outage: $(ctl gina status)"
	itest_wait_for 30 is_registered gina || fail "gina: $(ctl gina status)"
	note "ok: registered again $(( $(date +%s) - t0 )) s after the path came back"
	check "the call survived the outage at gina" call_state_is gina "$OID" active
	check "the call survived the outage at alice" call_state_is alice "$AOID" active
	rx1=$(call_field gina "$OID" packets.received)
	check "its media kept flowing ($rx0 -> $rx1 packets)" \
		[ "$rx1" -gt $((rx0 + 1000)) ]
	ctl gina hangup "$OID" || fail "hangup after the outage"
	itest_wait_for 30 call_state_is alice "$AOID" ended ||
		fail "alice did not get the BYE after the outage: $(ctl alice calls)"
	note "ok: the call lived through the 30 s outage and ended with a BYE"
fi
svopid_stop gina
svopid_stop alice
exit 0
