#!/bin/sh
# The svopi demo on loopback, from a build folder (scripts/demo.sh builds it).
# It starts a real svopi-trustd over TLS with a throwaway CA, makes two
# users with RSA-3072 identities, enrolls them, runs the MIKEY DH-SIGN
# pre-call exchange between them with svopi-mikey, validates each side's
# certificate at the trust server, and unlocks the relationship with the
# voice unlock code, exactly as the daemons do. Everything it starts is
# stopped on exit.
#
#   sh scripts/demo-run.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "${1:-$top/build}" && pwd) || exit 1
top_srcdir=$top
export top_builddir top_srcdir
. "$top/tests/integration/lib.sh"
. "$top/tests/integration/trustd-lib.sh"
itest_init demo
M=$B/tools/svopi-mikey

say() {
	printf '\n== %s\n' "$*"
}

say "1. trust server: svopi-trustd over TLS on loopback"
trustd_start
echo "   listening at $TD_URL (users alice@example.org, bob@example.org)"

say "2. identities: RSA-3072 keys and self-signed certificates"
for u in alice bob; do
	openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 2 \
		-keyout "$T/$u-id.key" -out "$T/$u-id.crt" \
		-subj "/CN=$u@example.org" \
		-addext "subjectAltName=URI:sip:$u@example.org" \
		>/dev/null 2>&1 || fail "identity $u"
	chmod 600 "$T/$u-id.key"
	api /api/v1/enroll login="$u@example.org" password="pw-$u" \
		cert=@"$T/$u-id.crt"
	expect_http 200 "enroll $u"
	echo "   $u enrolled, fingerprint $(jget fingerprint)"
done

say "3. MIKEY DH-SIGN pre-call exchange (OAKLEY 5, RSA/SHA-256)"
"$M" init --key "$T/alice-id.key" --cert "$T/alice-id.crt" \
	--id sip:alice@example.org --peer sip:bob@example.org \
	--state "$T/alice.state" >"$T/i.b64" || fail "alice: init"
"$M" respond --key "$T/bob-id.key" --cert "$T/bob-id.crt" \
	--id sip:bob@example.org --peer sip:alice@example.org \
	<"$T/i.b64" >"$T/r.b64" 2>"$T/bob.keys" || fail "bob: respond"
"$M" finish --state "$T/alice.state" <"$T/r.b64" >"$T/alice.keys" ||
	fail "alice: finish"
echo "   I_MESSAGE $(base64 -d <"$T/i.b64" | wc -c) bytes, R_MESSAGE $(base64 -d <"$T/r.b64" | wc -c) bytes"
cmp -s "$T/alice.keys" "$T/bob.keys" || fail "the two sides derived different keys"
echo "   both sides derived the same SRTP master keys (not shown)"

say "4. validation at the trust server, first contact"
validate alice bob
echo "   alice validates bob: certificate $(jget certificate), relationship $(jget relationship), role $(jget role)"
code=$(jget vuc)
[ -n "$code" ] || fail "alice got no voice unlock code"
echo "   alice's screen: tell Bob the voice unlock code $code"
validate bob alice
echo "   bob validates alice: certificate $(jget certificate), relationship $(jget relationship), role $(jget role)"
echo "   bob's screen: enter the code Alice gives you"
api /api/v1/redeem login=bob@example.org password=pw-bob \
	peer=alice@example.org vuc="$code"
echo "   bob enters $code: $(jget result)"
validate alice bob
a=$(jget relationship)
validate bob alice
b=$(jget relationship)
echo "   relationship now: alice->bob $a, bob->alice $b"
[ "$a" = trusted ] && [ "$b" = trusted ] || fail "relationship not trusted"

say "result"
echo "   secure: yes (MIKEY DH-SIGN, AES_CM_128_HMAC_SHA1_80)"
echo "   peer verified: yes (both certificates match the trust server's reference)"
