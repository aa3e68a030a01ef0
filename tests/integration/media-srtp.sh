#!/bin/sh
# The media plane end to end on loopback: two endpoints keyed by a real
# MIKEY DH-SIGN exchange exchange SRTP/SRTCP (PCMU, 20 ms) and count
# exactly what they get; a wrong key authenticates nothing; injected
# malformed, foreign-SSRC, tampered and replayed packets are each rejected
# in their own counter. If tshark can capture on lo, the wire carries no
# plaintext: RTP payloads are never the 0xFF silence the source produced.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init media-srtp

D=$B/tests/integration/media-driver
[ -x "$D" ] || fail "no $D"
# 200 ports, all below the kernel's ephemeral range (an outgoing
# connection of a parallel test could take one in that range any time).
eph=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[ "$eph" -gt 10400 ] || eph=32768
lo=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % (eph - 10200) ))
lo=$(( lo - lo % 2 ))
hi=$(( lo + 199 ))
P="--ports $lo-$hi"

check "both ways for 1.5 s, injected packets rejected" \
	sh -c "'$D' $P --ms 1500 --inject >'$T/run.log' 2>&1"
cat "$T/run.log" >&2
check "a wrong receive key authenticates nothing" \
	sh -c "'$D' $P --ms 1000 --wrong-key >'$T/wrong.log' 2>&1"
cat "$T/wrong.log" >&2
check "a wrong rollover counter authenticates nothing" \
	sh -c "'$D' $P --ms 500 --wrong-roc >'$T/roc.log' 2>&1"
check "tone source: received frames are not silence" \
	sh -c "'$D' $P --ms 500 --tone >'$T/tone.log' 2>&1"

# Capture proof, when allowed.
if ! command -v tshark >/dev/null 2>&1; then
	note "skip capture: no tshark"
	exit 0
fi
tshark -i lo -f "udp portrange $lo-$hi" -w "$T/cap.pcapng" \
	-a duration:15 >"$T/tshark.log" 2>&1 &
tpid=$!
ITEST_PIDS="$ITEST_PIDS $tpid"
if ! itest_wait_for 10 grep -q "Capturing on" "$T/tshark.log"; then
	note "skip capture: tshark cannot capture on lo here"
	exit 0
fi
sleep 0.5
check "run under capture" sh -c "'$D' --ms 1000 --ports $lo-$hi \
	--port-file '$T/ports' >'$T/cap-run.log' 2>&1"
# The control: one plaintext packet of silence, sent by the test itself
# to a port in the captured range, must be found by the same check.
check "send the plaintext control" "$D" --send-plain "$hi"
sleep 0.5
kill -INT "$tpid" 2>/dev/null
itest_wait_for 10 sh -c "! kill -0 $tpid" || fail "tshark did not stop"
read -r pa pb <"$T/ports" || fail "no ports"
if grep -qi "permission\|denied\|not permitted" "$T/tshark.log"; then
	note "skip capture: not permitted"
	exit 0
fi
tshark -r "$T/cap.pcapng" -d "udp.port==$pa,rtp" -d "udp.port==$pb,rtp" \
	-Y rtp -T fields -e rtp.ssrc -e rtp.payload >"$T/rtp.txt" \
	2>/dev/null || fail "tshark read"
n=$(grep -c . "$T/rtp.txt")
note "captured $n RTP packets on ports $pa/$pb"
[ "$n" -ge 50 ] || fail "captured only $n RTP packets"
# Both streams seen, by their MIKEY SSRCs.
grep -q '^0xa11ce001' "$T/rtp.txt" || fail "A's stream not captured"
grep -q '^0xb0b00002' "$T/rtp.txt" || fail "B's stream not captured"
# 160 bytes of 0xFF would show as 320 f's; not even 16 bytes in a row may
# be 0xFF in a ciphertext of this size (chance ~2^-128 per offset).
if grep -qi 'ffffffffffffffffffffffffffffffff' "$T/rtp.txt"; then
	fail "plaintext-looking payload on the wire"
fi
# Every UDP datagram, SRTCP included: no run of 0xFF either, except in
# the one control datagram.
tshark -r "$T/cap.pcapng" -T fields -e udp.dstport -e udp.payload \
	>"$T/udp.txt" 2>/dev/null || fail "tshark read udp"
plain=$(grep -ci 'ffffffffffffffffffffffffffffffff' "$T/udp.txt")
ctl=$(grep -i 'ffffffffffffffffffffffffffffffff' "$T/udp.txt" | cut -f1)
[ "$plain" = 1 ] && [ "$ctl" = "$hi" ] ||
	fail "expected only the control datagram to look plain, got $plain"
note "ok: the control datagram was detected as plaintext"
note "ok: no plaintext on the wire"
exit 0
