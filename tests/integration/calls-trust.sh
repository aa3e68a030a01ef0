#!/bin/sh
# Calls after first contact: a restarted daemon still trusts its peer from
# the trust store; a direct call without a proxy; a callee that presents a
# certificate other than its reference is refused with a security alert
# and nothing rings.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
itest_init calls-trust
command -v curl >/dev/null || skip "no curl"
itest_ca
itest_kamailio alice:pw-alice bob:pw-bob
PROXY="sip:127.0.0.1:$KAM_TLS_PORT;transport=tls"
BOB_URI="sip:bob@$DOMAIN"
calls_trustd

calls_conf alice "$PROXY"
CALLS_AUTO_ANSWER=yes calls_conf bob "$PROXY"
svopid_start alice
svopid_start bob
itest_wait_for 20 is_registered alice || fail "alice not registered"
itest_wait_for 20 is_registered bob || fail "bob not registered"
ctl alice enroll >/dev/null || fail "alice enroll"
ctl bob enroll >/dev/null || fail "bob enroll"
calls_first_contact alice bob "$BOB_URI"
note "ok: first contact done"

# 6. Restart: the relationship survives in the trust store. Alice comes
# back with cache_ttl = 1: her entry for bob is stale, used for the call
# and revalidated at trustd in the background.
svopid_stop alice
sed -i 's/^cache_ttl = .*/cache_ttl = 1/' "$T/alice.conf"
sleep 1.1
nval=$(grep -c "POST /api/v1/validate" "$T/trustd.log")
svopid_start alice
itest_wait_for 20 is_registered alice || fail "alice not registered again"
check "trust store kept bob" sh -c "DBUS_SESSION_BUS_ADDRESS=$alice_BUS $B/cli/svopictl trust list | grep -q 'sip:bob@$DOMAIN trusted'"
ctl alice --json call "$BOB_URI" --wait --timeout 2 >"$T/restart.json"
check "call after restart: answered, secure, verified" [ $? -eq 0 ]
check "restart: no VUC asked" sh -c "! DBUS_SESSION_BUS_ADDRESS=$alice_BUS $B/cli/svopictl vuc list | grep -q ."
check "stale entry: revalidated in the background" \
	[ "$(grep -c "POST /api/v1/validate" "$T/trustd.log")" -gt "$nval" ]
check "stale entry: log says so" grep -q "trusted from the trust store (trusted-stale)" "$T/svopid-alice.log"

# 5. Direct call: alice without a proxy reaches bob's TLS listener.
svopid_stop alice
awk '/^\[/ { sec = $0 } !(sec == "[account]" && /^(proxy|auth_user|password_file) =/)' \
	"$T/alice.conf" >"$T/alice-direct.conf"
sed -i 's/^cache_ttl = .*/cache_ttl = 3600/' "$T/alice-direct.conf"
cp "$T/alice-direct.conf" "$T/alice.conf"
svopid_start alice
check "alice has no proxy" [ "$(reg_state alice)" = unregistered ]
ctl alice --json call "sip:bob@$DOMAIN:$bob_TLS;transport=tls;maddr=127.0.0.1" --wait \
	--timeout 2 >"$T/direct.json"
rc=$?
cat "$T/direct.json" >&2
check "direct call: answered, secure, verified" [ $rc -eq 0 ]
check "direct call: INVITE without pre-call OPTIONS (fresh entry)" \
	grep -q "INVITE without pre-call OPTIONS" "$T/svopid-alice.log"
check "direct call: packets both ways" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
sys.exit(0 if c["packets"]["received"] > 0 and c["packets"]["rejected"] == 0 else 1)' "$T/direct.json"

# Manual answer and CANCEL: bob without auto_answer.
svopid_stop bob
sed -i 's/^auto_answer = .*/auto_answer = no/' "$T/bob.conf"
svopid_start bob
DIRECT="sip:bob@$DOMAIN:$bob_TLS;transport=tls;maddr=127.0.0.1"
ctl alice call "$DIRECT" >/dev/null || fail "dial"
A=$(last_call alice)
itest_wait_for 10 sh -c "[ -n \"\$(DBUS_SESSION_BUS_ADDRESS=$bob_BUS $B/cli/svopictl calls)\" ]" ||
	fail "no call at bob"
Bc=$(last_call bob)
itest_wait_for 10 call_state_is bob "$Bc" ringing || fail "bob not ringing"
itest_wait_for 10 call_state_is alice "$A" ringing || fail "alice does not see ringing"
ctl bob answer || fail "svopictl answer"
itest_wait_for 10 call_state_is alice "$A" active || fail "not active after answer"
ctl bob hangup || fail "bob hangup"
itest_wait_for 10 call_state_is alice "$A" ended || fail "alice did not see the BYE"
check "alice: remote hangup" [ "$(call_field alice "$A" end_reason)" = "remote hangup" ]
ctl alice call "$DIRECT" >/dev/null || fail "dial"
A=$(last_call alice)
itest_wait_for 10 call_state_is alice "$A" ringing || fail "not ringing"
Bc=$(last_call bob)
ctl alice hangup "$A" || fail "alice hangup"
itest_wait_for 10 call_state_is bob "$Bc" ended || fail "CANCEL not seen at bob"
check "bob: cancelled" [ "$(call_field bob "$Bc" end_reason)" = "cancelled by the caller" ]

# 3. Mismatch: bob comes back with a new identity (new state dir) that is
# not his reference certificate at the trust server.
svopid_stop bob
mv "$T/bob-state" "$T/bob-state.old"
svopid_start bob
itest_bg mon-alice ctl alice monitor
sleep 0.5
ctl alice --json call "sip:bob@$DOMAIN:$bob_TLS;transport=tls;maddr=127.0.0.1" --wait \
	--timeout 10 >"$T/mismatch.json"
rc=$?
cat "$T/mismatch.json" >&2
check "mismatch: exit 4 (security failure)" [ $rc -eq 4 ]
check "mismatch: refused by bob before ringing (403)" \
	grep -q "403 Forbidden.*certificate mismatch" "$T/mismatch.json"
itest_wait_for 5 grep -q "^signal SecurityAlert sip:bob@$DOMAIN" "$T/mon-alice.log" ||
	fail "no SecurityAlert at alice"
check "mismatch: nothing at bob" [ "$(ctl bob --json calls)" = "[]" ]
check "mismatch: alice's trust entry for bob unchanged" sh -c "DBUS_SESSION_BUS_ADDRESS=$alice_BUS $B/cli/svopictl trust list | grep -q 'sip:bob@$DOMAIN trusted'"

# trust forget: the next validation goes to the server again.
ctl alice trust forget sip:bob@$DOMAIN || fail "trust forget"
check "forgotten" sh -c "! DBUS_SESSION_BUS_ADDRESS=$alice_BUS $B/cli/svopictl trust list | grep -q bob"
ctl alice trust forget sip:bob@$DOMAIN 2>/dev/null
check "forget twice: exit 1" [ $? -eq 1 ]

# Mismatch found at the trust server: without a cached entry alice sends
# the pre-call OPTIONS; new-bob answers, alice validates his certificate
# at trustd: mismatch, alert, no INVITE, nothing at bob.
ctl alice --json call "sip:bob@$DOMAIN:$bob_TLS;transport=tls;maddr=127.0.0.1" --wait \
	--timeout 10 >"$T/mismatch2.json"
rc=$?
cat "$T/mismatch2.json" >&2
check "trustd mismatch: exit 4" [ $rc -eq 4 ]
check "trustd mismatch: reason" grep -q "certificate mismatch at the trust server" "$T/mismatch2.json"
check "trustd mismatch: nothing rang at bob" [ "$(ctl bob --json calls)" = "[]" ]
check "trustd mismatch: recorded" sh -c "DBUS_SESSION_BUS_ADDRESS=$alice_BUS $B/cli/svopictl trust list | grep -q 'sip:bob@$DOMAIN mismatch'"

# Bob re-enrols his new certificate: the relationship is pending again
# (nothing trusts a new key silently). Alice (trust_wait = 3) gets a VUC
# prompt, nobody enters the code, the call ends unanswered; nothing rings.
ctl bob enroll >/dev/null || fail "bob re-enroll"
svopid_stop alice
sed -i 's/^trust_wait = .*/trust_wait = 3/' "$T/alice.conf"
svopid_start alice
ctl alice --json call "$DIRECT" --wait --timeout 20 >"$T/wait.json"
rc=$?
cat "$T/wait.json" >&2
check "re-enrolled peer: call ends unanswered (exit 3)" [ $rc -eq 3 ]
check "re-enrolled peer: trust wait ran out" grep -q "trust not established in time" "$T/wait.json"
check "re-enrolled peer: VUC prompt" sh -c "DBUS_SESSION_BUS_ADDRESS=$alice_BUS $B/cli/svopictl vuc list | grep -q bob"
check "re-enrolled peer: nothing rang at bob" sh -c "! DBUS_SESSION_BUS_ADDRESS=$bob_BUS $B/cli/svopictl calls | grep -q ringing"

svopid_stop alice
svopid_stop bob
exit 0
