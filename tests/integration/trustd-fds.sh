#!/bin/sh
# svopi-trustd out of file descriptors (issue 9): 2,000 idle TLS
# connections (slowloris) against a server limited to 1,024 fds. The
# server caps its connections below the limit by closing the idlest,
# backs off accept() instead of spinning, keeps its log small, and still
# answers legitimate validations.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/trustd-lib.sh"
itest_init trustd-fds
command -v python3 >/dev/null || skip "no python3"
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 4096 ] ||
	skip "the test client needs 4096 fds (hard limit $(ulimit -Hn))"
[ -x "$TD_BIN" ] || fail "no $TD_BIN"
itest_ca
itest_cert server
trustd_config "threads = 2"
trustd_users alice bob
# Info level: the log must stay small even without -d.
itest_bg trustd sh -c 'ulimit -n 1024 && exec "$0" "$@"' "$TD_BIN" \
	-c "$TD_CONF"
TD_PID=$ITEST_LAST_PID
itest_wait_port "$TD_PORT" 10
enroll alice
enroll bob

python3 "$S/tests/integration/trustd-raw.py" "$T/ca.crt" "$TD_PORT" \
	--slowloris 2000 40 "$T/ready" >"$T/slowloris.out" \
	2>"$T/slowloris.err" &
SL=$!
ITEST_PIDS="$ITEST_PIDS $SL"
itest_wait_for 120 test -e "$T/ready" ||
	fail "2000 connections not opened: $(cat "$T/slowloris.err")"
note "ok: 2000 idle connections opened (half of them TLS with half a head)"

ok=0
for i in $(seq 1 20); do
	HTTP=$(curl -sS --cacert "$T/ca.crt" -o "$T/out.json" -w '%{http_code}' \
		--max-time 20 --data-urlencode login=alice@example.org \
		--data-urlencode password=pw-alice \
		--data-urlencode peer=bob@example.org \
		--data-urlencode cert@"$T/bob-id.crt" \
		"$TD_URL/api/v1/validate" 2>>"$T/curl.err") || HTTP=000
	[ "$HTTP" = 200 ] && ok=$((ok + 1))
	fds=$(ls /proc/"$TD_PID"/fd 2>/dev/null | wc -l)
	[ "$fds" -le 1024 ] || fail "svopi-trustd holds $fds fds"
done
[ "$ok" = 20 ] || fail "$ok of 20 validations answered: $(cat "$T/curl.err")"
note "ok: 20 of 20 validations answered during the flood ($fds fds held)"
kill -0 "$SL" 2>/dev/null || fail "the flood ended early: $(cat "$T/slowloris.err")"

size=$(wc -c <"$T/trustd.log")
[ "$size" -lt 65536 ] || fail "log grew to $size bytes"
grep -q "connection cap reached" "$T/trustd.log" ||
	fail "no cap message: $(tail -5 "$T/trustd.log")"
note "ok: log is $size bytes, with the rate-limited cap message"

kill "$SL"
wait "$SL" 2>/dev/null
validate alice bob
expect_http 200 "validate after the flood"
trustd_stop
