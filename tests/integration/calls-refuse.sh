#!/bin/sh
# Offers that must never ring (SPEC §4 policy), sent by sipp straight to a
# daemon: a replayed I_MESSAGE (488), a certificate whose identity is not
# the From AOR (403), a tampered signature (488), each with a Warning and
# a SecurityAlert; no call ever rings.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
itest_init calls-refuse
command -v sipp >/dev/null || skip "no sipp"
MIKEY_TOOL=$B/tools/svopi-mikey
[ -x "$MIKEY_TOOL" ] || skip "no $MIKEY_TOOL"
itest_ca
svopid_conf bob
svopid_start bob
itest_bg mon-bob ctl bob monitor
sleep 0.5

# carol: an RSA identity like svopid's.
carol_identity


m=$(carol_imsg) || fail "svopi-mikey init"
sipp_bob replay -sf "$S/tests/data/sipp/invite-replay.xml" -key user carol \
	-key mikey "$m" || fail "replay scenario: $(cat "$T/sipp-replay.err")"
note "ok: first INVITE 480 (no trust server), the replay 488 with Warning"
check "log names the replay" grep -q "replayed MIKEY message" "$T/svopid-bob.log"

m=$(carol_imsg) || fail "svopi-mikey init"
sipp_bob ident -sf "$S/tests/data/sipp/invite-refused.xml" -key user mallory \
	-key mikey "$m" || fail "identity scenario"
check "From mallory with carol's certificate: 403" \
	grep -q "certificate identity is not the From AOR" "$T/svopid-bob.log"

# Flip one base64 character in the signature (near the end).
m=$(carol_imsg | python3 -c '
import sys, base64
b = bytearray(base64.b64decode(sys.stdin.read().strip()))
b[-10] ^= 1
print(base64.b64encode(bytes(b)).decode())')
sipp_bob tamper -sf "$S/tests/data/sipp/invite-refused.xml" -key user carol \
	-key mikey "$m" || fail "tamper scenario"
check "tampered signature: 488 MIKEY offer refused" \
	grep -q "MIKEY offer refused" "$T/svopid-bob.log"

sleep 0.3
check "SecurityAlert signals" [ "$(grep -c '^signal SecurityAlert' "$T/mon-bob.log")" -ge 3 ]
check "nothing rang" sh -c "! grep -q '^signal CallStateChanged.* ringing' '$T/mon-bob.log'"
svopid_stop bob
exit 0
