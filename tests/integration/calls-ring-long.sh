#!/bin/sh
# How long a call may ring ([calls] ring_timeout; docs/calls.md):
#  1. alice (ring_timeout 40) calls bob (45), who does not answer. Past
#     32 s both still ring: a provisional response stops the caller's
#     Timer B (RFC 3261 §17.1.1.2), which used to end a ringing call at
#     32 s with "no answer" and no CANCEL, leaving bob ringing. At 40 s
#     alice CANCELs: alice "no answer", bob's call ends at once.
#  2. bob's limit lowered to 5 s: bob answers 480 after 5 + 5 s, and
#     alice's call ends with that 480; answering at bob then is refused.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/calls-common.sh"
. "$S/tests/integration/sip-common.sh"
itest_init calls-ring-long
sip_two_daemons
svopid_stop alice
svopid_stop bob
printf 'ring_timeout = 40\n' >>"$T/alice.conf"	# the [calls] section is last
printf 'ring_timeout = 45\n' >>"$T/bob.conf"
svopid_start alice
svopid_start bob

bob_has_new_call() {	# bob_has_new_call OLD-ID
	_id=$(last_call bob)
	[ -n "$_id" ] && [ "$_id" != "$1" ]
}
alice_not_ended() { ! call_state_is alice "$1" ended; }

# dial_bob: alice dials bob directly; sets AID and BID once bob rings.
dial_bob() {
	before=$(last_call bob)
	ctl alice call "sip:bob@$DOMAIN:$bob_TCP;transport=tcp;maddr=127.0.0.1" >/dev/null ||
		fail "dial"
	AID=$(last_call alice)
	itest_wait_for 20 bob_has_new_call "$before" || fail "bob has no new call"
	BID=$(last_call bob)
	itest_wait_for 10 call_state_is bob "$BID" ringing ||
		fail "bob does not ring: $(ctl bob calls)"
}

# 1. Past Timer B, then the caller's own limit.
dial_bob
t0=$(date +%s)
sleep 34
check "alice still calls after 34 s (Timer B stopped by the 180)" \
	alice_not_ended "$AID"
check "bob still rings after 34 s" call_state_is bob "$BID" ringing
itest_wait_for 20 call_state_is alice "$AID" ended ||
	fail "alice still calling after 54 s: $(ctl alice calls)"
took=$(( $(date +%s) - t0 ))
[ "$took" -ge 38 ] || fail "alice gave up after $took s, before her 40 s"
check "alice: no answer" [ "$(call_field alice "$AID" end_reason)" = "no answer" ]
itest_wait_for 5 call_state_is bob "$BID" ended ||
	fail "bob still rings after alice's CANCEL: $(ctl bob calls)"
note "ok: alice gave up after $took s with a CANCEL; bob: $(call_field bob "$BID" end_reason)"

# 2. The callee's limit (5 s, plus 5 s of grace).
svopid_stop bob
sed -i 's/^ring_timeout = 45$/ring_timeout = 5/' "$T/bob.conf"
svopid_start bob
dial_bob
itest_wait_for 20 call_state_is bob "$BID" ended ||
	fail "bob still rings after 20 s: $(ctl bob calls)"
check "bob: not answered" [ "$(call_field bob "$BID" end_reason)" = "not answered" ]
itest_wait_for 5 call_state_is alice "$AID" ended || fail "alice still calls"
reason=$(call_field alice "$AID" end_reason)
case $reason in
480*) note "ok: alice's call ended: $reason" ;;
*) fail "alice ended for another reason: $reason" ;;
esac
answer_refused() { ! ctl bob answer "$BID"; }
check "answering it now is refused" answer_refused
check "bob alive" ctl bob status
svopid_stop bob
svopid_stop alice
exit 0
