#!/bin/sh
# svopi-trustd's HTML pages in headless Chromium (Debian's chromium, driven
# by playwright-core from npm): register, log in, see the fingerprint,
# redeem a VUC, revoke; plus CSRF checks with curl. Leaves a screenshot in
# tests/integration/trustd-web.png in the build folder.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/trustd-lib.sh"
itest_init trustd-web
command -v node >/dev/null || fail "no node"
command -v npm >/dev/null || fail "no npm"
[ -x /usr/bin/chromium ] || fail "no /usr/bin/chromium"
trustd_start

# playwright-core, pinned by package-lock.json, installed privately.
mkdir -p "$T/web"
cp "$S/tests/integration/web/package.json" \
	"$S/tests/integration/web/package-lock.json" \
	"$S/tests/integration/web/trustd-web.mjs" "$T/web/"
(cd "$T/web" && npm ci --prefer-offline --no-audit --no-fund \
	>"$T/npm.log" 2>&1) || { cat "$T/npm.log" >&2; fail "npm ci"; }

enroll alice
enroll bob
bob_fp=$(fp_text "$(jget fingerprint)")
validate alice bob
expect_field role issuer "alice gets a code for bob"
vuc=$(jget vuc)

# CSRF: a form post without the token is refused and changes nothing.
HTTP=$(curl -sS --cacert "$T/ca.crt" -o "$T/out.html" -w '%{http_code}' \
	-d 'login=bob%40example.org&password=pw-bob' "$TD_URL/login")
[ "$HTTP" = 403 ] || fail "login without a CSRF token: HTTP $HTTP"
note "ok: login without a CSRF token is refused"
curl -sS --cacert "$T/ca.crt" -c "$T/jar" -o "$T/login.html" "$TD_URL/login"
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/login.html" | head -n1)
[ -n "$csrf" ] || fail "no CSRF token on the login page"
HTTP=$(curl -sS --cacert "$T/ca.crt" -b "$T/jar" -c "$T/jar" -o /dev/null \
	-w '%{http_code}' --data-urlencode csrf="$csrf" \
	--data-urlencode login=bob@example.org --data-urlencode password=pw-bob \
	"$TD_URL/login")
[ "$HTTP" = 303 ] || fail "login with the CSRF token: HTTP $HTTP"
HTTP=$(curl -sS --cacert "$T/ca.crt" -b "$T/jar" -o /dev/null \
	-w '%{http_code}' --data-urlencode peer=alice@example.org \
	--data-urlencode vuc="$vuc" "$TD_URL/account/redeem")
[ "$HTTP" = 403 ] || fail "redeem without a CSRF token: HTTP $HTTP"
api /api/v1/status login=bob@example.org password=pw-bob peer=alice@example.org
expect_field relationship pending "the token-less redeem changed nothing"
HTTP=$(curl -sS --cacert "$T/ca.crt" -o /dev/null -w '%{http_code}' \
	"$TD_URL/account")
[ "$HTTP" = 303 ] || fail "account page without a session: HTTP $HTTP"

spki=$(openssl x509 -in "$T/server.crt" -pubkey -noout |
	openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | base64)
shot=$B/tests/integration/trustd-web.png
mkdir -p "$B/tests/integration"
rm -f "$shot"
(cd "$T/web" && HOME="$T" TD_URL="$TD_URL" TD_SPKI="$spki" BOB_FP="$bob_fp" \
	VUC="$vuc" SCREENSHOT="$shot" node trustd-web.mjs) >&2 ||
	fail "browser test"
[ -s "$shot" ] || fail "no screenshot"

# What the browser did is in the store.
api /api/v1/status login=alice@example.org password=pw-alice \
	peer=bob@example.org
expect_field relationship none "revoked in the browser: no relationship"
"$TD_ADM" -c "$TD_CONF" list | grep -q "^dora@example.org" ||
	fail "dora registered in the browser"
trustd_stop
