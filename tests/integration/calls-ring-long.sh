#!/bin/sh
# A call that rings longer than 64*T1 + T4 (37 s) after its caller gave up
# without a CANCEL (its INVITE timed out): the callee's transaction layer
# drops the unanswered INVITE transaction and tells the call, which ends
# ("the caller gave up"); answering it then is refused instead of using
# the freed transaction (a use-after-free under ASan before).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/calls-common.sh"
. "$S/tests/integration/sip-common.sh"
itest_init calls-ring-long
sip_two_daemons
ctl alice call "sip:bob@127.0.0.1:$bob_TCP;transport=tcp" >/dev/null || fail "dial"
i=0
while [ -z "$(last_call bob)" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
BID=$(last_call bob)
[ -n "$BID" ] || fail "bob has no call"
itest_wait_for 60 call_state_is bob "$BID" ended ||
	fail "bob still rings after 60 s: $(ctl bob calls)"
check "bob's call ended: the caller gave up" \
	[ "$(call_field bob "$BID" end_reason)" = "the caller gave up" ]
answer_refused() { ! ctl bob answer "$BID"; }
check "answering it now is refused" answer_refused
check "bob alive" ctl bob status
svopid_stop bob
svopid_stop alice
exit 0
