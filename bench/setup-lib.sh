# Helpers for bench/setup and bench/concurrency (sourced after lib.sh,
# svopid-common.sh, trustd-lib.sh and calls-common.sh).

BENCH_TCP_PORTS=
# RTP ranges of bench/setup, one per UA (bench/concurrency uses
# 61000-62999 and 63000-64999): above the ephemeral ports and the test
# port plan, so that tests running beside a bench never share them.
BENCH_RTP_ALICE=61000-61999
BENCH_RTP_BOB=62000-62999
BENCH_RTP_CAROL=63000-63999
BENCH_RTP_DAVE=64000-64999

# bench_svopid NAME PROXY AUTO-ANSWER RTP-RANGE: svopid NAME registered at
# PROXY, info logging (debug logging would be measured too), RTP in RANGE;
# with BENCH_RECORD set it records what it decodes to $T/NAME-rec.wav (so
# that the Timings have first_audio, and as baresip decodes too); waits for
# the registration. Sets NAME_BUS and NAME_PID.
bench_svopid() {
	CALLS_AUTO_ANSWER=$3 calls_conf "$1" "$2"
	sed -i -e "s/^rtp_ports = .*/rtp_ports = $4/" \
		-e "s/^level = debug/level = ${BENCH_LOG:-info}/" "$T/$1.conf"
	[ -z "${BENCH_RECORD:-}" ] ||
		sed -i "s|^audio = null|audio = file\nrecord = $T/$1-rec.wav|" \
			"$T/$1.conf"
	svopid_start "$1"
	itest_wait_for 20 is_registered "$1" || fail "$1 not registered"
	eval "BENCH_TCP_PORTS=\"\$BENCH_TCP_PORTS \$${1}_TLS\""
}

# bench_baresip NAME AUTO-ANSWER RTP-RANGE: baresip 1.0 as
# sip:NAME@127.0.0.1:KAM_TLS_PORT over TLS, SDES-SRTP mandatory, PCMU, a
# 440 Hz tone as source (aufile), ALSA's null device as player, ctrl_tcp on a fresh
# port (NAME_CTRL), answermode auto or manual. The tone is an 8 kHz WAV
# file (1.0's ausine makes only 48 kHz and does not resample). audio_path points at an
# empty folder: with a ringback file the 1.0 caller sends no RTP.
bench_baresip() {
	_bn=$1
	_bd=$T/baresip-$_bn
	mkdir -p "$_bd/sounds"
	_bsip=$(itest_port)
	_bctl=$(itest_port)
	_bans=manual
	[ "$2" = yes ] && _bans=auto
	# Kamailio opens its own TLS connection to the Contact: a certificate.
	itest_cert "baresip-$_bn"
	cat "$T/baresip-$_bn.crt" "$T/baresip-$_bn.key" >"$_bd/cert.pem"
	[ -f "$T/tone.wav" ] || "$PY" -c '
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(
    2 * math.pi * 440 * i / 8000))) for i in range(8000 * 60)))' "$T/tone.wav"
	cat >"$_bd/config" <<EOF
poll_method		epoll
sip_listen		127.0.0.1:$_bsip
sip_cafile		$T/ca.crt
sip_certificate		$_bd/cert.pem
net_interface		127.0.0.1
audio_path		$_bd/sounds
audio_player		alsa,null
audio_source		aufile,$T/tone.wav
audio_alert		alsa,null
rtp_ports		$3
rtp_tos			0
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			alsa.so
module			srtp.so
module_app		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$_bctl
EOF
	# sip:NAME@$DOMAIN, registered through the proxy (outbound).
	printf '<sip:%s@%s;transport=tls>;outbound="sip:127.0.0.1:%s;transport=tls";auth_pass=pw-%s;regint=600;mediaenc=srtp-mand;answermode=%s;audio_codecs=PCMU\n' \
		"$_bn" "$DOMAIN" "$KAM_TLS_PORT" "$_bn" "$_bans" >"$_bd/accounts"
	itest_bg "baresip-$_bn" baresip -f "$_bd" -v
	eval "${_bn}_PID=\$ITEST_LAST_PID ${_bn}_CTRL=$_bctl"
	itest_wait_port "$_bctl" 15
	itest_wait_for 20 grep -q "200 OK" "$T/baresip-$_bn.log" ||
		fail "baresip $_bn not registered"
	BENCH_TCP_PORTS="$BENCH_TCP_PORTS $_bsip $((_bsip + 1))"
}

# bench_capture: dumpcap on lo for Kamailio's TLS port, the UAs' SIP
# listeners and the RTP ranges; CAP_PID is its PID.
bench_capture() {
	_f="udp portrange 61000-64999 or tcp port $KAM_TLS_PORT"
	for p in $BENCH_TCP_PORTS; do
		_f="$_f or tcp port $p"
	done
	itest_bg dumpcap dumpcap -q -i lo -s 128 -f "$_f" -w "$T/lo.pcapng"
	CAP_PID=$ITEST_LAST_PID
	itest_wait_for 10 grep -q "Capturing on" "$T/dumpcap.log" ||
		{ sleep 1; note "dumpcap: $(cat "$T/dumpcap.log")"; }
}

# bench_ports: NAME=PID for every UA started (for setup-run.py, which maps
# each UA's TCP connections from ss).
bench_ports() {
	for n in alice bob carol dave; do
		eval "_p=\${${n}_PID:-}"
		[ -n "$_p" ] && printf '%s=%s ' "$n" "$_p"
	done
}

# bench_ranges: NAME=LO-HI of each UA's RTP range (for setup-run.py).
bench_ranges() {
	printf 'alice=%s bob=%s carol=%s dave=%s' "$BENCH_RTP_ALICE" \
		"$BENCH_RTP_BOB" "$BENCH_RTP_CAROL" "$BENCH_RTP_DAVE"
}

# bench_tracers: perf record ($PERF) and strace ($STRACE) of both svopid,
# when asked for; bench_tracers_stop ends them (SIGINT: perf writes out).
BENCH_TRACERS=
bench_tracers() {
	if [ -n "${PERF:-}" ]; then
		perf record -q -F 4000 --call-graph dwarf,16384 \
			-p "$alice_PID,$bob_PID" -o "$PERF" >"$T/perf.log" 2>&1 &
		BENCH_TRACERS="$BENCH_TRACERS $!"
	fi
	if [ -n "${STRACE:-}" ]; then
		mkdir -p "$STRACE"
		for n in alice bob; do
			eval "_p=\$${n}_PID"
			strace -tt -f -p "$_p" -o "$STRACE/$n.strace" 2>/dev/null &
			BENCH_TRACERS="$BENCH_TRACERS $!"
		done
	fi
	[ -z "$BENCH_TRACERS" ] || sleep 1
}

bench_tracers_stop() {
	for p in $BENCH_TRACERS; do
		kill -INT "$p" 2>/dev/null
	done
	for p in $BENCH_TRACERS; do
		wait "$p" 2>/dev/null
	done
}
