#!/bin/sh
# A stolen key does not stay trusted (issue 9). A cached relationship is
# asked again at the trust server on every call:
#  1. with the trust server down, a cached call still works and says so
#     (Verification "cache; trust server unreachable" on both sides);
#  2. alice re-enrols with a new key (her laptop was stolen); a thief with a
#     copy of her old state (old key, old trust store) calls bob directly:
#     bob's store still holds the old key as fresh, but the call never
#     rings as verified: 403, a SecurityAlert at bob, the store says
#     mismatch; and the thief, answered by nobody, gets no media.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
itest_init calls-stolen-key
command -v curl >/dev/null || skip "no curl"
calls_pair_conf
calls_pair_start
calls_first_contact alice bob "$BOB_URI"
note "ok: first contact done"

# 1. A cached call with the trust server down: the cache rules, said so.
kill -TERM "$TD_PID"
wait "$TD_PID" 2>/dev/null
ctl alice --json call "$BOB_URI" --wait --timeout 10 >"$T/cached.json"
check "cached call without the trust server: answered, secure" [ $? -eq 0 ]
check "alice: verified from cache; trust server unreachable" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
sys.exit(0 if c["verification"] == "cache; trust server unreachable" else 1)' "$T/cached.json"
bid=$(last_call bob)
check "bob: verified from cache; trust server unreachable" \
	[ "$(call_field bob "$bid" verification)" = "cache; trust server unreachable" ]
check "svopictl calls says so" sh -c "DBUS_SESSION_BUS_ADDRESS=$bob_BUS $B/cli/svopictl calls | grep -q 'verified from cache; trust server unreachable'"
check "svopictl status says why the trust server is unreachable" sh -c \
	"DBUS_SESSION_BUS_ADDRESS=$bob_BUS $B/cli/svopictl status | grep -q 'the trust server is unreachable: .'"
trustd_run

# A cached call with the trust server up: asked again, "trust server".
ctl alice --json call "$BOB_URI" --wait --timeout 10 >"$T/reval.json" ||
	fail "cached call: $(cat "$T/reval.json")"
bid=$(last_call bob)
check "bob asked the trust server again" \
	[ "$(call_field bob "$bid" verification)" = "trust server" ]

# 2. The thief keeps a copy of alice's old state and config.
svopid_stop alice
cp -a "$T/alice-state" "$T/thief-state"
awk '/^\[/ { sec = $0 } !(sec == "[account]" && /^(proxy|auth_user|password_file) =/)' \
	"$T/alice.conf" | sed "s#$T/alice-state#$T/thief-state#" >"$T/thief.conf"
# The thief listens elsewhere (fresh ports).
svopid_port; tp1=$SVOPID_PORT; svopid_port; tp2=$SVOPID_PORT; svopid_port; tp3=$SVOPID_PORT
sed -i "s#^listen = .*#listen = tls:127.0.0.1:$tp1 tcp:127.0.0.1:$tp2 udp:127.0.0.1:$tp3#" "$T/thief.conf"
# alice re-keys: a new identity, enrolled.
rm -f "$T/alice-state/identity.key" "$T/alice-state/identity.crt"
svopid_start alice
itest_wait_for 20 is_registered alice || fail "alice not registered again"
check "status: the new key is not enrolled, and says how to fix it" sh -c \
	"DBUS_SESSION_BUS_ADDRESS=$alice_BUS $B/cli/svopictl status | grep -q 'svopictl enroll'"
ctl alice enroll >/dev/null || fail "alice re-enroll"
check "status: enrolled now, nothing to fix" sh -c \
	"! DBUS_SESSION_BUS_ADDRESS=$alice_BUS $B/cli/svopictl status | grep -q 'svopictl enroll'"
note "ok: alice re-enrolled with a new key"

itest_dbus thief
thief_BUS=$ITEST_BUS
DBUS_SESSION_BUS_ADDRESS=$thief_BUS itest_bg svopid-thief "$B/daemon/svopid" --config "$T/thief.conf"
thief_PID=$ITEST_LAST_PID
itest_wait_for 30 ctl thief status || fail "thief's svopid did not come up"
itest_bg mon-bob ctl bob monitor
sleep 0.3
ctl thief --json call "sip:bob@$DOMAIN:$bob_TLS;transport=tls;maddr=127.0.0.1" --wait \
	--timeout 10 >"$T/thief.json"
rc=$?
cat "$T/thief.json" >&2
check "the thief's call is refused (exit $rc)" [ "$rc" -ne 0 ]
check "the thief got no media" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
sys.exit(0 if c["packets"]["received"] == 0 and c["state"] == "ended" else 1)' "$T/thief.json"
sleep 0.5
check "bob: SecurityAlert about alice" grep -q "^signal SecurityAlert sip:alice@$DOMAIN .*no longer confirms" "$T/mon-bob.log"
check "bob: never rang, never active" \
	sh -c "! grep -qE '^signal CallStateChanged .* (ringing|active)' '$T/mon-bob.log'"
check "bob's store: alice's old key is a mismatch now" \
	sh -c "DBUS_SESSION_BUS_ADDRESS=$bob_BUS $B/cli/svopictl trust list | grep -q 'sip:alice@$DOMAIN mismatch'"
kill -TERM "$thief_PID"
svopid_stop alice
svopid_stop bob
exit 0
