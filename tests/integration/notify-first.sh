#!/bin/sh
# svopi-notify against a real notification server (dunst under Xvfb), one
# per daemon's private bus, through the first-contact flow (SPEC §7a):
# the VUC shown to one side, asked from the other and entered there
# through dunst's action menu and the zenity fallback (a fake zenity that
# prints the code), a wrong code first; the call rings with Answer/Reject
# and is answered through dunst; a cancelled call replaces its
# notification; a re-keyed peer raises a critical security alert; svopid
# and then dunst restart and svopi-notify carries on.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
. "$S/tests/integration/notify-common.sh"
itest_init notify-first
command -v curl >/dev/null || skip "no curl"
notify_need
itest_ca
itest_kamailio alice:pw-alice bob:pw-bob
PROXY="sip:127.0.0.1:$KAM_TLS_PORT;transport=tls"
BOB_URI="sip:bob@$DOMAIN"
calls_trustd
calls_conf alice "$PROXY"
calls_conf bob "$PROXY"
svopid_start alice
svopid_start bob
itest_wait_for 20 is_registered alice || fail "alice not registered"
itest_wait_for 20 is_registered bob || fail "bob not registered"
ctl alice enroll >/dev/null || fail "alice enroll"
ctl bob enroll >/dev/null || fail "bob enroll"

notify_x
# (not $n: itest_wait_for uses that name)
for who in alice bob; do
	notify_dunst $who
	notify_start $who
done
note "ok: dunst and svopi-notify on both buses"

# Signals forged by another program in the session are not svopid's.
notify_forge alice VucIssued string:sip:eve@$DOMAIN string:1111-2222 uint64:0
notify_forge alice SecurityAlert string:sip:eve@$DOMAIN string:forged
notify_forge alice VucRequested string:sip:eve@$DOMAIN
sleep 1
check "forged svopid signals: nothing shown" \
	sh -c "! python3 '$S/tests/integration/notify-log.py' '$T/busmon-alice.log' | grep -q eve"

# --- first contact: the code is shown on one side, asked on the other
ctl alice call "$BOB_URI" >/dev/null || fail "dial"
A1=$(last_call alice)
itest_wait_for 20 vuc_prompted alice || fail "no VUC prompt at alice"
itest_wait_for 20 vuc_prompted bob || fail "no VUC prompt at bob"
code=$( (ctl alice --json vuc list; ctl bob --json vuc list) | python3 -c '
import json, sys
for line in sys.stdin:
    for v in json.loads(line):
        if v["code"]:
            print(v["code"])')
[ -n "$code" ] || fail "no code issued"
if ctl alice vuc list | grep -q "$code"; then
	issuer=alice redeemer=bob
else
	issuer=bob redeemer=alice
fi
note "VUC issued to $issuer, asked from $redeemer"
itest_wait_for 10 note_shown $issuer "^Tell $redeemer this code: $code\$" ||
	fail "no 'Tell $redeemer this code' at $issuer: $(note_events $issuer)"
body=$(note_field $issuer "^Tell $redeemer" body)
check "issued: body names the peer's address" \
	sh -c "echo '$body' | grep -qF 'sip:$redeemer@$DOMAIN'"
check "issued: body says until when" sh -c "echo '$body' | grep -q 'valid until [0-9][0-9]:[0-9][0-9]'"
itest_wait_for 10 note_shown $redeemer "^$issuer will read you a code\$" ||
	fail "no 'will read you a code' at $redeemer: $(note_events $redeemer)"
check "requested: Enter code action (dunst has no inline reply)" \
	[ "$(note_field $redeemer "read you a code" actions)" = '["enter-code", "Enter code"]' ]
check "requested: the code is not shown to the redeemer" \
	sh -c "! grep -qF '$code' '$T/busmon-$redeemer.log'"
check "issued: dunst shows it" [ "$(dctl $issuer count displayed)" -ge 1 ]

# A wrong code through dunst's menu and the dialog: said so, with tries.
printf '0000-0000\n' >"$T/zenity-answer"
note_pick $redeemer "#Enter code"
itest_wait_for 10 note_shown $redeemer "^Wrong code for $issuer: 4 tries left\$" ||
	fail "no wrong-code notification: $(note_events $redeemer)"
check "the dialog was zenity, asking for the code" \
	grep -q -- "--entry.*Enter the code $issuer (sip:$issuer@$DOMAIN) reads to you" "$T/zenity.log"
check "wrong code: Enter code again" \
	[ "$(note_field $redeemer "^Wrong code" actions)" = '["enter-code", "Enter code"]' ]
# The right one: trust is established and the call goes on by itself.
printf '%s\n' "$code" >"$T/zenity-answer"
note_pick $redeemer "#Enter code"
itest_wait_for 10 note_shown $redeemer "^Code accepted: $issuer is trusted\$" ||
	fail "code not accepted: $(note_events $redeemer)"
itest_wait_for 30 call_state_is alice "$A1" ringing ||
	fail "call does not ring: $(ctl alice calls)"
note "ok: code entered through dunst and zenity, the call rings"
issued_id=$(note_field $issuer "^Tell $redeemer" id)
itest_wait_for 10 sh -c "python3 '$S/tests/integration/notify-log.py' '$T/busmon-$issuer.log' | grep -q '\"ev\": \"close\", \"id\": $issued_id}'" ||
	fail "the issued code's notification was not closed: $(note_events $issuer)"
note "ok: the code's notification closed once trusted"

# --- incoming call: Answer/Reject, verified identity; answered in dunst
itest_wait_for 10 note_shown bob "^Incoming call from alice\$" ||
	fail "no incoming call at bob: $(note_events bob)"
check "incoming: Answer and Reject" \
	[ "$(note_field bob "^Incoming call" actions)" = '["answer", "Answer", "reject", "Reject"]' ]
check "incoming: category call.incoming" \
	[ "$(note_field bob "^Incoming call" hints.category)" = call.incoming ]
check "incoming: identity verified" \
	sh -c "python3 '$S/tests/integration/notify-log.py' '$T/busmon-bob.log' last '^Incoming call' | grep -q 'Identity verified by the trust server'"
B1=$(last_call bob)
ring_id=$(note_field bob "^Incoming call" id)
notify_forge bob ActionInvoked uint32:$ring_id string:answer
sleep 1
check "a forged ActionInvoked does not answer" call_state_is bob "$B1" ringing
note_pick bob "#Answer"
itest_wait_for 10 call_state_is bob "$B1" active || fail "not answered: $(ctl bob calls)"
itest_wait_for 10 call_state_is alice "$A1" active || fail "alice not active"
check "the answer came from the action" grep -q 'action "answer"' "$T/notify-bob.log"
note "ok: answered through dunst's action"
ctl alice hangup "$A1" || fail "hangup"
itest_wait_for 10 note_shown bob "^Call with alice ended\$" ||
	fail "no call-ended at bob: $(note_events bob)"
check "ended: says who hung up" [ "$(note_field bob "^Call with alice ended" body)" = "alice hung up." ]
python3 "$S/tests/integration/notify-log.py" "$T/busmon-alice.log" | grep -q '"summary": "Call with bob ended"' &&
	fail "alice was told about the call she ended"
note "ok: call ended shown only to the one who did not end it"

# --- a cancelled call replaces its ringing notification
ctl alice call "$BOB_URI" >/dev/null || fail "dial 2"
A2=$(last_call alice)
itest_wait_for 15 call_state_is alice "$A2" ringing || fail "call 2 not ringing"
itest_wait_for 10 sh -c "[ \"\$(python3 '$S/tests/integration/notify-log.py' '$T/busmon-bob.log' | grep -c '\"summary\": \"Incoming call from alice\"')\" -ge 2 ]" ||
	fail "no second incoming notification"
ring_id=$(note_field bob "^Incoming call" id)
ctl alice hangup "$A2" || fail "cancel"
itest_wait_for 10 sh -c "python3 '$S/tests/integration/notify-log.py' '$T/busmon-bob.log' last '^Call with alice ended' | grep -q cancelled" ||
	fail "no cancelled notification: $(note_events bob)"
check "cancelled: replaces the ringing notification ($ring_id)" \
	[ "$(note_field bob "^Call with alice ended" replaces)" = "$ring_id" ]
check "cancelled: same id kept" [ "$(note_field bob "^Call with alice ended" id)" = "$ring_id" ]
check "cancelled: dunst still shows it" [ "$(dctl bob count displayed)" -ge 1 ]

# --- Reject in dunst: the caller is told, bob (who rejected) is not
ctl alice call "$BOB_URI" >/dev/null || fail "dial 3"
A3=$(last_call alice)
itest_wait_for 15 call_state_is alice "$A3" ringing || fail "call 3 not ringing"
itest_wait_for 10 sh -c "[ \"\$(python3 '$S/tests/integration/notify-log.py' '$T/busmon-bob.log' | grep -c '\"summary\": \"Incoming call from alice\"')\" -ge 3 ]" ||
	fail "no third incoming notification"
n_ended=$(note_events bob | grep -c '"summary": "Call with alice ended"')
note_pick bob "#Reject"
itest_wait_for 10 call_state_is alice "$A3" ended || fail "reject: $(ctl alice calls)"
itest_wait_for 10 sh -c "python3 '$S/tests/integration/notify-log.py' '$T/busmon-alice.log' last '^Call with bob ended' | grep -q 'The call with bob ended: '" ||
	fail "the caller was not told of the rejection: $(note_events alice | tail -3)"
sleep 1
check "rejected: nothing new at bob, who ended it" \
	[ "$(note_events bob | grep -c '"summary": "Call with alice ended"')" -eq "$n_ended" ]
note "ok: Reject through dunst's action"

# --- security alert: bob comes back with a new key
notify_stop bob
svopid_stop bob
mv "$T/bob-state" "$T/bob-state.old"
DBUS_SESSION_BUS_ADDRESS=$bob_BUS itest_bg "svopid-bob2" "$B/daemon/svopid" \
	--config "$T/bob.conf"
bob_PID=$ITEST_LAST_PID
itest_wait_for 30 ctl bob status || fail "new bob did not come up"
itest_wait_for 20 is_registered bob || fail "new bob not registered"
ctl alice call "sip:bob@$DOMAIN:$bob_TLS;transport=tls;maddr=127.0.0.1" --wait --timeout 10 >/dev/null
check "re-keyed peer: security failure" [ $? -eq 4 ]
itest_wait_for 10 note_shown alice "^Security alert: call with bob\$" ||
	fail "no security alert at alice: $(note_events alice)"
check "alert: critical urgency" [ "$(note_field alice "^Security alert" hints.urgency)" = 2 ]
note_field alice "^Security alert" body >"$T/alert-body.txt"
cat "$T/alert-body.txt" >&2
check "alert: in plain words" grep -q "^bob's key changed since your last call; the call was refused.\$" "$T/alert-body.txt"
check "alert: no fingerprint shown" sh -c "! grep -Eq '([0-9A-Fa-f]{2}:){8}|[0-9a-fA-F]{16}' '$T/alert-body.txt'"
itest_wait_for 5 grep -q "^svopi-notify|Security alert: call with bob|CRITICAL" "$T/critical.log" ||
	fail "dunst did not class the alert critical: $(cat "$T/critical.log")"
check "critical: nothing else" [ "$(grep -vc '|Security alert' "$T/critical.log")" -eq 0 ]
dctl alice close-all
itest_wait_for 5 sh -c "DBUS_SESSION_BUS_ADDRESS=$alice_BUS dunstctl history | grep -q 'Security alert: call with bob'" ||
	fail "dunst's history lacks the alert: $(dctl alice history)"
note "ok: critical alert shown by dunst"

# --- svopid restarts: svopi-notify follows the new daemon
notify_svopid_restart alice
itest_wait_for 10 grep -q "svopid is on the bus" "$T/notify-alice.log" || fail "not told"
n_before=$(note_events alice | grep -c '"summary": "Security alert: call with bob"')
ctl alice call "sip:bob@$DOMAIN:$bob_TLS;transport=tls;maddr=127.0.0.1" --wait --timeout 10 >/dev/null
itest_wait_for 10 sh -c "[ \"\$(python3 '$S/tests/integration/notify-log.py' '$T/busmon-alice.log' | grep -c '\"summary\": \"Security alert: call with bob\"')\" -gt $n_before ]" ||
	fail "no alert after svopid's restart: $(note_events alice)"
note "ok: carries on after svopid restarted"

# --- dunst restarts: the open alert is shown again on the new server
# (its old id means nothing there), and the next alert replaces that one.
kill -TERM "$alice_DUNST"
itest_wait_for 10 sh -c "! kill -0 $alice_DUNST 2>/dev/null" || fail "dunst did not stop"
itest_wait_for 10 grep -q "notification server gone" "$T/notify-alice.log" ||
	fail "svopi-notify did not see dunst leave"
n_before=$(note_events alice | grep -c '"summary": "Security alert: call with bob"')
notify_dunst alice
itest_wait_for 10 sh -c "[ \$(grep -c 'notification server :' '$T/notify-alice.log') -ge 2 ]" ||
	fail "svopi-notify did not find the new dunst"
itest_wait_for 10 sh -c "[ \"\$(DBUS_SESSION_BUS_ADDRESS=$alice_BUS dunstctl count displayed)\" -ge 1 ]" ||
	fail "the new dunst shows nothing: $(note_events alice | tail -5)"
check "new dunst: the open alert shown anew (replaces 0)" \
	[ "$(note_field alice "^Security alert" replaces)" = 0 ]
reshown_id=$(note_field alice "^Security alert" id)
ctl alice call "sip:bob@$DOMAIN:$bob_TLS;transport=tls;maddr=127.0.0.1" --wait --timeout 10 >/dev/null
itest_wait_for 10 sh -c "[ \"\$(python3 '$S/tests/integration/notify-log.py' '$T/busmon-alice.log' | grep -c '\"summary\": \"Security alert: call with bob\"')\" -ge $((n_before + 2)) ]" ||
	fail "no alert on the new dunst: $(note_events alice | tail -5)"
check "new dunst: the next alert replaces it ($reshown_id)" \
	[ "$(note_field alice "^Security alert" replaces)" = "$reshown_id" ]
check "new dunst: shows one alert" [ "$(dctl alice count displayed)" -eq 1 ]
note "ok: carries on after dunst restarted"

kill -0 "$alice_NOTIFY" || fail "svopi-notify alice died"

# --- no zenity or kdialog: the prompt shows the svopictl command. Bob
# re-enrols his new key, so the relationship needs a code again.
notify_stop alice
ctl bob enroll >/dev/null || fail "bob re-enroll"
ctl alice trust forget sip:bob@$DOMAIN || fail "trust forget"
NOTIFY_PATH=/usr/bin:/bin notify_start alice
ctl alice call "sip:bob@$DOMAIN:$bob_TLS;transport=tls;maddr=127.0.0.1" >/dev/null || fail "dial 4"
A4=$(last_call alice)
itest_wait_for 20 vuc_prompted alice || fail "no VUC prompt at alice"
itest_wait_for 20 vuc_prompted bob || fail "no VUC prompt at bob"
code=$(ctl bob --json vuc list | python3 -c '
import json, sys
print("".join(v["code"] for v in json.load(sys.stdin)))')
[ -n "$code" ] || fail "expected the code at bob (the callee validates first)"
itest_wait_for 10 sh -c "python3 '$S/tests/integration/notify-log.py' '$T/busmon-alice.log' last '^bob will read you a code' | grep -qF 'Enter it with: svopictl vuc enter sip:bob@$DOMAIN CODE'" ||
	fail "no svopictl command in the prompt: $(note_events alice | tail -3)"
check "command path: no action offered" \
	[ "$(note_field alice "read you a code" actions)" = '[]' ]
req_id=$(note_field alice "read you a code" id)
ctl alice vuc enter sip:bob@$DOMAIN "$code" >/dev/null || fail "vuc enter"
itest_wait_for 10 sh -c "python3 '$S/tests/integration/notify-log.py' '$T/busmon-alice.log' | grep -q '\"ev\": \"close\", \"id\": $req_id}'" ||
	fail "the prompt did not close after the code was entered: $(note_events alice | tail -3)"
itest_wait_for 30 call_state_is alice "$A4" ringing || fail "call 4 does not ring"
ctl alice hangup "$A4" >/dev/null
note "ok: command fallback; the prompt closed once the code was entered"
notify_stop alice
svopid_stop alice
svopid_stop bob
exit 0
