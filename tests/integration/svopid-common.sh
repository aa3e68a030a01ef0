# Helpers shared by the svopid-*.sh tests (sourced after lib.sh).

# svopid_port: sets SVOPID_PORT to a port for a daemon's listener: below
# the kernel's ephemeral range (so no outgoing connection of a parallel
# test holds it), free on TCP and UDP, and not handed out before in this
# test (hence a variable, not $(...), which would forget that).
SVOPID_PORTS=" "
svopid_port() {
	for _ in $(seq 1 100); do	# the service range, see lib.sh
		p=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 10000 ))
		case $SVOPID_PORTS in *" $p "*) continue ;; esac
		ss -Hltnu "sport = :$p" 2>/dev/null | grep -q . && continue
		SVOPID_PORTS="$SVOPID_PORTS$p "
		SVOPID_PORT=$p
		return 0
	done
	fail "no free port"
}

# svopid_conf NAME [PROXY]: writes $T/NAME.conf for sip:NAME@$DOMAIN
# with fresh TLS, TCP and UDP ports (NAME_TLS, NAME_TCP, NAME_UDP) and a
# state dir; with PROXY (a SIP URI) it registers there as NAME with
# password "pw-NAME".
svopid_conf() {
	_sc_name=$1
	_sc_proxy=${2:-}
	svopid_port
	tls=$SVOPID_PORT
	svopid_port
	tcp=$SVOPID_PORT
	svopid_port
	udp=$SVOPID_PORT
	eval "${_sc_name}_TLS=$tls ${_sc_name}_TCP=$tcp ${_sc_name}_UDP=$udp"
	printf 'pw-%s\n' "$_sc_name" >"$T/$_sc_name.pw"
	chmod 600 "$T/$_sc_name.pw"
	{
		printf '[account]\nuri = sip:%s@%s\n' "$_sc_name" "$DOMAIN"
		if [ -n "$_sc_proxy" ]; then
			printf 'proxy = %s\nauth_user = %s\n' "$_sc_proxy" "$_sc_name"
			printf 'password_file = %s/%s.pw\n' "$T" "$_sc_name"
		fi
		printf '[sip]\nlisten = tls:127.0.0.1:%s tcp:127.0.0.1:%s udp:127.0.0.1:%s\n' \
			"$tls" "$tcp" "$udp"
		printf 'ca_file = %s/ca.crt\n' "$T"
		printf 'register_expires = %s\nkeepalive = 5\n' "${SVOPID_EXPIRES:-600}"
		printf '[paths]\nstate_dir = %s/%s-state\n' "$T" "$_sc_name"
		printf '[log]\nlevel = debug\n'
	} >"$T/$_sc_name.conf"
}

# svopid_start NAME: starts svopid for NAME on its own private bus
# (itest_dbus NAME); NAME_PID and NAME_BUS are set.
svopid_start() {
	itest_dbus "$1"
	eval "$1_BUS=\$ITEST_BUS"
	DBUS_SESSION_BUS_ADDRESS=$ITEST_BUS itest_bg "svopid-$1" \
		"$B/daemon/svopid" --config "$T/$1.conf"
	eval "$1_PID=\$ITEST_LAST_PID"
	itest_wait_for 30 ctl "$1" status || fail "svopid $1 did not come up"
}

# ctl NAME ARGS...: svopictl against NAME's bus.
ctl() {
	_ctl_n=$1
	shift
	eval "DBUS_SESSION_BUS_ADDRESS=\$${_ctl_n}_BUS" "$B/cli/svopictl" '"$@"'
}

# json_field FIELD: reads a JSON object on stdin, prints FIELD.
json_field() {
	python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# reg_state NAME: the registration field of `svopictl --json status`.
reg_state() {
	ctl "$1" --json status | json_field registration
}

is_registered() {
	[ "$(reg_state "$1")" = registered ]
}

# status_has NAME TEXT: `svopictl status` of NAME contains TEXT.
status_has() {
	ctl "$1" status | grep -qF "$2"
}

not_registered() {
	[ "$(reg_state "$1")" != registered ]
}

is_failed() {
	[ "$(reg_state "$1")" = failed ]
}

# svopid_stop NAME: SIGTERM, wait for the exit, and fail on any sanitizer
# report in its log (ASan/UBSan builds print them at exit).
svopid_stop() {
	eval "_ss_pid=\$$1_PID"
	kill -TERM "$_ss_pid"
	itest_wait_for 10 sh -c "! kill -0 $_ss_pid 2>/dev/null" ||
		fail "svopid $1 did not exit"
	if grep -E "ERROR: (Address|Leak)Sanitizer|runtime error:" \
	    "$T/svopid-$1.log" >&2; then
		fail "sanitizer report in svopid $1"
	fi
	note "ok: svopid $1 stopped cleanly"
}

# carol_identity: an RSA identity like svopid's for sip:carol@$DOMAIN in
# $T/carol.key and $T/carol.crt, for tests that play a peer themselves.
carol_identity() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/carol.key" \
		-out "$T/carol.crt" -days 2 -subj "/CN=sip:carol@$DOMAIN" \
		-addext "subjectAltName=URI:sip:carol@$DOMAIN" >/dev/null 2>&1 ||
		fail "carol cert"
}

# carol_imsg: a fresh signed MIKEY I_MESSAGE from carol to bob (base64).
carol_imsg() {
	rm -f "$T/carol.state"
	"$B/tools/svopi-mikey" init --key "$T/carol.key" --cert "$T/carol.crt" \
		--id sip:carol@$DOMAIN --peer sip:bob@$DOMAIN \
		--state "$T/carol.state"
}

# sipp_bob NAME ARGS...: one sipp run as carol against bob's TCP port.
sipp_bob() {
	_sb_n=$1
	shift
	sipp -nostdin -trace_err -error_file "$T/sipp-$_sb_n.err" -t t1 -m 1 \
		-timeout 20 -timeout_error -i 127.0.0.1 -s bob \
		"$@" "127.0.0.1:$bob_TCP" >"$T/sipp-$_sb_n.log" 2>&1
}
