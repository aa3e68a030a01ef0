#!/bin/sh
# Two svopid instances register at Kamailio over TLS with digest
# authentication, refresh, ping each other through the proxy with OPTIONS,
# and unregister (REGISTER Expires: 0) when stopped with SIGTERM.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
itest_init svopid-register
command -v kamcmd >/dev/null || skip "no kamcmd"
itest_ca
itest_kamailio alice:pw-alice bob:pw-bob gina:pw-gina hank:pw-hank
KAMCMD="kamcmd -s unix:$KAM_DIR/kamailio_ctl"
PROXY="sip:127.0.0.1:$KAM_TLS_PORT;transport=tls"

# Short expiry so that a refresh happens during the test (Kamailio grants
# at least its min_expires, 60 s by default: refresh comes at half).
SVOPID_EXPIRES=20
svopid_conf alice "$PROXY"
svopid_conf bob "$PROXY"
svopid_start alice
svopid_start bob

itest_wait_for 20 is_registered alice || fail "alice not registered: $(ctl alice status)"
itest_wait_for 20 is_registered bob || fail "bob not registered: $(ctl bob status)"
note "ok: both registered over TLS with digest auth"

# The status object carries what SPEC §6 asks for.
ctl alice --json status >"$T/status.json"
for f in identity fingerprint registration trust_server; do
	json_field "$f" <"$T/status.json" >/dev/null || fail "status lacks $f"
done
check "identity is the AOR" \
	[ "$(json_field identity <"$T/status.json")" = "sip:alice@$DOMAIN" ]
fpr=$(openssl x509 -in "$T/alice-state/identity.crt" -noout -fingerprint \
	-sha256 | sed 's/^.*=//')
check "fingerprint matches the certificate" \
	[ "$(json_field fingerprint <"$T/status.json")" = "$fpr" ]
check "key is private" [ "$(stat -c %a "$T/alice-state/identity.key")" = 600 ]

# The registrar holds both bindings.
$KAMCMD ul.dump >"$T/ul1.txt" 2>&1 || fail "kamcmd ul.dump"
check "kamailio has alice" grep -q "sip:alice@127.0.0.1:$alice_TLS" "$T/ul1.txt"
check "kamailio has bob" grep -q "sip:bob@127.0.0.1:$bob_TLS" "$T/ul1.txt"

# OPTIONS from alice to bob through the proxy.
ctl alice ping "sip:bob@$DOMAIN" >"$T/ping.txt" ||
	fail "ping bob: $(cat "$T/ping.txt")"
check "ping answered 200" grep -q '^200 ' "$T/ping.txt"
check "the proxy relayed the OPTIONS" \
	grep -q "OPTIONS sip:alice@$DOMAIN -> sip:bob@127.0.0.1:$bob_TLS" \
	"$T/kamailio.log"
ctl alice --json ping "sip:nobody@$DOMAIN" >"$T/ping2.txt"
check "unknown user: 404 from the proxy" \
	[ "$(json_field status <"$T/ping2.txt")" = 404 ]

# Clear-text transports work too when the proxy URI asks for them: gina
# registers over UDP (rport), hank over TCP; alice reaches both.
svopid_conf gina "sip:127.0.0.1:$KAM_PORT;transport=udp"
svopid_conf hank "sip:127.0.0.1:$KAM_PORT;transport=tcp"
svopid_start gina
svopid_start hank
itest_wait_for 20 is_registered gina || fail "gina (UDP) not registered: $(ctl gina status)"
itest_wait_for 20 is_registered hank || fail "hank (TCP) not registered: $(ctl hank status)"
$KAMCMD ul.dump >"$T/ul-clear.txt" 2>&1 || fail "kamcmd ul.dump"
check "gina's binding is UDP" grep -q "sip:gina@127.0.0.1:$gina_UDP" "$T/ul-clear.txt"
check "hank's binding is TCP" grep -q "sip:hank@127.0.0.1:$hank_TCP;transport=tcp" "$T/ul-clear.txt"
check "alice pings gina (UDP)" ctl alice ping "sip:gina@$DOMAIN"
check "alice pings hank (TCP)" ctl alice ping "sip:hank@$DOMAIN"
check "gina pings alice (UDP to the proxy)" ctl gina ping "sip:alice@$DOMAIN"
svopid_stop gina
svopid_stop hank

# An INVITE without MIKEY through the proxy to bob: 488 with a Warning
# comes back through Kamailio.
if command -v sipp >/dev/null; then
	svopid_port
	sp=$SVOPID_PORT
	sipp -nostdin -sf "$S/tests/data/sipp/invite-no-mikey.xml" -m 1 \
		-i 127.0.0.1 -p "$sp" -s bob -timeout 20s -timeout_error \
		"127.0.0.1:$KAM_PORT" >"$T/sipp-proxy.log" 2>&1 </dev/null ||
		fail "INVITE through the proxy did not get 488"
	check "bob refused the INVITE" grep -q "refusing INVITE" "$T/svopid-bob.log"
fi

# Failures are reported, not hidden: a wrong password, and a proxy whose
# certificate does not chain to the configured CA.
svopid_conf dave "$PROXY"
svopid_start dave
itest_wait_for 20 is_failed dave ||
	fail "dave (unknown user) not failed: $(ctl dave status)"
check "dave failed with 401" status_has dave "failed (401"
svopid_stop dave
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/other-ca.key" -out "$T/other-ca.crt" -days 2 \
	-subj "/CN=another CA" >/dev/null 2>&1 || fail "make other CA"
svopid_conf erin "$PROXY"
sed -i "s|^ca_file = .*|ca_file = $T/other-ca.crt|" "$T/erin.conf"
svopid_start erin
itest_wait_for 20 is_failed erin ||
	fail "erin registered through an unverified proxy: $(ctl erin status)"
check "erin's log names the certificate problem" grep -q "certificate verify failed" "$T/svopid-erin.log"
check "erin's status names it too" status_has erin "TLS: certificate verify failed"
svopid_stop erin

# A monitor sees registration changes.
DBUS_SESSION_BUS_ADDRESS=$bob_BUS itest_bg monitor-bob \
	"$B/cli/svopictl" --json monitor
DBUS_SESSION_BUS_ADDRESS=$alice_BUS itest_bg monitor-alice \
	"$B/cli/svopictl" monitor
sleep 0.5

# Refresh: a second successful REGISTER within the granted time.
itest_wait_for 45 sh -c "[ \$(grep -c 'registered at' '$T/svopid-alice.log') -ge 2 ]" ||
	fail "no refresh"
note "ok: registration refreshed"
check "still registered after refresh" is_registered alice
check "CRLF keep-alive answered by the proxy" \
	grep -q "keep-alive answered by tls:127.0.0.1:$KAM_TLS_PORT" "$T/svopid-alice.log"

# The proxy restarts (losing its in-memory bindings): both daemons notice
# the closed connection and register again on their own.
kill -TERM "$(cat "$KAM_DIR/kamailio.pid")"
itest_wait_for 10 sh -c "! ss -Hltn 'sport = :$KAM_TLS_PORT' | grep -q ." ||
	fail "kamailio did not stop"
itest_wait_for 10 not_registered alice || fail "alice did not notice"
itest_bg kamailio-restarted kamailio -f "$KAM_DIR/kamailio.cfg" -DD -E \
	-m 64 -M 8 -P "$KAM_DIR/kamailio.pid"
itest_wait_port "$KAM_TLS_PORT" 15
itest_wait_for 25 is_registered alice || fail "alice did not come back: $(ctl alice status)"
itest_wait_for 25 is_registered bob || fail "bob did not come back: $(ctl bob status)"
note "ok: both registered again after the proxy restart"
check "ping through the restarted proxy" \
	ctl alice ping "sip:bob@$DOMAIN"

# SIGTERM: un-REGISTER before exit.
svopid_stop bob
check "bob sent Expires: 0" grep -q "unregistered" "$T/svopid-bob.log"
$KAMCMD ul.dump >"$T/ul2.txt" 2>&1 || fail "kamcmd ul.dump"
check "kamailio dropped bob" sh -c "! grep -q 'sip:bob@' '$T/ul2.txt'"
check "kamailio kept alice" grep -q "sip:alice@" "$T/ul2.txt"
check "monitor saw the change" grep -q '"unregistered"' "$T/monitor-bob.log"
svopid_stop alice
check "alice unregistered too" grep -q "unregistered" "$T/svopid-alice.log"
check "text monitor: property line" \
	grep -q "^property Registration unregistered$" "$T/monitor-alice.log"
check "text monitor: signal line" \
	grep -q "^signal RegistrationChanged unregistered$" "$T/monitor-alice.log"
exit 0
