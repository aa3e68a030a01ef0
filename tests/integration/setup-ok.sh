#!/bin/sh
# svopictl setup, non-interactive, against a real Kamailio (TLS, digest)
# and svopi-trustd: it writes the config and 0600 password files in the
# XDG places, checks every part live, and the daemon started afterwards
# with that config (no --config) registers and is enrolled. A second run
# changes only what it is asked to; prompts work from a pipe.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
. "$S/tests/integration/setup-common.sh"
itest_init setup-ok
setup_world
setup_home ok

# shellcheck disable=SC2046
run_setup ok $(setup_args) --sip-password-file "$T/right.pw" \
	--trust-password-file - <"$T/right.pw"
[ "$SETUP_RC" -eq 0 ] || fail "setup exited $SETUP_RC"
for part in configuration "TLS to the proxy" "TLS to the trust server" \
    "REGISTER at the proxy" "trust-server login" enrolment; do
	expect_part ok ok "$part"
done
C=$XDG_CONFIG_HOME/svopi
check "config in the XDG place" test -f "$C/svopid.conf"
for f in sip-password trust-password; do
	[ "$(stat -c %a "$C/$f")" = 600 ] || fail "$f is not mode 0600"
done
note "ok: password files are 0600"
check "password file holds the password" grep -qx pw-alice "$C/sip-password"
ls "$XDG_RUNTIME_DIR" | grep -q svopictl-setup &&
	fail "setup left its temporary folder"

# The daemon with what setup wrote: registers, is enrolled, no problem.
itest_dbus alice
alice_BUS=$ITEST_BUS
DBUS_SESSION_BUS_ADDRESS=$ITEST_BUS itest_bg svopid-alice "$B/daemon/svopid"
alice_PID=$ITEST_LAST_PID
itest_wait_for 30 ctl alice status || fail "svopid did not come up"
itest_wait_for 30 is_registered alice || fail "not registered: $(ctl alice status)"
note "ok: svopid with setup's config registered"
fp=$(ctl alice --json status | json_field fingerprint)
"$TD_ADM" -c "$TD_CONF" list | grep -F "alice@$DOMAIN" | grep -qiF "$(echo "$fp" | tr -d :)" ||
"$TD_ADM" -c "$TD_CONF" list | grep -F "alice@$DOMAIN" | grep -qiF "$fp" ||
	fail "trust server does not hold alice's fingerprint $fp: $("$TD_ADM" -c "$TD_CONF" list)"
note "ok: the trust server holds the daemon's fingerprint (enrolled)"
ctl alice status | grep -q '^Problem:' && fail "status names a problem: $(ctl alice status)"
note "ok: status names no problem"

# A usage error is a plain message with exit 2, no object path.
ctl alice answer abc 2>"$T/answer.err"
rc=$?
[ "$rc" -eq 2 ] || fail "answer abc exited $rc"
grep -q '/org/svopi' "$T/answer.err" && fail "answer abc leaks a path: $(cat "$T/answer.err")"
grep -q 'not a call' "$T/answer.err" || fail "answer abc: $(cat "$T/answer.err")"
ctl alice hangup 42 2>"$T/hangup.err"
[ $? -eq 1 ] && grep -q 'no call 42' "$T/hangup.err" || fail "hangup 42: $(cat "$T/hangup.err")"
note "ok: answer abc is a usage error, hangup 42 says there is no such call"
svopid_stop alice

# Again, asking only for a new trust password: the rest stays, including
# what the user wrote by hand.
printf '# my own note\n[calls]\ntrust_wait = 30\n' >>"$C/svopid.conf"
cp "$C/svopid.conf" "$T/before.conf"
printf 'new-trust\n' >"$T/new.pw"
run_setup again --trust-password-file "$T/new.pw" --no-check
[ "$SETUP_RC" -eq 0 ] || fail "second setup exited $SETUP_RC"
cmp -s "$T/before.conf" "$C/svopid.conf" || fail "second run changed the config: $(diff "$T/before.conf" "$C/svopid.conf")"
grep -qx new-trust "$C/trust-password" || fail "trust password not replaced"
grep -qx pw-alice "$C/sip-password" || fail "SIP password changed"
note "ok: a second run changed only the trust password"

# Interactive, answers from a pipe: address, proxy, trust server, CA,
# SIP password, trust password.
setup_home asked
printf '%s\n' alice@$DOMAIN "127.0.0.1:$KAM_TLS_PORT" "$TD_URL" \
	"$T/ca.crt" pw-alice pw-alice |
	"$B/cli/svopictl" setup --interactive --no-check >"$T/setup-asked.out" 2>&1 ||
	fail "interactive setup: $(cat "$T/setup-asked.out")"
c=$XDG_CONFIG_HOME/svopi/svopid.conf
grep -qx "uri = sip:alice@$DOMAIN" "$c" || fail "asked uri: $(cat "$c")"
grep -qx "proxy = sip:127.0.0.1:$KAM_TLS_PORT;transport=tls" "$c" || fail "asked proxy: $(cat "$c")"
"$B/daemon/svopid" --check-config --config "$c" || fail "asked config does not load"
note "ok: interactive answers make a config svopid loads"
