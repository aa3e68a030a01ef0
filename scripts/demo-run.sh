#!/bin/sh
# The svopi demo (SPEC §8), on loopback, from a build folder
# (scripts/demo.sh builds it). It starts svopi-trustd over TLS, Kamailio as
# the SIP proxy (TLS, digest auth), and two svopid daemons, Alice and Bob,
# each on a private D-Bus. Both enroll their certificates, Alice calls Bob,
# the first-contact voice unlock code is shown to one and entered by the
# other, Bob's phone rings and is answered, and Alice speaks (a spoken
# espeak-ng sample, Opus over SRTP) while Bob records what he hears; the
# demo prints the codec, how well Bob's recording matches what Alice said,
# and where it is (BUILD_DIR/demo-bob-heard.wav). Then a second call runs from the cached trust alone, with
# the trust server stopped. Everything it starts is stopped on exit.
#
#   sh scripts/demo-run.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "${1:-$top/build}" && pwd) || exit 1
top_srcdir=$top
export top_builddir top_srcdir
. "$top/tests/integration/lib.sh"
. "$top/tests/integration/svopid-common.sh"
. "$top/tests/integration/trustd-lib.sh"
. "$top/tests/integration/calls-common.sh"
itest_init demo

say() {
	printf '\n== %s\n' "$*"
}

# report NAME ID: one call as a person reads it.
report() {
	ctl "$1" --json calls | python3 -c '
import json, sys
name, cid = sys.argv[1], sys.argv[2]
for c in json.load(sys.stdin):
    if c["id"] != cid:
        continue
    t, p = c["timings"], c["packets"]
    print("   %s: %s call with %s, state %s" % (name, c["direction"], c["peer"], c["state"]))
    print("      secure: %s, peer verified: %s, cipher: %s" %
          ("yes" if c["secure"] else "NO", "yes" if c["peer_verified"] else "NO", c["cipher"]))
    print("      timings (ms since dial): trust done %s, ringing %s, answered %s, media ready %s" %
          (t.get("trust_done"), t.get("ringing"), t.get("answered"), t.get("media_ready")))
    if t.get("answered") is not None and t.get("media_ready") is not None:
        # Keys exist before the answer, so the first authenticated packet
        # can even beat the 200 OK through the proxy: that reads as 0.
        print("      answer to voice: %d ms" % max(0, t["media_ready"] - t["answered"]))
    print("      SRTP packets: sent %d, received and authenticated %d, rejected %d" %
          (p["sent"], p["received"], p["rejected"]))
' "$1" "$2"
}

command -v kamailio >/dev/null || fail "kamailio is not installed (scripts/install-deps.sh)"
itest_ca

say "1. SIP proxy (Kamailio, TLS) and trust server (svopi-trustd, HTTPS)"
itest_kamailio alice:pw-alice bob:pw-bob
PROXY="sip:127.0.0.1:$KAM_TLS_PORT;transport=tls"
calls_trustd
echo "   proxy  $PROXY"
echo "   trustd $TD_URL (users alice@$DOMAIN and bob@$DOMAIN)"

say "2. two daemons, each on its own D-Bus, register over TLS"
# Alice's voice: a spoken sample; Bob auto-answers and records into a file.
HEARD=$top_builddir/demo-bob-heard.wav
if command -v espeak-ng >/dev/null 2>&1; then
	espeak-ng -w "$T/alice-says.wav" "Hello Bob. This is Alice, \
calling you over an end to end encrypted line." || fail "espeak-ng"
	PLAY="--play $T/alice-says.wav"
else
	PLAY=
fi
calls_conf alice "$PROXY"
CALLS_AUTO_ANSWER=yes calls_conf bob "$PROXY" \
	"$(printf '[media]\naudio = file\nrecord = %s' "$HEARD")"
svopid_start alice
svopid_start bob
itest_wait_for 20 is_registered alice || fail "alice not registered"
itest_wait_for 20 is_registered bob || fail "bob not registered"
for n in alice bob; do
	ctl $n status | sed 's/^/   /'
done

say "3. both enroll their self-signed certificates at the trust server"
ctl alice enroll | sed 's/^/   alice: /' || fail "alice enroll"
ctl bob enroll | sed 's/^/   bob: /' || fail "bob enroll"

say "4. first contact: Alice calls Bob"
# shellcheck disable=SC2086
ctl alice call "sip:bob@$DOMAIN" $PLAY >/dev/null ||
	fail "dial"
A1=$(last_call alice)
itest_wait_for 20 vuc_prompted alice || fail "no VUC prompt at alice"
itest_wait_for 20 vuc_prompted bob || fail "no VUC prompt at bob"
echo "   alice's call: $(call_field alice "$A1" state) (nothing rings yet)"
code=
for n in alice bob; do
	c=$(ctl $n --json vuc list | python3 -c '
import json, sys
print("".join(v["code"] for v in json.load(sys.stdin)))')
	if [ -n "$c" ]; then
		code=$c issuer=$n
		echo "   $n's screen: \"tell the other person this voice unlock code: $c\""
	else
		redeemer=$n
		echo "   $n's screen: \"enter the code the other person reads to you\""
	fi
done
[ -n "$code" ] || fail "no voice unlock code was issued"
echo "   (on a desktop these prompts are notifications: systemctl --user enable --now svopi-notify; see svopi-notify(1))"
echo "   $redeemer types $code"
ctl "$redeemer" vuc enter "sip:$issuer@$DOMAIN" "$code" | sed 's/^/   /' ||
	fail "entering the code failed"
itest_wait_for 30 call_state_is alice "$A1" active ||
	fail "the call did not become active: $(ctl alice calls)"
B1=$(last_call bob)
[ -n "$PLAY" ] && echo "   Alice speaks for 5 s ..."
sleep 5
report alice "$A1"
report bob "$B1"
ctl alice hangup "$A1" >/dev/null
itest_wait_for 10 call_state_is bob "$B1" ended || true
corr="(media-corr not built: make check builds it)"
if [ -n "$PLAY" ] && [ -x "$top_builddir/tests/integration/media-corr" ]; then
	# 200 ms blocks aligned on their own; kept before the second call,
	# which Bob records too (its copy: $HEARD.call2.wav).
	corr=$("$top_builddir/tests/integration/media-corr" --segment-ms 200 \
		"$T/alice-says.wav" "$HEARD" | sed 's/ .*//; s/corr=//')
	cp "$HEARD" "$T/heard1.wav"
fi

say "5. second call: from the cached trust alone, trust server stopped"
trustd_stop
ctl alice --json call "sip:bob@$DOMAIN" --wait --timeout 3 \
	>"$T/call2.json"
rc=$?
A2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/call2.json")
report alice "$A2"
echo "   svopictl call --wait exit status: $rc (0 = answered, secure, verified)"
if [ -f "$T/heard1.wav" ]; then
	mv "$HEARD" "$HEARD.call2.wav" 2>/dev/null
	cp "$T/heard1.wav" "$HEARD"
fi

say "result"
secure=$(call_field alice "$A1" secure)
verified=$(call_field alice "$A1" peer_verified)
echo "   secure: $secure, peer verified: $verified, cipher: $(call_field alice "$A1" cipher)"
echo "   codec: $(call_field alice "$A1" codec)"
if [ -n "$PLAY" ]; then
	echo "   Bob's recording of Alice's voice: $HEARD"
	echo "   correlation with what Alice said: $corr (1 = identical)"
else
	echo "   audio: no espeak-ng here, so the call carried silence"
fi
[ "$secure" = true ] && [ "$verified" = true ] && [ "$rc" -eq 0 ] ||
	fail "the demo call was not secure and verified"
svopid_stop alice >/dev/null 2>&1
svopid_stop bob >/dev/null 2>&1
exit 0
