#!/bin/sh
# Faults (issue 9, make check-long): FAULT_ROUNDS rounds (default 100),
# each bounded in time, that kill -9 one of svopid alice, svopid bob or
# svopi-trustd at a random moment during an enrolment, a validation or a
# call, then restart it. After every restart: PRAGMA integrity_check passes
# on all three stores, no answered write is lost (the relationship made at
# first contact, alice's answered enrolment), nothing is half-written (the
# relationship still binds both current fingerprints), and the next call
# works.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
itest_init faults-kill
command -v curl >/dev/null || skip "no curl"
command -v sqlite3 >/dev/null || skip "no sqlite3"
ROUNDS=${FAULT_ROUNDS:-100}
ALICE_AUTO_ANSWER=yes calls_pair_conf
calls_pair_start
calls_first_contact alice bob "$BOB_URI"
note "ok: first contact done; $ROUNDS rounds of kill -9"

# restart_svopid NAME ROUND: on the same bus, a fresh log.
restart_svopid() {
	eval "_bus=\$$1_BUS"
	DBUS_SESSION_BUS_ADDRESS=$_bus itest_bg "svopid-$1-r$2" \
		"$B/daemon/svopid" --config "$T/$1.conf"
	eval "$1_PID=\$ITEST_LAST_PID"
	itest_wait_for 30 ctl "$1" status || fail "round $2: svopid $1 did not come back"
	itest_wait_for 30 is_registered "$1" || fail "round $2: $1 not registered again"
}

# bus_name_free NAME: nobody owns org.svopi.Daemon1 on NAME's bus.
bus_name_free() {
	eval "_bus=\$$1_BUS"
	! busctl --address="$_bus" status org.svopi.Daemon1 >/dev/null 2>&1
}

restart_trustd() {
	itest_bg "trustd-r$1" "$TD_BIN" -c "$TD_CONF" -d
	TD_PID=$ITEST_LAST_PID
	itest_wait_port "$TD_PORT" 10
}

# fp_norm: a fingerprint in any of our formats as bare lowercase hex.
fp_norm() {
	tr -d ':\n' | tr 'A-F' 'a-f'
}

stores_ok() {
	for db in "$T/alice-state/trust.db" "$T/bob-state/trust.db" "$TD_DB"; do
		ic=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
		[ "$ic" = ok ] || fail "round $1: integrity_check of $db: $ic"
	done
	# The relationship made at first contact binds both current
	# fingerprints (never half-written, never lost).
	n=$(sqlite3 "$TD_DB" "SELECT count(*) FROM relationships r
		JOIN users a ON a.id = r.a JOIN users b ON b.id = r.b
		WHERE r.fp_a = a.fingerprint AND r.fp_b = b.fingerprint")
	[ "$n" -ge 1 ] || fail "round $1: relationship lost at trustd"
	for u in alice bob; do
		ctl "$u" trust list | grep -q ' trusted' ||
			fail "round $1: $u lost the relationship: $(ctl "$u" trust list)"
	done
	# alice's answered enrolment: the reference is her current key.
	ref=$(sqlite3 "$TD_DB" "SELECT fingerprint FROM users WHERE login = 'alice@$DOMAIN'" | fp_norm)
	own=$(ctl alice --json status | json_field fingerprint | fp_norm)
	[ "$ref" = "$own" ] || fail "round $1: alice's reference is not her key"
}

rand() {	# rand N: 0..N-1
	echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 ))
}

r=1
kills_a=0 kills_b=0 kills_t=0
while [ "$r" -le "$ROUNDS" ]; do
	case $(rand 3) in
	0) ( ctl alice enroll >/dev/null 2>&1 ) & ;;
	1) ( ctl alice call "$BOB_URI" --wait --timeout 5 >/dev/null 2>&1 ) & ;;
	*) ( ctl bob call "sip:alice@$DOMAIN" --wait \
		--timeout 5 >/dev/null 2>&1 ) & ;;
	esac
	job=$!
	sleep "0.$(rand 10)$(rand 10)"
	case $(rand 3) in
	0) kill -9 "$alice_PID"; victim=alice; kills_a=$((kills_a + 1)) ;;
	1) kill -9 "$bob_PID"; victim=bob; kills_b=$((kills_b + 1)) ;;
	*) kill -9 "$TD_PID"; victim=trustd; kills_t=$((kills_t + 1)) ;;
	esac
	# The interrupted request ends (answered or failed) within bounds.
	itest_wait_for 15 sh -c "! kill -0 $job 2>/dev/null" ||
		{ kill "$job" 2>/dev/null; fail "round $r: a client hung after the kill"; }
	wait "$job" 2>/dev/null
	# The killed process must be gone (reaped: its sockets closed) and
	# its bus name released before the restart, as systemd waits for a
	# dead service's cgroup to empty; a dying ASan process takes a while.
	case $victim in
	trustd) wait "$TD_PID" 2>/dev/null ;;
	*) eval "wait \$${victim}_PID" 2>/dev/null
	   itest_wait_for 10 bus_name_free "$victim" ||
		fail "round $r: the bus name of the killed $victim stays owned" ;;
	esac
	case $victim in
	trustd) restart_trustd "$r" ;;
	*) restart_svopid "$victim" "$r" ;;
	esac
	stores_ok "$r"
	ctl alice --json call "$BOB_URI" --wait --timeout 10 >"$T/call-r$r.json" ||
		fail "round $r (killed $victim): the next call failed: $(cat "$T/call-r$r.json")"
	r=$((r + 1))
done
note "ok: $ROUNDS rounds: killed alice $kills_a, bob $kills_b, trustd $kills_t times"
if grep -lE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T"/svopid-*.log "$T"/trustd*.log >&2; then
	fail "sanitizer report"
fi
svopid_stop alice
svopid_stop bob
exit 0
