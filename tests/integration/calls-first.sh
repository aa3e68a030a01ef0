#!/bin/sh
# First contact (SPEC §4): Alice calls Bob through Kamailio (TLS). The
# pre-call OPTIONS carries her I_MESSAGE, both daemons validate at
# svopi-trustd, a VUC is issued to one side and requested from the other,
# the code is entered with `svopictl vuc enter`, the call goes on by
# itself, rings, is answered by auto_answer, and SRTP flows both ways.
# Then a second call works from the trust stores with trustd stopped.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
itest_init calls-first
command -v curl >/dev/null || skip "no curl"
itest_ca
itest_kamailio alice:pw-alice bob:pw-bob
PROXY="sip:127.0.0.1:$KAM_TLS_PORT;transport=tls"
calls_trustd

calls_conf alice "$PROXY"
CALLS_AUTO_ANSWER=yes calls_conf bob "$PROXY"
svopid_start alice
svopid_start bob
itest_wait_for 20 is_registered alice || fail "alice not registered"
itest_wait_for 20 is_registered bob || fail "bob not registered"

ctl alice --json enroll >"$T/enroll-a.json" || fail "alice enroll"
ctl bob enroll >"$T/enroll-b.txt" || fail "bob enroll"
fpr=$(openssl x509 -in "$T/alice-state/identity.crt" -noout -fingerprint \
	-sha256 | sed 's/^.*=//')
check "enroll returns alice's fingerprint" \
	[ "$(json_field fingerprint <"$T/enroll-a.json")" = "$fpr" ]
itest_wait_for 5 status_has alice "Trust server: reachable" ||
	fail "TrustServer not reachable: $(ctl alice status)"
note "ok: both enrolled, TrustServer reachable"

# Monitors see the VUC signals and the call states.
itest_bg mon-alice ctl alice --json monitor
itest_bg mon-bob ctl bob monitor
sleep 0.5

ctl alice call "sip:bob@$DOMAIN" >"$T/call1.txt" || fail "dial: $(cat "$T/call1.txt")"
A1=$(last_call alice)
itest_wait_for 20 call_state_is alice "$A1" awaiting-trust ||
	fail "alice's call not awaiting trust: $(ctl alice calls)"
note "ok: alice's call waits for trust"
check "bob has no ringing call yet" sh -c "! DBUS_SESSION_BUS_ADDRESS=$bob_BUS $B/cli/svopictl calls | grep -q ringing"

# One side got the code, the other is asked for it.
vuc_prompted() { ctl "$1" vuc list | grep -q .; }
itest_wait_for 10 vuc_prompted alice || fail "no VUC prompt at alice"
itest_wait_for 10 vuc_prompted bob || fail "no VUC prompt at bob"
ctl alice --json vuc list >"$T/vuc-a.json"
ctl bob --json vuc list >"$T/vuc-b.json"
cat "$T/vuc-a.json" "$T/vuc-b.json" >&2
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
check "the redeemer is asked for the code" \
	grep -q '"role":"requested"' "$T/vuc-$(echo $redeemer | cut -c1).json"
itest_wait_for 5 grep -q VucIssued "$T/mon-$issuer.log" ||
	fail "monitor of $issuer shows no VucIssued"
itest_wait_for 5 grep -q VucRequested "$T/mon-$redeemer.log" ||
	fail "monitor of $redeemer shows no VucRequested"
note "ok: VUC issued to $issuer, requested from $redeemer"

ctl "$redeemer" vuc enter "sip:$issuer@$DOMAIN" 0000-0000 >"$T/wrong.txt" &&
	fail "a wrong code was accepted"
check "wrong code reported" grep -q wrong-code "$T/wrong.txt"
ctl "$redeemer" vuc enter "sip:$issuer@$DOMAIN" "$code" >"$T/redeem.txt" ||
	fail "redeem: $(cat "$T/redeem.txt")"
note "ok: code entered"

itest_wait_for 30 call_state_is alice "$A1" active ||
	fail "call not active: alice $(ctl alice calls) bob $(ctl bob calls)"
B1=$(last_call bob)
itest_wait_for 5 call_state_is bob "$B1" active || fail "bob's call not active"
note "ok: the call went on by itself, rang and was answered"
sleep 2
for n in alice bob; do
	id=$(last_call $n)
	ctl $n --json calls >"$T/calls-$n.json"
	check "$n: secure" [ "$(call_field $n "$id" secure)" = true ]
	check "$n: peer verified" [ "$(call_field $n "$id" peer_verified)" = true ]
	check "$n: cipher" [ "$(call_field $n "$id" cipher)" = AES_CM_128_HMAC_SHA1_80 ]
	rx=$(call_field $n "$id" packets.received)
	rej=$(call_field $n "$id" packets.rejected)
	check "$n: received authenticated SRTP ($rx)" [ "$rx" -gt 20 ]
	check "$n: rejected none" [ "$rej" -eq 0 ]
done
check "bob rang only after trust" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))[-1]
t = c["timings"]
sys.exit(0 if t["trust_done"] <= t["ringing"] <= t["answered"] <= t["media_ready"] else 1)' "$T/calls-bob.json"
grep -q '"awaiting-trust"' "$T/mon-alice.log" || fail "monitor lacks awaiting-trust"
# Via ;alias (RFC 5923, Kamailio's tcp_accept_aliases): the proxy reached
# both over their own registration connections; nothing connected to
# their TLS listeners (a handshake on the first call's critical path).
for n in alice bob; do
	eval "_p=\$${n}_TLS"
	check "$n: no connection to its TLS listener :$_p" \
		[ -z "$(ss -Htn state established "( sport = :$_p )")" ]
done
# Bash completion offers the call ids for hangup.
comp=$(DBUS_SESSION_BUS_ADDRESS=$alice_BUS bash -c '. "$1"; COMP_WORDS=("$2" hangup ""); COMP_CWORD=2; _svopictl; echo "${COMPREPLY[*]}"' _ \
	"$S/cli/completion/svopictl" "$B/cli/svopictl")
check "completion: call ids for hangup ($comp)" [ "$comp" = "$A1" ]

# The Call1 XML is the contract of the live call object.
busctl --address="$alice_BUS" introspect --xml-interface org.svopi.Daemon1 \
	"/org/svopi/Call/$A1" >"$T/call-live.xml" || fail "introspect call"
python3 "$S/tests/integration/dbus-xml-match.py" org.svopi.Call1 \
	"$S/dbus/org.svopi.Call1.xml" "$T/call-live.xml" >&2 || fail "Call1 XML and the live object differ"
note "ok: dbus/org.svopi.Call1.xml matches the live call object"
ctl alice hangup "$A1" || fail "hangup"
itest_wait_for 5 call_state_is bob "$B1" ended || fail "bob did not see the BYE"
check "bob: remote hangup" [ "$(call_field bob "$B1" end_reason)" = "remote hangup" ]
ctl alice trust list >"$T/trust-a.txt"
check "alice trusts bob" grep -q "sip:bob@$DOMAIN trusted" "$T/trust-a.txt"
python3 - "$T/calls-alice.json" "$T/calls-bob.json" >>"$T/numbers.txt" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))[-1]["timings"]
b = json.load(open(sys.argv[2]))[-1]["timings"]
print("first-call alice answered->media_ready ms", a["media_ready"] - a["answered"])
print("first-call bob answered->media_ready ms", b["media_ready"] - b["answered"])
PY
note "ok: first call secure both ways, hung up"

# Second call: from the trust stores alone. trustd is stopped; nothing
# waits for it before ringing.
trustd_stop
ctl alice --json call "sip:bob@$DOMAIN" --wait --timeout 3 >"$T/call2.json"
rc=$?
cat "$T/call2.json" >&2
check "second call: answered, secure, verified (exit 0)" [ "$rc" -eq 0 ]
python3 - "$T/call2.json" >>"$T/numbers.txt" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
t = c["timings"]
print("second-call dial->ringing ms", t["ringing"])
print("second-call dial->answered ms", t["answered"])
print("second-call answered->media_ready ms", t["media_ready"] - t["answered"])
PY
check "second call got packets" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
sys.exit(0 if c["packets"]["received"] > 0 and c["packets"]["rejected"] == 0 else 1)' "$T/call2.json"
n=$(grep -c "OPTIONS sip:alice@$DOMAIN -> sip:bob@" "$T/kamailio.log")
check "second call: INVITE without pre-call OPTIONS (OPTIONS seen: $n)" [ "$n" -eq 1 ]
cat "$T/numbers.txt" >&2
note "ok: second call without the trust server"

# With trustd down an enrolment fails (exit 1) and TrustServer says so.
ctl alice enroll >/dev/null 2>"$T/enroll-down.err"
check "enroll without trustd: exit 1" [ $? -eq 1 ]
itest_wait_for 5 status_has alice "Trust server: unreachable" ||
	fail "TrustServer not unreachable: $(ctl alice status)"
note "ok: TrustServer unreachable"

# A daemon that stops ends its calls: bob sees the BYE.
ctl alice call "sip:bob@$DOMAIN" >/dev/null || fail "third call"
B3=""
bob_active() { B3=$(last_call bob); call_state_is bob "$B3" active; }
itest_wait_for 10 bob_active || fail "third call not active at bob"
svopid_stop alice
itest_wait_for 5 call_state_is bob "$B3" ended || fail "bob's call survived alice's stop"
check "stop: bob saw remote hangup" [ "$(call_field bob "$B3" end_reason)" = "remote hangup" ]
svopid_stop bob
exit 0
