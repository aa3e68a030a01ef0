#!/bin/sh
# The media plane on the wire: two endpoints keyed by a real MIKEY DH-SIGN
# exchange send SRTP/SRTCP while tshark captures lo; no RTP payload is the
# 0xFF silence the source produced, and a plaintext control datagram sent
# by the test is caught by the same check (so the check can fail). Skips
# (77) when tshark is missing or may not capture here.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init media-srtp-capture

D=$B/tests/integration/media-driver
[ -x "$D" ] || fail "no $D"
# 200 ports, all below the kernel's ephemeral range (an outgoing
# connection of a parallel test could take one in that range any time).
range=$(itest_port_range 200)	# see lib.sh
lo=${range%-*} hi=${range#*-}
P="--ports $lo-$hi"

# Capture proof, when allowed.
if ! command -v tshark >/dev/null 2>&1; then
	skip "no tshark"
fi
tshark -i lo -f "udp portrange $lo-$hi" -w "$T/cap.pcapng" \
	-a duration:15 >"$T/tshark.log" 2>&1 &
tpid=$!
ITEST_PIDS="$ITEST_PIDS $tpid"
if ! itest_wait_for 10 grep -q "Capturing on" "$T/tshark.log"; then
	skip "tshark cannot capture on lo here"
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
	skip "capture not permitted"
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
