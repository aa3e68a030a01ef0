#!/bin/sh
# A peer that listens on UDP only (RFC 3261 §18.1.1): our ~3 KB INVITE
# goes over TCP to the peer's UDP host and port because of its size; the
# connection is refused, so the INVITE is sent again over UDP and the call
# sets up, secure and verified, with media both ways.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/calls-common.sh"
. "$S/tests/integration/sip-common.sh"
itest_init calls-udp-only
sip_two_daemons
svopid_stop bob
sed -i "s/^listen = .*/listen = udp:127.0.0.1:$bob_UDP/" "$T/bob.conf"
sed -i 's/^auto_answer = no/auto_answer = yes/' "$T/bob.conf"
svopid_start bob
check "bob listens on no TCP port" sh -c "! ss -Hltn 'sport = :$bob_UDP' | grep -q ."

# --wait: until answered, then 3 s of call, then hang up; exit 0 if answered.
ctl alice --json call "sip:bob@$DOMAIN:$bob_UDP;transport=udp;maddr=127.0.0.1" --wait \
	--timeout 3 >"$T/call.json" || fail "the call failed: $(cat "$T/call.json")"
check "answered, secure and verified, media both ways" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert c["secure"] and c["peer_verified"], c
assert c["packets"]["received"] > 50 and c["packets"]["sent"] > 50, c' "$T/call.json"
check "alice's log: refused over TCP, sent over UDP" \
	grep -q "INVITE over TCP refused, sent over UDP" "$T/svopid-alice.log"
check "bob got the INVITE over UDP" grep -q "INVITE from udp:" "$T/svopid-bob.log"
BID=$(last_call bob)
itest_wait_for 10 call_state_is bob "$BID" ended || fail "bob did not end"
svopid_stop alice
svopid_stop bob
exit 0
