# Helpers for the setup-*.sh tests (sourced after lib.sh, svopid-common.sh,
# trustd-lib.sh and calls-common.sh): a real Kamailio over TLS and a real
# svopi-trustd, both signed by the test CA, with alice@$DOMAIN known to
# both (password "pw-alice").

setup_world() {
	command -v dbus-daemon >/dev/null || skip "no dbus-daemon"
	itest_ca
	itest_kamailio alice:pw-alice
	calls_trustd
	PROXY="sip:127.0.0.1:$KAM_TLS_PORT;transport=tls"
	printf 'pw-alice\n' >"$T/right.pw"
	printf 'not-the-password\n' >"$T/wrong.pw"
	# svopictl finds svopid here, not in the bindir it was built for.
	SVOPICTL_SVOPID=$B/daemon/svopid
	export SVOPICTL_SVOPID
}

# setup_home NAME: a fresh XDG home for one run of setup (config, state,
# runtime), and no session bus: setup must not depend on one.
setup_home() {
	H=$T/home-$1
	mkdir -p "$H/config" "$H/state" "$H/run"
	chmod 700 "$H/run"
	XDG_CONFIG_HOME=$H/config XDG_STATE_HOME=$H/state \
		XDG_RUNTIME_DIR=$H/run
	DBUS_SESSION_BUS_ADDRESS=unix:path=$H/run/no-bus
	export XDG_CONFIG_HOME XDG_STATE_HOME XDG_RUNTIME_DIR \
		DBUS_SESSION_BUS_ADDRESS
}

# run_setup NAME ARGS...: svopictl setup in NAME's home, non-interactive;
# output in $T/setup-NAME.out, exit status in SETUP_RC.
run_setup() {
	_rs=$1
	shift
	"$B/cli/svopictl" setup --non-interactive "$@" >"$T/setup-$_rs.out" 2>&1
	SETUP_RC=$?
	sed 's/^/# setup: /' "$T/setup-$_rs.out" >&2
}

# setup_args PASSWORD-FILE...: the flags of a complete setup for alice.
setup_args() {
	echo --uri sip:alice@$DOMAIN --proxy "$PROXY" \
		--trust-server "$TD_URL" --ca-file "$T/ca.crt"
}

# expect_part NAME STATUS PART: setup's output has "STATUS  PART:".
expect_part() {
	grep -q "^$2 *$3:" "$T/setup-$1.out" ||
		fail "$1: expected '$2 $3' in: $(cat "$T/setup-$1.out")"
	note "ok: $1 reports $2 $3"
}
