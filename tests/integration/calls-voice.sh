#!/bin/sh
# A voice call between two daemons through Kamailio (TLS), keyed by MIKEY:
# Alice dials with `svopictl call --play speech.wav --record a.wav`, Bob
# answers with `svopictl answer --play sweep.wav --record b.wav`. Each
# recording correlates with what the other side played: Opus, the default
# codec; segmental correlation (200 ms blocks) >= 0.7, the bound of the
# lossy test in media-voice.sh: two sanitised daemons and Kamailio on a
# loaded machine jitter enough for the adaptive buffer to move the delay
# (measured 0.86-0.99). Alice's DTMF digits reach
# Bob's `svopictl monitor` in order with their durations; `calls` shows
# the codec and the quality figures; an unknown Dial option and a play
# file that does not exist are refused before anything is dialled. Then a
# G.711 call where Bob is muted: Alice hears RFC 3389 comfort noise.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
itest_init calls-voice
command -v curl >/dev/null || skip "no curl"
command -v sox >/dev/null || skip "no sox"
command -v espeak-ng >/dev/null || skip "no espeak-ng"
command -v busctl >/dev/null || skip "no busctl"
C=$B/tests/integration/media-corr
sox -n -r 16000 -c 1 -b 16 "$T/sweep.wav" synth 3 sine 200:3400 gain -6 ||
	fail "sox"
espeak-ng -w "$T/speech.wav" "Alice calls Bob over an encrypted line." ||
	fail "espeak-ng"
BOB_AUTO_ANSWER=no calls_pair_conf
URI=$BOB_URI
calls_pair_start

# Refused before dialling: an unknown option, a play file that is not
# there. No call object is made.
busctl --address="$alice_BUS" call org.svopi.Daemon1 /org/svopi/Daemon1 \
	org.svopi.Daemon1 Dial 'sa{sv}' "$URI" 1 volume s loud \
	>"$T/bogus.txt" 2>&1 && fail "an unknown option was accepted"
grep -q "unknown option" "$T/bogus.txt" || fail "$(cat "$T/bogus.txt")"
ctl alice call "$URI" --play "$T/none.wav" >"$T/none.txt" 2>&1 &&
	fail "a missing play file was accepted"
grep -q "No such file" "$T/none.txt" || fail "$(cat "$T/none.txt")"
[ -z "$(last_call alice)" ] || fail "a refused Dial made a call"
note "ok: unknown option and missing play file refused before dialling"

itest_bg mon-bob ctl bob monitor
# The quality properties of Alice's call object change on the bus.
itest_bg props-alice busctl --address="$alice_BUS" monitor \
	--match "type='signal',interface='org.freedesktop.DBus.Properties',path='/org/svopi/Call/1'"
sleep 0.5
ctl alice call "$URI" --play "$T/speech.wav" --record "$T/a.wav" \
	>/dev/null || fail "dial"
A=$(last_call alice)
itest_wait_for 20 vuc_prompted alice || fail "no VUC prompt at alice"
itest_wait_for 20 vuc_prompted bob || fail "no VUC prompt at bob"
code=$( (ctl alice --json vuc list; ctl bob --json vuc list) | python3 -c '
import json, sys
for line in sys.stdin:
    for v in json.loads(line):
        if v["code"]:
            print(v["code"])')
if ctl alice --json vuc list | grep -q "\"code\": \"$code\""; then
	ctl bob vuc enter "sip:alice@$DOMAIN" "$code" >/dev/null
else
	ctl alice vuc enter "sip:bob@$DOMAIN" "$code" >/dev/null
fi || fail "VUC entry"
bob_ringing() {
	Bc=$(last_call bob)
	[ -n "$Bc" ] && call_state_is bob "$Bc" ringing
}
itest_wait_for 30 bob_ringing || fail "bob not ringing: $(ctl bob calls)"
Bc=$(last_call bob)
ctl bob answer "$Bc" --bogus x >/dev/null 2>&1 && fail "answer --bogus"
ctl bob answer "$Bc" --play "$T/sweep.wav" --record "$T/b.wav" ||
	fail "answer"
itest_wait_for 10 call_state_is alice "$A" active || fail "not active"
note "ok: the call is active"
sleep 4
ctl alice dtmf "$A" "19#" || fail "dtmf"
sleep 1.5
ctl alice calls >"$T/calls.txt"
cat "$T/calls.txt" >&2
grep -q "codec=opus" "$T/calls.txt" || fail "no codec in calls"
grep -q "jitter_buffer_ms=" "$T/calls.txt" || fail "no jitter buffer"
[ "$(call_field alice "$A" codec)" = opus ] || fail "json: codec"
grep -q '"JitterBuffer"' "$T/props-alice.log" ||
	fail "no PropertiesChanged for the quality figures"
note "ok: PropertiesChanged for JitterBuffer/Jitter/... seen"
ctl alice hangup "$A" || fail "hangup"
itest_wait_for 10 call_state_is bob "$Bc" ended || fail "bob: not ended"
# first_audio: each end played the peer's voice once its packets came
# (Timings, kept after the end of the call).
for n in alice:$A bob:$Bc; do
	ctl "${n%%:*}" --json calls >"$T/calls-${n%%:*}.json"
	python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1])) if str(c["id"]) == sys.argv[2]][0]
t = c["timings"]
print("timings", sys.argv[1], t, file=sys.stderr)
sys.exit(0 if t["media_ready"] <= t["first_audio"] < t["media_ready"] + 1000
         else 1)' "$T/calls-${n%%:*}.json" "${n#*:}" ||
		fail "${n%%:*}: no first_audio after media_ready"
done
note "ok: first_audio after media_ready at both ends"
sleep 0.5
dt=$(grep "signal DtmfReceived" "$T/mon-bob.log" | awk '{ printf "%s:%s ", $4, $5 }')
note "bob's monitor: DTMF $dt"
[ "$dt" = "1:100 9:100 #:100 " ] || fail "DTMF at bob: '$dt'"
ab=$("$C" --segment-ms 200 "$T/speech.wav" "$T/b.wav") || fail "media-corr"
ba=$("$C" --segment-ms 200 "$T/sweep.wav" "$T/a.wav") || fail "media-corr"
note "alice -> bob (speech): $ab"
note "bob -> alice (sweep): $ba"
for r in "$ab" "$ba"; do
	v=${r#corr=}
	awk -v v="${v%% *}" 'BEGIN { exit !(v >= 0.7) }' ||
		fail "recording does not match what was played: $r"
done

# G.711 with RFC 3389 comfort noise between the daemons: Bob now takes
# PCMU only and mutes before he answers. What Alice records of him is
# faint noise (a CN packet every 400 ms, no audio): never his sweep, and
# not digital silence either.
svopid_stop bob
sed -i "s|^audio = null|audio = null\ncodecs = pcmu|" "$T/bob.conf"
svopid_start bob
itest_wait_for 20 is_registered bob || fail "bob not registered again"
ctl alice call "$URI" --play "$T/speech.wav" --record "$T/a2.wav" \
	>/dev/null || fail "dial (PCMU)"
A2=$(last_call alice)
itest_wait_for 30 bob_ringing || fail "bob not ringing (PCMU)"
Bc2=$(last_call bob)
busctl --address="$bob_BUS" set-property org.svopi.Daemon1 \
	"/org/svopi/Call/$Bc2" org.svopi.Call1 Mute b true || fail "Mute"
ctl bob answer "$Bc2" --play "$T/sweep.wav" --record "$T/b2.wav" ||
	fail "answer (PCMU)"
itest_wait_for 10 call_state_is alice "$A2" active || fail "not active (PCMU)"
[ "$(call_field alice "$A2" codec)" = PCMU ] ||
	fail "codec: $(call_field alice "$A2" codec)"
sleep 2
ctl alice hangup "$A2" || fail "hangup (PCMU)"
itest_wait_for 10 call_state_is bob "$Bc2" ended || fail "bob: not ended"
peak=$(sox "$T/a2.wav" -n stat 2>&1 | awk '/Maximum amplitude/ { print $3 }')
len=$(soxi -D "$T/a2.wav" 2>/dev/null)
note "muted PCMU bob -> alice: $len s recorded, peak $peak"
awk -v v="$peak" -v l="$len" 'BEGIN { exit !(v != "" && v > 0.0001 &&
    v < 0.01 && l > 1.5) }' ||
	fail "muted G.711: not comfort noise (peak $peak, $len s)"
exit 0
