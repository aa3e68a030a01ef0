#!/bin/sh
# On the wire: during an Opus call (speech both ways) tshark on the media
# ports sees only SRTP and SRTCP, and no datagram contains any of the
# plain Opus frames the encoders produced (the driver dumps them). A
# control datagram holding one plain frame, sent by the test into the
# captured range, must be the only one flagged, so the check can fail.
# Skipped (77) when tshark is missing or cannot capture on lo.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init media-voice-wire

D=$B/tests/integration/media-voice-driver
[ -x "$D" ] || fail "no driver"
command -v tshark >/dev/null 2>&1 || skip "no tshark"
command -v espeak-ng >/dev/null 2>&1 || skip "no espeak-ng"
command -v xxd >/dev/null 2>&1 || skip "no xxd"
command -v bash >/dev/null 2>&1 || skip "no bash"
espeak-ng -w "$T/speech.wav" "Alice calls Bob over an encrypted line." ||
	fail "espeak-ng"
range=$(itest_port_range 40)	# see lib.sh
lo=${range%-*} hi=${range#*-}

tshark -i lo -f "udp portrange $lo-$hi" -w "$T/cap.pcapng" \
	-a duration:30 >"$T/tshark.log" 2>&1 &
tpid=$!
ITEST_PIDS="$ITEST_PIDS $tpid"
itest_wait_for 10 grep -q "Capturing on" "$T/tshark.log" ||
	skip "tshark cannot capture on lo here"
sleep 0.5
"$D" --codec opus --ms 2500 --ports "$lo-$hi" --port-file "$T/ports" \
	--dump-frames "$T/frames.hex" --play-a "$T/speech.wav" \
	--play-b "$T/speech.wav" >"$T/driver.log" 2>&1 ||
	fail "driver: $(tail -3 "$T/driver.log")"
# The control: one plain frame (the longest) straight to the top port.
ctl=$(awk '{ print length($0), $0 }' "$T/frames.hex" | sort -n | tail -1 |
	cut -d' ' -f2)
[ -n "$ctl" ] || fail "no frames dumped"
bash -c "printf '%s' '$ctl' | xxd -r -p >/dev/udp/127.0.0.1/$hi" ||
	fail "control datagram"
sleep 0.5
kill -INT "$tpid" 2>/dev/null
itest_wait_for 10 sh -c "! kill -0 $tpid" || fail "tshark did not stop"
grep -qi "permission\|denied\|not permitted" "$T/tshark.log" &&
	skip "capture not permitted"
read -r pa pb <"$T/ports" || fail "no ports"

# Every datagram, by destination port.
tshark -r "$T/cap.pcapng" -T fields -e udp.dstport -e udp.payload \
	>"$T/udp.txt" 2>/dev/null || fail "tshark read"
n=$(grep -c . "$T/udp.txt")
note "captured $n datagrams on ports $pa/$pb (+1: RTCP)"
[ "$n" -ge 200 ] || fail "captured only $n datagrams"
# RTP ports: RTP version 2, payload type 111, one of the two MIKEY SSRCs.
# RTCP ports: SRTCP, an SR header (PT 200) with the E flag set in the
# SRTCP index word (encrypted), 14 trailing bytes = index + 80-bit tag.
awk -v pa="$pa" -v pb="$pb" -v ctl="$hi" '
	$1 == ctl { next }
	$1 == pa || $1 == pb {
		v = substr($2, 1, 1); pt = tolower(substr($2, 3, 2))
		ssrc = tolower(substr($2, 17, 8))
		ok = v == "8" && (pt == "6f" || pt == "ef") &&
		    (ssrc == "a11ce001" || ssrc == "b0b00002")
		if (!ok) { bad++; print "not SRTP: " $0 }
		rtp++; next
	}
	$1 == pa + 1 || $1 == pb + 1 {
		e = substr($2, length($2) - 27, 1)
		ok = substr($2, 1, 1) == "8" && tolower(substr($2, 3, 2)) == "c8"
		if (!ok || e !~ /[89a-fA-F]/) { bad++; print "not SRTCP: " $0 }
		rtcp++; next
	}
	{ bad++; print "unexpected port: " $0 }
	END { printf "rtp=%d rtcp=%d bad=%d\n", rtp, rtcp, bad; exit bad > 0 }
' "$T/udp.txt" >"$T/kinds.txt" 2>&1 || {
	cat "$T/kinds.txt" >&2
	fail "not only SRTP/SRTCP"
}
note "$(tail -1 "$T/kinds.txt")"
grep -q "rtcp=[1-9]" "$T/kinds.txt" || fail "no SRTCP captured"
# No plain frame anywhere: every frame of 8 bytes or more, as a substring.
awk 'length($0) >= 16' "$T/frames.hex" | sort -u >"$T/pat.txt"
np=$(grep -c . "$T/pat.txt")
[ "$np" -ge 50 ] || fail "only $np frames to look for"
hits=$(cut -f2 "$T/udp.txt" | grep -ciFf "$T/pat.txt")
ctlhits=$(grep -iFf "$T/pat.txt" "$T/udp.txt" | cut -f1 | sort -u)
[ "$hits" = 1 ] && [ "$ctlhits" = "$hi" ] ||
	fail "plain frames on the wire: $hits datagrams (ports $ctlhits)"
note "ok: $np plain frames looked for; only the control datagram held one"
exit 0
