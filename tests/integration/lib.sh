# Shared helpers for integration tests (sourced, POSIX sh + bash features
# used sparingly). Every test gets a private folder, starts real processes
# on loopback, records their PIDs and kills exactly those on exit.
#
#   . "$top_srcdir/tests/integration/lib.sh"
#   itest_init name
#   itest_bg trustd "$B/trustd/svopi-trustd" -c "$T/trustd.conf"
#   ... assertions with fail / check ...

set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
B=$top_builddir
S=$top_srcdir
# The SIP domain the test proxy serves (Kamailio's alias): users are
# sip:NAME@$DOMAIN, as in a deployment, never at an IP literal.
DOMAIN=svopi.test
T=
ITEST_PIDS=

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

note() {
	echo "# $*" >&2
}

# check DESCRIPTION COMMAND...: runs the command and fails the test with the
# description if it does not succeed.
check() {
	desc=$1
	shift
	"$@" || fail "$desc"
	note "ok: $desc"
}

itest_cleanup() {
	rc=$?
	# Only the test's own shell cleans up: a subshell or background job that
	# ran the inherited EXIT trap would kill the services and delete $T under
	# the running test.
	[ "$(exec sh -c 'echo $PPID')" = "$ITEST_MAIN" ] || exit "$rc"
	for pid in $ITEST_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $ITEST_PIDS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	done
	# Network namespaces a test made (itest_netns).
	for ns in ${ITEST_NETNS:-}; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "$T" ]; then
		# Show the logs of a failed test in its .log file.
		for f in "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "=== $f (last 40 lines)" >&2
			tail -n 40 "$f" >&2
		done
	fi
	[ -n "$T" ] && [ -z "${ITEST_KEEP:-}" ] && rm -rf "$T"
	exit "$rc"
}

# itest_init NAME: private folder $T, cleanup on exit.
itest_init() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/svopi-$1.XXXXXX") || fail "mktemp"
	ITEST_MAIN=$(exec sh -c 'echo $PPID')
	trap itest_cleanup EXIT
	trap 'exit 143' TERM INT
}

# itest_bg NAME COMMAND...: starts COMMAND in the background with output in
# $T/NAME.log and remembers its PID (also printed on stdout... not: set in
# $ITEST_LAST_PID).
itest_bg() {
	name=$1
	shift
	"$@" >"$T/$name.log" 2>&1 &
	ITEST_LAST_PID=$!
	ITEST_PIDS="$ITEST_PIDS $ITEST_LAST_PID"
}

# Ports of tests running in parallel (make -j) must not meet:
#  10000-19999  listening service ports (itest_port, svopid_port);
#  20000-29999  RTP ranges of the call tests ([media] rtp_ports);
#  30000-32567  the media driver's ranges (itest_port_range).
# All of it is below the kernel's ephemeral range (32768 on Debian): a port
# in that range can be taken at any moment by an outgoing connection of a
# parallel test, which ss cannot foresee.

# itest_port_range N: "LO-HI", N ports from an even LO in 30000-32567.
itest_port_range() {
	_lo=$(( 30000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % (2568 - $1) ))
	_lo=$(( _lo - _lo % 2 ))
	echo "$_lo-$(( _lo + $1 - 1 ))"
}

# itest_port: a free TCP+UDP service port on 127.0.0.1 (10000-19999).
itest_port() {
	for _ in $(seq 1 50); do
		p=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 10000 ))
		if ! ss -Hltnu "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	fail "no free port"
}

# itest_wait_port PORT [SECONDS]: waits until something listens on TCP PORT.
itest_wait_port() {
	n=$(( ${2:-10} * 10 ))
	while [ "$n" -gt 0 ]; do
		ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.1
		n=$((n - 1))
	done
	fail "nothing listens on port $1"
}

# itest_wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s.
itest_wait_for() {
	n=$(( $1 * 10 ))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# itest_ca: a throwaway CA in $T/ca.crt, $T/ca.key.
itest_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/ca.key" -out "$T/ca.crt" -days 2 \
		-subj "/CN=svopi test CA" >/dev/null 2>&1 || fail "make CA"
}

# itest_cert NAME: a server certificate for 127.0.0.1 and localhost, signed
# by the test CA, in $T/NAME.crt and $T/NAME.key.
itest_cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$1.key" -out "$T/$1.csr" -subj "/CN=127.0.0.1" \
		>/dev/null 2>&1 || fail "make key $1"
	# ITEST_CERT_SAN: more names, e.g. "IP:10.88.1.1,DNS:svopi.test".
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost%s\n' \
		"${ITEST_CERT_SAN:+,$ITEST_CERT_SAN}" >"$T/$1.ext"
	openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
		-CAcreateserial -days 2 -extfile "$T/$1.ext" -out "$T/$1.crt" \
		>/dev/null 2>&1 || fail "sign cert $1"
	chmod 600 "$T/$1.key"
}

# itest_netns NAME: a fresh network namespace NAME with lo up, deleted at
# exit; skips the test (77) where namespaces cannot be made (not root).
itest_netns() {
	command -v ip >/dev/null || skip "no ip (iproute2)"
	ip netns add "$1" 2>"$T/netns.err" ||
		skip "cannot make a network namespace: $(cat "$T/netns.err")"
	ITEST_NETNS="${ITEST_NETNS:-} $1"
	ip -n "$1" link set lo up || fail "lo up in $1"
}

# itest_dbus NAME: a private session bus; sets ITEST_BUS to its address.
itest_dbus() {
	command -v dbus-daemon >/dev/null || skip "no dbus-daemon"
	ITEST_BUS="unix:path=$T/bus-$1"
	itest_bg "dbus-$1" dbus-daemon --session --nofork --nopidfile \
		--address="$ITEST_BUS"
	itest_wait_for 5 test -S "$T/bus-$1" || fail "dbus-daemon $1"
}

# itest_kamailio USER:PASSWORD...: Kamailio from tests/data/kamailio with
# TLS, on fresh ports KAM_PORT (UDP/TCP) and KAM_TLS_PORT. Needs itest_ca.
# It serves the domain $DOMAIN (alias). KAM_EXTRA_LISTEN=IP: it also
# listens on IP (same ports); the certificate then needs ITEST_CERT_SAN.
itest_kamailio() {
	command -v kamailio >/dev/null || skip "no kamailio"
	KAM_DIR=$T/kamailio
	mkdir -p "$KAM_DIR"
	users=
	for up in "$@"; do
		users="$users\$sht(users=>${up%%:*}) = \"${up#*:}\";\n"
	done
	itest_cert kamailio
	cp "$T/kamailio.crt" "$KAM_DIR/server.crt"
	cp "$T/kamailio.key" "$KAM_DIR/server.key"
	cp "$T/ca.crt" "$KAM_DIR/ca.crt"
	# A port another process grabbed between our look and Kamailio's bind
	# makes it exit: try again on fresh ports.
	for attempt in 1 2 3; do
		KAM_PORT=$(itest_port)
		KAM_TLS_PORT=$(itest_port)
		[ "$KAM_PORT" != "$KAM_TLS_PORT" ] || continue
		sed -e "s|@DIR@|$KAM_DIR|g" -e "s|@PORT@|$KAM_PORT|g" \
			-e "s|@TLSPORT@|$KAM_TLS_PORT|g" \
			"$S/tests/data/kamailio/tls.cfg.in" >"$KAM_DIR/tls.cfg"
		sed -e "s|@DIR@|$KAM_DIR|g" -e "s|@PORT@|$KAM_PORT|g" \
			-e "s|@TLSPORT@|$KAM_TLS_PORT|g" \
			-e "s|@USERS@|$users|" -e "s|@DOMAIN@|$DOMAIN|g" \
			"$S/tests/data/kamailio/kamailio.cfg.in" \
			>"$KAM_DIR/kamailio.cfg"
		if [ -n "${KAM_EXTRA_LISTEN:-}" ]; then
			_x=$KAM_EXTRA_LISTEN
			sed -i "/^listen=tls:/a alias=\"$_x:$KAM_PORT\"\nalias=\"$_x:$KAM_TLS_PORT\"\nlisten=udp:$_x:$KAM_PORT\nlisten=tcp:$_x:$KAM_PORT\nlisten=tls:$_x:$KAM_TLS_PORT" \
				"$KAM_DIR/kamailio.cfg"
		fi
		kamailio -c -f "$KAM_DIR/kamailio.cfg" \
			>"$T/kamailio-check.log" 2>&1 ||
			fail "kamailio config check"
		itest_bg kamailio kamailio -f "$KAM_DIR/kamailio.cfg" -DD -E \
			-m 64 -M 8 -P "$KAM_DIR/kamailio.pid"
		kam_pid=$ITEST_LAST_PID
		if itest_wait_for 15 sh -c \
		    "kill -0 $kam_pid &&
		     ss -Hltn 'sport = :$KAM_TLS_PORT' | grep -q . &&
		     ss -Hltn 'sport = :$KAM_PORT' | grep -q ."; then
			return 0
		fi
		note "kamailio did not listen on $KAM_TLS_PORT (attempt $attempt)"
		kill -TERM "$kam_pid" 2>/dev/null
		itest_wait_for 5 sh -c "! kill -0 $kam_pid 2>/dev/null"
	done
	fail "kamailio did not start"
}
