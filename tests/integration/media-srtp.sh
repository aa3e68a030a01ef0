#!/bin/sh
# The media plane end to end on loopback: two endpoints keyed by a real
# MIKEY DH-SIGN exchange exchange SRTP/SRTCP (PCMU, 20 ms) and count
# exactly what they get; a wrong key authenticates nothing; injected
# malformed, foreign-SSRC, tampered and replayed packets are each rejected
# in their own counter. The wire itself: media-srtp-capture.sh.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init media-srtp

D=$B/tests/integration/media-driver
[ -x "$D" ] || fail "no $D"
# 200 ports, all below the kernel's ephemeral range (an outgoing
# connection of a parallel test could take one in that range any time).
range=$(itest_port_range 200)	# see lib.sh
lo=${range%-*} hi=${range#*-}
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

exit 0
