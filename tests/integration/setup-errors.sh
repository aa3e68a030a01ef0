#!/bin/sh
# svopictl setup names the part that fails, with what to do: a wrong SIP
# password (REGISTER), a CA that did not sign the proxy's certificate and
# an unreachable proxy (TLS to the proxy), a wrong trust-server password
# (trust-server login), a bad value (configuration). Real Kamailio and
# svopi-trustd.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
. "$S/tests/integration/setup-common.sh"
itest_init setup-errors
setup_world

# A second CA that signed nothing here.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/other.key" -out "$T/other.crt" -days 2 \
	-subj "/CN=some other CA" >/dev/null 2>&1 || fail "other CA"
dead=$(itest_port)

setup_home sippw
# shellcheck disable=SC2046
run_setup sippw $(setup_args) --sip-password-file "$T/wrong.pw" \
	--trust-password-file "$T/right.pw"
[ "$SETUP_RC" -eq 1 ] || fail "wrong SIP password: exit $SETUP_RC"
expect_part sippw ok "TLS to the proxy"
expect_part sippw FAILED "REGISTER at the proxy"
grep -q 'What to do: check the SIP password' "$T/setup-sippw.out" ||
	fail "no advice on the SIP password"
# The daemon with that config: status names the problem and the fix.
itest_dbus alice
alice_BUS=$ITEST_BUS
DBUS_SESSION_BUS_ADDRESS=$ITEST_BUS itest_bg svopid-alice "$B/daemon/svopid"
alice_PID=$ITEST_LAST_PID
itest_wait_for 30 is_failed alice || fail "registration did not fail"
ctl alice status >"$T/status-sippw.out"
grep -q '^Problem: *not registered at the proxy: 401' "$T/status-sippw.out" &&
	grep -q 'To fix: *svopictl setup --sip-password-file' "$T/status-sippw.out" ||
	fail "status: $(cat "$T/status-sippw.out")"
note "ok: status names the registration problem and its fix"
svopid_stop alice

setup_home ca
run_setup ca --uri sip:alice@$DOMAIN --proxy "$PROXY" \
	--trust-server "$TD_URL" --ca-file "$T/other.crt" \
	--sip-password-file "$T/right.pw" --trust-password-file "$T/right.pw"
[ "$SETUP_RC" -eq 1 ] || fail "wrong CA: exit $SETUP_RC"
expect_part ca FAILED "TLS to the proxy"
grep -q 'not trusted' "$T/setup-ca.out" || fail "wrong CA: no 'not trusted'"
grep -q 'What to do: give the CA certificate' "$T/setup-ca.out" ||
	fail "wrong CA: no advice"

setup_home down
run_setup down --uri sip:alice@$DOMAIN \
	--proxy "sip:127.0.0.1:$dead;transport=tls" --trust-server "$TD_URL" \
	--ca-file "$T/ca.crt" --sip-password-file "$T/right.pw" \
	--trust-password-file "$T/right.pw"
[ "$SETUP_RC" -eq 1 ] || fail "unreachable proxy: exit $SETUP_RC"
expect_part down FAILED "TLS to the proxy"
grep -q 'connection refused' "$T/setup-down.out" ||
	fail "unreachable proxy: no 'connection refused'"

setup_home trustpw
# shellcheck disable=SC2046
run_setup trustpw $(setup_args) --sip-password-file "$T/right.pw" \
	--trust-password-file "$T/wrong.pw"
[ "$SETUP_RC" -eq 1 ] || fail "wrong trust password: exit $SETUP_RC"
expect_part trustpw ok "REGISTER at the proxy"
expect_part trustpw FAILED "trust-server login"
grep -q 'wrong login or password' "$T/setup-trustpw.out" ||
	fail "wrong trust password: no reason"

setup_home bad
run_setup bad --uri sip:alice@$DOMAIN --listen "nonsense" --no-check
[ "$SETUP_RC" -eq 1 ] || fail "bad listen: exit $SETUP_RC"
expect_part bad FAILED configuration
grep -q 'svopid.conf:[0-9]*: .*listen' "$T/setup-bad.out" ||
	fail "bad value: no file:line"
[ -e "$XDG_CONFIG_HOME/svopi/svopid.conf" ] &&
	fail "a config svopid refuses was written"
note "ok: a refused config is not written"

"$B/cli/svopictl" setup --non-interactive --bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown option is not a usage error"

setup_home nopw
run_setup nopw --uri sip:alice@$DOMAIN --trust-server "$TD_URL" --no-check
[ "$SETUP_RC" -eq 2 ] || fail "trust server without password: exit $SETUP_RC"
grep -q -- '--trust-password-file' "$T/setup-nopw.out" ||
	fail "no hint at --trust-password-file"
note "ok: a trust server without a password is a usage error"

# status without a daemon: not configured, then configured but stopped.
setup_home none
"$B/cli/svopictl" status >"$T/status-none.out" 2>&1
[ $? -eq 1 ] || fail "status without svopid: exit status"
grep -q 'not configured' "$T/status-none.out" &&
	grep -q 'To fix: *svopictl setup' "$T/status-none.out" ||
	fail "status does not say 'not configured': $(cat "$T/status-none.out")"
part=$("$B/cli/svopictl" --json status 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin)["problems"][0]["part"])')
[ "$part" = configuration ] || fail "JSON status problem part: $part"
run_setup stopped --uri sip:alice@$DOMAIN --no-check
"$B/cli/svopictl" status >"$T/status-stopped.out" 2>&1
grep -q 'svopid is not running' "$T/status-stopped.out" &&
	grep -q 'systemctl --user start svopid' "$T/status-stopped.out" ||
	fail "status does not say 'not running': $(cat "$T/status-stopped.out")"
note "ok: status names 'not configured' and 'not running' with their fixes"
