#!/bin/sh
# RFC 3261 §13.3.1.4 over a lossy UDP path (issue 9): two daemons with a
# cached relationship, alice dials bob over UDP through udp-relay.py. While
# bob answers, the relay drops every UDP datagram:
#  - the path comes back 2 s later: bob's 200 is repeated until its ACK
#    and alice ACKs each repeat, so both calls end up active (no 408 at
#    alice, no dangling call at bob);
#  - the path never comes back: bob gives up after 64*T1 = 32 s without
#    an ACK and ends the call with a BYE instead of staying active.
# The INVITE (~3 KB with MIKEY) goes over TCP to the same host and port
# (RFC 3261 §18.1.1), so what the relay drops is the ACK over UDP; bob's
# 200, repeated over TCP, gets one more ACK each time from alice.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/calls-common.sh"
. "$S/tests/integration/sip-common.sh"
itest_init calls-udp-2xx
sip_two_daemons
itest_bg mon-bob ctl bob monitor

svopid_port
R=$SVOPID_PORT
itest_bg relay python3 "$S/tests/integration/udp-relay.py" --port "$R" \
	--target "127.0.0.1:$bob_UDP" --tcp-target "127.0.0.1:$bob_TCP" \
	--tcp --seed 9 --block "$T/outage" --stats "$T/relay.json"
itest_wait_port "$R" 10

bob_rings_anew() {	# bob_rings_anew OLD-ID: bob's newest call is new and rings
	id=$(last_call bob)
	[ -n "$id" ] && [ "$id" != "$1" ] && call_state_is bob "$id" ringing
}
# dial_and_answer_blind CASE: dials, waits for bob to ring, cuts the path
# and lets bob answer. Sets AID and BID.
dial_and_answer_blind() {
	rm -f "$T/outage"
	before=$(last_call bob)
	ctl alice call "sip:bob@$DOMAIN:$R;transport=udp;maddr=127.0.0.1" >"$T/dial-$1.out" ||
		fail "$1: dial: $(cat "$T/dial-$1.out")"
	AID=$(last_call alice)
	itest_wait_for 20 bob_rings_anew "$before" ||
		fail "$1: bob does not ring: $(ctl bob calls)"
	BID=$(last_call bob)
	: >"$T/outage"
	ctl bob answer "$BID" || fail "$1: answer"
}

# 1. The path comes back after 2 s.
dial_and_answer_blind back
sleep 2
rm -f "$T/outage"
itest_wait_for 15 call_state_is alice "$AID" active ||
	fail "alice not active: $(ctl alice calls)"
check "bob active" call_state_is bob "$BID" active
sleep 6	# past the 2xx repeats, within 64*T1
check "alice still active" call_state_is alice "$AID" active
check "bob still active (the ACK came)" call_state_is bob "$BID" active
check "udp datagrams were dropped during the outage" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["up"][2] + s["down"][2] > 0, s' "$T/relay.json"
# RFC 3261 §18.1.1: the ~3 KB INVITE went over TCP to the relay's port
# (Via and Contact saying TCP), the small ACK over UDP.
check "the INVITE came over TCP" grep -q "INVITE from tcp:" "$T/svopid-bob.log"
check "no INVITE over UDP" sh -c "! grep -q 'INVITE from udp:' '$T/svopid-bob.log'"
check "the relay passed TCP and UDP" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["tcp"] >= 1 and s["up"][1] >= 1, s' "$T/relay.json"
ctl alice hangup "$AID" || fail "hangup"
itest_wait_for 10 call_state_is bob "$BID" ended || fail "bob did not end"
note "ok: 2xx/ACK lost for 2 s, both active"

# 2. The path never comes back: bob hangs up after 64*T1 without an ACK.
dial_and_answer_blind never
itest_wait_for 50 call_state_is bob "$BID" ended ||
	fail "bob still not ended after 50 s: $(ctl bob calls)"
reason=$(call_field bob "$BID" end_reason)
case $reason in
*"no ACK"*) note "ok: bob ended: $reason" ;;
*) fail "bob ended for another reason: $reason" ;;
esac
check "bob's log: BYE after no ACK" grep -q "no ACK for our 200" "$T/svopid-bob.log"
check "alice alive" ctl alice status
check "bob alive" ctl bob status
rm -f "$T/outage"
svopid_stop alice
svopid_stop bob
exit 0
