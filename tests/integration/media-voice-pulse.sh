#!/bin/sh
# The PulseAudio backend against a real pulseaudio started here with three
# null sinks: B plays what it receives into "svopi_out" (whose monitor the
# test records with parec) and captures from "svopi_in.monitor" (into which
# the test plays speech with paplay, and A records it), both by name (as
# [media] sink and source give them): the server's defaults are a decoy. Both recordings are
# checked against what was played. Then pulseaudio is killed and started
# again mid-call: the call goes on (every packet still arrives), B
# reconnects by itself, and the new server's monitor hears the call again.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init media-voice-pulse

D=$B/tests/integration/media-voice-driver
C=$B/tests/integration/media-corr
[ -x "$D" ] && [ -x "$C" ] || fail "no driver"
for t in pulseaudio parec paplay sox espeak-ng; do
	command -v "$t" >/dev/null 2>&1 || skip "no $t"
done
export HOME="$T" XDG_RUNTIME_DIR="$T" PULSE_STATE_PATH="$T/pulse-state" \
	PULSE_RUNTIME_PATH="$T/pulse-rt"
SRV="unix:$T/pulse.sock"
cat >"$T/pulse.pa" <<EOC
load-module module-native-protocol-unix socket=$T/pulse.sock auth-anonymous=1
load-module module-null-sink sink_name=svopi_out rate=48000 channels=1
load-module module-null-sink sink_name=svopi_in rate=48000 channels=1
load-module module-null-sink sink_name=decoy rate=48000 channels=1
set-default-sink decoy
set-default-source decoy.monitor
EOC
start_pulse() {
	# --high-priority: as a desktop runs it (rtkit), above the niced
	# builds and tests sharing this machine.
	pulseaudio -n -F "$T/pulse.pa" --daemonize=no --exit-idle-time=-1 \
		--high-priority=yes --use-pid-file=false --log-target=stderr \
		>>"$T/pulse.log" 2>&1 &
	PA_PID=$!
	ITEST_PIDS="$ITEST_PIDS $PA_PID"
	# The socket answers before the rest of pulse.pa has run: wait for
	# the last sink too.
	itest_wait_for 10 sh -c "pactl --server='$SRV' list short sinks 2>/dev/null |
		grep -q decoy" || fail "pulseaudio did not start"
}
# Records svopi_out's monitor into $1 once parec's stream is connected.
# 20 ms: a null sink runs at the latency its streams ask for; at parec's
# default (2 s) it renders in blocks so long that a new playback stream
# waits up to 1.5 s for its first pull (the backend drops what does not fit
# meanwhile), and a kill loses up to 2 s of the file's tail.
start_parec() {
	parec --server="$SRV" -d svopi_out.monitor --latency-msec=20 \
		--file-format=wav --rate=16000 --channels=1 "$1" &
	PR=$!
	ITEST_PIDS="$ITEST_PIDS $PR"
	itest_wait_for 10 sh -c "pactl --server='$SRV' list short \
		source-outputs 2>/dev/null | grep -q ." ||
		fail "parec did not connect"
}
rms() {
	sox "$1" -n stat 2>&1 | awk '/RMS +amplitude/ { print $3 }'
}

# The sweep starts 2 s into the call: a sound server's first pull of a new
# stream can come late (see start_parec), and what is dropped then must be
# silence, not the part of the sweep that tells where the recording is.
sox -n -r 16000 -c 1 -b 16 "$T/sweep.wav" synth 7 sine 200:3400 gain -6 \
	pad 2 0 ||
	fail "sox"
espeak-ng -w "$T/speech.wav" "Alice calls Bob over an encrypted line." ||
	fail "espeak-ng"
# attempt: one call through the sound server, restarted mid-call. The
# content checks return 1 (retried once: on a machine loaded by parallel
# builds and tests the sound server or our libpulse thread can starve for
# seconds); everything else fails at once.
attempt() {
	rm -f "$T/ports" "$T/mon1.wav" "$T/mon2.wav" "$T/ra.wav"
	start_pulse
	ports=$(itest_port_range 40)
	start_parec "$T/mon1.wav"
	"$D" --codec opus --ms 9000 --ports "$ports" \
		--port-file "$T/ports" --play-a "$T/sweep.wav" \
		--record-a "$T/ra.wav" --pulse-b "$SRV" --pulse-sink svopi_out \
		--pulse-source svopi_in.monitor >"$T/driver.log" 2>&1 &
	DP=$!
	ITEST_PIDS="$ITEST_PIDS $DP"
	itest_wait_for 20 test -s "$T/ports" || fail "driver did not start"
	paplay --server="$SRV" -d svopi_in "$T/speech.wav" || fail "paplay"
	sleep 2
	# Restart the sound server under the running call.
	kill "$PR" "$PA_PID"
	itest_wait_for 10 sh -c "! kill -0 $PA_PID" || fail "pulseaudio did not stop"
	note "pulseaudio stopped mid-call"
	start_pulse
	start_parec "$T/mon2.wav"
	wait "$DP" || { cat "$T/driver.log" >&2; fail "driver"; }
	kill "$PR"
	cat "$T/driver.log" >&2
	grep -q "^OK" "$T/driver.log" || fail "call checks"
	# The call went on through the restart: every packet arrived (checked by
	# the driver) and B connected twice.
	grep -q "^pulse: connects=2 " "$T/driver.log" ||
		fail "no reconnection to the restarted server"
	# Before the restart: the monitor heard the sweep B received.
	m1=$("$C" --trim --segment-ms 200 "$T/sweep.wav" "$T/mon1.wav") ||
		fail "media-corr"
	note "sink monitor before the restart: $m1"
	v=${m1#corr=}
	# 0.5: this path crosses two schedulers (ours and the sound server's);
	# measured 0.98 on an idle machine, 0.29-0.98 while the whole suite runs
	# on 2 cores without --high-priority; an unrelated signal scores ~0.
	awk -v v="${v%% *}" 'BEGIN { exit !(v >= 0.5) }' ||
		{ note "sink monitor does not hold the call's audio"; return 1; }
	# B's capture: the speech played into svopi_in reached A.
	c1=$("$C" --trim --segment-ms 200 "$T/speech.wav" "$T/ra.wav") ||
		fail "media-corr"
	note "capture at B, recorded at A: $c1"
	v=${c1#corr=}
	awk -v v="${v%% *}" 'BEGIN { exit !(v >= 0.7) }' ||
		{ note "captured speech did not reach A"; return 1; }
	# After the restart: the new server's monitor hears the sweep again.
	r2=$(rms "$T/mon2.wav")
	note "sink monitor after the restart: RMS $r2"
	awk -v v="$r2" 'BEGIN { exit !(v >= 0.05) }' ||
		{ note "nothing played after the sound server came back"; return 1; }
	return 0
}
attempt || {
	note "retrying once: the audio did not make it through"
	kill "$PA_PID" 2>/dev/null
	itest_wait_for 10 sh -c "! kill -0 $PA_PID" || fail "pulseaudio"
	attempt || fail "the sound server path lost the call's audio twice"
}
exit 0
