#!/bin/sh
# The voice engine end to end: two media endpoints keyed by a real MIKEY
# exchange talk SRTP on loopback with PCMU, PCMA and Opus. A plays a sine
# sweep (WAV), B plays espeak-ng speech (WAV, then FLAC and OGG at other
# rates); each side records what it hears into a WAV, and the recording must
# correlate with what was played (media-corr aligns them first):
#   G.711 >= 0.9 (a waveform codec: measured 0.9999 sweep, 0.966 speech);
#   Opus  >= 0.85 (a perceptual codec keeps the spectrum, not every phase:
#         measured 0.985 sweep, 0.934 speech at 32 kbit/s; 0.85 leaves room
#         for the encoder's choices while a broken path scores near 0).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init media-voice

D=$B/tests/integration/media-voice-driver
C=$B/tests/integration/media-corr
[ -x "$D" ] && [ -x "$C" ] || fail "no driver"
command -v sox >/dev/null 2>&1 || skip "no sox"
command -v espeak-ng >/dev/null 2>&1 || skip "no espeak-ng"
ports=$(itest_port_range 40)

sox -n -r 16000 -c 1 -b 16 "$T/sweep.wav" synth 3 sine 200:3400 gain -6 ||
	fail "sox sweep"
espeak-ng -w "$T/speech.wav" \
	"Alice calls Bob over an encrypted line. The quick brown fox." ||
	fail "espeak-ng"
# The same speech as stereo FLAC at 44.1 kHz and OGG Vorbis at 32 kHz.
sox "$T/speech.wav" -r 44100 -c 2 "$T/speech.flac" || fail "sox flac"
sox "$T/speech.wav" -r 32000 "$T/speech.ogg" || fail "sox ogg"

# call CODEC PLAY_A PLAY_B MIN: both ways, each recording checked.
call() {
	codec=$1 pa=$2 pb=$3 min=$4
	"$D" --codec "$codec" --ms 3500 --ports "$ports" \
		--play-a "$pa" --record-b "$T/rb.wav" \
		--play-b "$pb" --record-a "$T/ra.wav" \
		>"$T/driver.log" 2>&1 || {
		cat "$T/driver.log" >&2
		fail "$codec: driver"
	}
	# Segmental (200 ms blocks): on a loaded machine even loopback
	# jitters enough for the adaptive buffer to move the delay.
	ab=$("$C" --segment-ms 200 "$pa" "$T/rb.wav") || fail "$codec: corr"
	ba=$("$C" --segment-ms 200 "$pb" "$T/ra.wav") || fail "$codec: corr"
	note "$codec $(basename "$pa") A->B: $ab"
	note "$codec $(basename "$pb") B->A: $ba"
	for r in "$ab" "$ba"; do
		v=${r#corr=}
		v=${v%% *}
		awk -v v="$v" -v m="$min" 'BEGIN { exit !(v >= m) }' ||
			fail "$codec: correlation $v below $min"
	done
}

call PCMU "$T/sweep.wav" "$T/speech.wav" 0.9
call PCMA "$T/sweep.wav" "$T/speech.wav" 0.9
call opus "$T/sweep.wav" "$T/speech.wav" 0.85
call opus "$T/speech.flac" "$T/speech.ogg" 0.85
call PCMU "$T/speech.ogg" "$T/speech.flac" 0.9

# Network trouble: the seeded relay drops 10 % of the datagrams both ways
# and delays each by 0..100 ms (50 ms jitter: most packets arrive out of
# order). The adaptive jitter buffer absorbs the jitter; losses are
# concealed. Segmental correlation (200 ms blocks aligned on their own: the
# buffer moves the delay during the call), with and without concealment.
# Bounds: >= 0.7 for both codecs (measured on a loaded 2-core machine:
# Opus 0.77-0.92 with concealment, G.711 0.82-0.93; an undecodable or
# misaligned stream scores near 0). Opus concealment (PLC + in-band FEC,
# which the encoder adds once RTCP reports the loss) must beat silence
# over both signals together (measured sweep 0.85-0.92 vs 0.74-0.77,
# speech 0.77-0.90 vs 0.70-0.78). G.711's pitch repetition fills the gaps
# audibly but does not beat silence on waveform correlation (the phase
# drifts over a lost frame), so only its figures are shown.
lossy() {
	codec=$1 extra=$2
	"$D" --codec "$codec" --ms 3500 --ports "$ports" \
		--relay 100,50,20261127 $extra \
		--play-a "$T/sweep.wav" --record-b "$T/rb.wav" \
		--play-b "$T/speech.wav" --record-a "$T/ra.wav" \
		>"$T/lossy.log" 2>&1 || {
		cat "$T/lossy.log" >&2
		fail "$codec: lossy call"
	}
	grep "^relay:" "$T/lossy.log" >&2
	s1=$("$C" --segment-ms 200 "$T/sweep.wav" "$T/rb.wav") || fail corr
	s2=$("$C" --segment-ms 200 "$T/speech.wav" "$T/ra.wav") || fail corr
	s1=${s1#corr=}
	s2=${s2#corr=}
	echo "${s1%% *} ${s2%% *}"
}
above() {
	awk -v v="$1" -v m="$2" 'BEGIN { exit !(v >= m) }'
}
for codec in opus PCMU; do
	set -- $(lossy "$codec" "")
	c1=$1 c2=$2
	set -- $(lossy "$codec" --no-conceal)
	n1=$1 n2=$2
	note "$codec at 10 % loss, 50 ms jitter: sweep $c1 concealed vs $n1" \
		"silent; speech $c2 concealed vs $n2 silent"
	above "$c1" 0.7 && above "$c2" 0.7 ||
		fail "$codec: correlation under loss below 0.7"
	if [ "$codec" = opus ]; then
		awk -v a="$c1" -v b="$c2" -v c="$n1" -v d="$n2" \
			'BEGIN { exit !(a + b > c + d) }' ||
			fail "opus: concealment does not beat silence"
	fi
done

# DTMF (RFC 4733): A's digits arrive at B in order, each 100 ms long
# (the driver checks both), with G.711 and Opus clocks, and through the
# lossy relay (the end of a digit is sent three times).
for args in "--codec PCMU" "--codec opus" "--codec opus --relay 100,50,4733"; do
	# shellcheck disable=SC2086
	"$D" $args --ms 2500 --ports "$ports" --dtmf '159#*0AD' \
		>"$T/dtmf.log" 2>&1 || {
		cat "$T/dtmf.log" >&2
		fail "DTMF with $args"
	}
	note "DTMF $args: $(grep '^dtmf:' "$T/dtmf.log")"
done

# Mute: A plays the sweep but is muted; B records silence, never the
# sweep. Opus: DTX, a comfort-noise packet every 400 ms and nothing in
# between (the driver checks that A sent under a third of its frames).
# G.711: RFC 3389 CN, a packet every 400 ms and no audio (the driver checks
# the counts); B plays faint noise (-70 dBov), not digital silence.
for codec in opus PCMU; do
	"$D" --codec $codec --ms 1500 --ports "$ports" --mute-a \
		--play-a "$T/sweep.wav" --record-b "$T/muted.wav" \
		>"$T/mute.log" 2>&1 || { cat "$T/mute.log" >&2; fail "mute run"; }
	peak=$(sox "$T/muted.wav" -n stat 2>&1 |
		awk '/Maximum amplitude/ { print $3 }')
	note "muted $codec: B's recording peaks at $peak;" \
		"$(grep 'muted, ' "$T/mute.log" || echo 'no DTX or CN')"
	awk -v v="$peak" 'BEGIN { exit !(v != "" && v < 0.01) }' ||
		fail "muted $codec call not silent"
	[ $codec = PCMU ] || continue
	awk -v v="$peak" 'BEGIN { exit !(v > 0.0001) }' ||
		fail "muted $codec call: no comfort noise at B"
	grep -q 'muted, cn_sent=' "$T/mute.log" || fail "muted $codec: no CN"
done

# A flood of junk RTP (a foreign SSRC, 20,000 packets a second) at B's
# port all along: B reads its socket on each arrival again while it lasts
# (daemon/media.c, MEDIA_RX_FLOOD), rejects the junk before any crypto and
# still hears A: the G.711 bound.
"$D" --codec PCMU --ms 3000 --ports "$ports" --flood-b 20000 \
	--play-a "$T/sweep.wav" --record-b "$T/flood.wav" \
	>"$T/flood.log" 2>&1 || { cat "$T/flood.log" >&2; fail "flood run"; }
r=$("$C" --segment-ms 200 --min 0.9 "$T/sweep.wav" "$T/flood.wav") ||
	fail "flooded B does not hear A: $r ($(grep flooded "$T/flood.log"))"
note "flooded: $(grep flooded "$T/flood.log"); $r"

# The check can fail: a recording of something else does not pass.
"$C" --min 0.5 "$T/sweep.wav" "$T/ra.wav" >/dev/null &&
	fail "media-corr accepted an unrelated recording"
note "ok: an unrelated recording is rejected"
# A file that is not audio is refused before anything is sent.
echo "not audio" >"$T/bad.wav"
"$D" --codec PCMU --ms 500 --ports "$ports" --play-a "$T/bad.wav" \
	>"$T/bad.log" 2>&1 && fail "driver accepted a non-audio file"
grep -q "Bad message" "$T/bad.log" || fail "no clear error for a bad file"
"$D" --codec PCMU --ms 500 --ports "$ports" --play-a "$T/none.wav" \
	>"$T/none.log" 2>&1 && fail "driver accepted a missing file"
grep -q "No such file" "$T/none.log" || fail "no clear error: missing file"
note "ok: bad and missing files refused"
exit 0
