#!/bin/sh
# Provisioning from the trust server: with [provisioning] in trustd.conf
# the account page shows "Set up svopi on this computer" with the exact
# svopictl setup command (URI, proxy, server, CA fingerprint). That line,
# run as it stands plus the two passwords, sets up a working account: the
# CA comes from the server's chain, checked against the fingerprint.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
. "$S/tests/integration/setup-common.sh"
command -v curl >/dev/null || skip "no curl"
itest_init setup-provision
command -v dbus-daemon >/dev/null || skip "no dbus-daemon"
itest_ca
itest_kamailio alice:pw-alice
PROXY="sip:127.0.0.1:$KAM_TLS_PORT;transport=tls"
itest_cert server
# The chain the server sends ends with the CA, so that setup can pin it.
cat "$T/ca.crt" >>"$T/server.crt"
trustd_config "[provisioning]
proxy = $PROXY
server = https://127.0.0.1:PORT
ca_file = $T/ca.crt"
sed -i "s|https://127.0.0.1:PORT|$TD_URL|" "$TD_CONF"
printf 'pw-alice\n' | "$TD_ADM" -c "$TD_CONF" useradd alice@$DOMAIN ||
	fail "useradd"
trustd_run
printf 'pw-alice\n' >"$T/right.pw"
SVOPICTL_SVOPID=$B/daemon/svopid
export SVOPICTL_SVOPID

curl -sS --cacert "$T/ca.crt" -c "$T/jar" -o "$T/login.html" "$TD_URL/login"
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/login.html" | head -n1)
curl -sS --cacert "$T/ca.crt" -b "$T/jar" -c "$T/jar" -o /dev/null \
	--data-urlencode csrf="$csrf" --data-urlencode login=alice@$DOMAIN \
	--data-urlencode password=pw-alice "$TD_URL/login" || fail "login"
curl -sS --cacert "$T/ca.crt" -b "$T/jar" -o "$T/account.html" \
	"$TD_URL/account" || fail "account page"
grep -q 'Set up svopi on this computer' "$T/account.html" ||
	fail "no setup section: $(cat "$T/account.html")"
cmd=$(python3 -c '
import html, re, sys
m = re.search(r"<code id=\"setup-command\">(.*?)</code>", open(sys.argv[1]).read())
print(html.unescape(m.group(1)) if m else "")' "$T/account.html")
note "command: $cmd"
fp=$(openssl x509 -in "$T/ca.crt" -noout -fingerprint -sha256 | sed 's/.*=//')
case $cmd in
"svopictl setup --uri 'sip:alice@$DOMAIN' --proxy '$PROXY' --trust-server '$TD_URL' --ca-fingerprint $fp") ;;
*) fail "unexpected command: $cmd" ;;
esac
note "ok: the account page shows the exact setup command"

setup_home prov
eval "\"\$B/cli/svopictl\" ${cmd#svopictl }" --non-interactive \
	--sip-password-file "$T/right.pw" --trust-password-file "$T/right.pw" \
	>"$T/setup-prov.out" 2>&1 || fail "setup from the page: $(cat "$T/setup-prov.out")"
sed 's/^/# setup: /' "$T/setup-prov.out" >&2
for part in "TLS to the proxy" "TLS to the trust server" \
    "REGISTER at the proxy" enrolment; do
	expect_part prov ok "$part"
done
cmp -s "$XDG_CONFIG_HOME/svopi/ca.pem" "$T/ca.crt" ||
	openssl x509 -in "$XDG_CONFIG_HOME/svopi/ca.pem" -noout -fingerprint -sha256 |
	grep -q "$fp" || fail "pinned CA is not the server's CA"
note "ok: the pinned CA is the one the page named"

# A fingerprint that is not in the chain is refused, naming the part.
setup_home wrongfp
run_setup wrongfp --uri sip:alice@$DOMAIN --trust-server "$TD_URL" \
	--ca-fingerprint "$(echo "$fp" | sed 's/^../00/')" --no-check
[ "$SETUP_RC" -ne 0 ] || fail "a wrong fingerprint was accepted"
expect_part wrongfp FAILED "TLS to the trust server"
