#!/bin/sh
# A callee that answers a cached-trust INVITE with a key the caller does
# not trust (issue 9's peer-triggered double free): once with another key
# for the same identity ("peer certificate changed"), once with a
# certificate for another identity (MIKEY refuses it). Each time the
# caller ends the call with a SecurityAlert, sends no media, and lives on;
# the ASan build fails the test on any double free (svopid_stop).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
itest_init calls-hostile-answer
command -v sqlite3 >/dev/null || skip "no sqlite3"
MIKEY_TOOL=$B/tools/svopi-mikey
[ -x "$MIKEY_TOOL" ] || skip "no $MIKEY_TOOL"
itest_ca
svopid_conf alice
svopid_start alice
itest_bg mon-alice ctl alice monitor
BOB=sip:bob@$DOMAIN

mkcert() {	# mkcert NAME URI
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/$1.key" \
		-out "$T/$1.crt" -days 2 -subj "/CN=$2" \
		-addext "subjectAltName=URI:$2" >/dev/null 2>&1 || fail "cert $1"
}
mkcert bob "$BOB"		# the key alice trusts for bob
mkcert thief "$BOB"		# another key, claiming bob
mkcert mallory sip:mallory@$DOMAIN

# Alice's store: bob trusted with his real key, checked just now, so her
# daemon takes the direct path (INVITE with MIKEY, no OPTIONS).
fp=$(openssl x509 -in "$T/bob.crt" -noout -fingerprint -sha256 |
	sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
now=$(date +%s)
sqlite3 "$T/alice-state/trust.db" \
	"INSERT OR REPLACE INTO peers VALUES ('$BOB', '$fp', 'trusted', $now, $now);" ||
	fail "seed the trust store: $(ls "$T/alice-state")"

# hostile CASE KEYNAME ID EXPECTED-REASON
hostile() {
	svopid_port
	port=$SVOPID_PORT
	itest_bg "uas-$1" python3 "$S/tests/integration/hostile-uas.py" \
		--port "$port" --mikey "$MIKEY_TOOL" --key "$T/$2.key" \
		--cert "$T/$2.crt" --id "$3" --timeout 30 --log "$T/uas-$1.trace"
	itest_wait_port "$port" 10	# its TCP side: the INVITE is too big for UDP
	ctl alice call "sip:bob@$DOMAIN:$port;transport=udp;maddr=127.0.0.1" --wait \
		--timeout 20 >"$T/call-$1.out" 2>&1
	rc=$?
	check "$1: the call fails as a security failure (exit 4, got $rc)" [ "$rc" -eq 4 ]
	check "$1: daemon alive" ctl alice status
	ctl alice --json calls >"$T/calls-$1.json" || fail "calls"
	python3 - "$T/calls-$1.json" "$4" <<'PY' || fail "$1: wrong call record: $(cat "$T/calls-$1.json")"
import json, sys
calls = json.load(open(sys.argv[1]))
c = max(calls, key=lambda c: int(c["id"]) if str(c["id"]).isdigit() else 0)
assert c["state"] == "ended", c
assert sys.argv[2] in c["end_reason"], c["end_reason"]
assert c["packets"]["sent"] == 0, c["packets"]
assert c["peer_verified"] is False, c
PY
	note "ok: $1 ended: $4, no media sent"
}
hostile changed thief "$BOB" "peer certificate changed"
hostile identity mallory "$BOB" "IDr is not the certificate's identity"	# signed as bob, cert for mallory

sleep 0.3
check "SecurityAlert raised each time" \
	[ "$(grep -c '^signal SecurityAlert' "$T/mon-alice.log")" -ge 2 ]
check "nothing became active" \
	sh -c "! grep -q '^signal CallStateChanged.* active' '$T/mon-alice.log'"
svopid_stop alice
exit 0
