#!/bin/sh
# sd_notify protocol as systemd (Type=notify, WatchdogSec) would see it:
# READY=1 with a STATUS once listening, WATCHDOG=1 at half the watchdog
# interval, STOPPING=1 on SIGTERM. A python listener plays systemd's
# notify socket.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
itest_init svopid-notify
itest_ca
svopid_conf frank
itest_bg notify python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
while True:
    print(s.recv(4096).decode().replace("\n", " | "), flush=True)
' "$T/notify"
itest_wait_for 5 test -S "$T/notify" || fail "notify socket"
itest_dbus frank
frank_BUS=$ITEST_BUS
DBUS_SESSION_BUS_ADDRESS=$frank_BUS NOTIFY_SOCKET=$T/notify \
	WATCHDOG_USEC=1000000 itest_bg svopid-frank \
	"$B/daemon/svopid" --config "$T/frank.conf"
frank_PID=$ITEST_LAST_PID
itest_wait_for 30 grep -q "READY=1" "$T/notify.log" || fail "no READY=1"
check "READY came with a STATUS" grep -q "READY=1 | STATUS=running as sip:frank@$DOMAIN" "$T/notify.log"
check "the bus answers once READY" ctl frank status
# The installed interface XML is the contract: the live object must
# offer exactly its members, with the same signatures.
busctl --address="$frank_BUS" introspect --xml-interface org.svopi.Daemon1 \
	/org/svopi/Daemon1 >"$T/live.xml" || fail "introspect"
python3 "$S/tests/integration/dbus-xml-match.py" org.svopi.Daemon1 \
	"$S/dbus/org.svopi.Daemon1.xml" "$T/live.xml" >&2 || fail "D-Bus XML and the daemon differ"
note "ok: dbus/org.svopi.Daemon1.xml matches the live object"
sleep 2.2
n=$(grep -c "WATCHDOG=1" "$T/notify.log")
note "WATCHDOG=1 sent $n times in about 2 s (interval 1 s)"
check "watchdog pings at half the interval" [ "$n" -ge 3 ]
# svopictl: calls on an idle daemon is an empty list; usage errors exit 2.
ctl frank --json calls >"$T/calls.json" 2>"$T/calls.err"
check "calls: exit 0" [ $? -eq 0 ]
check "calls: empty JSON array" [ "$(cat "$T/calls.json")" = "[]" ]
ctl frank call >/dev/null 2>&1
check "call without URI: exit 2" [ $? -eq 2 ]
ctl frank frobnicate >/dev/null 2>&1
check "unknown verb: exit 2" [ $? -eq 2 ]
ctl frank ping >/dev/null 2>&1
check "ping without URI: exit 2" [ $? -eq 2 ]
ctl frank ping "not a uri" >/dev/null 2>&1
check "ping with a bad URI fails" [ $? -eq 1 ]
DBUS_SESSION_BUS_ADDRESS=unix:path=$T/nobus "$B/cli/svopictl" status >/dev/null 2>&1
check "no bus: exit 1" [ $? -eq 1 ]

svopid_stop frank
check "STOPPING=1 on SIGTERM" grep -q "STOPPING=1" "$T/notify.log"

# Bash completion (works with or without the bash-completion package).
if command -v bash >/dev/null; then
	comp=$(bash -c '. "$1"; c() { COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _svopictl; echo "${COMPREPLY[*]}"; }
		c svopictl --json st; c svopictl vuc ""; c svopictl trust f' _ \
		"$S/cli/completion/svopictl" | tr '\n' '|')
	check "bash completion ($comp)" [ "$comp" = "status|list enter|forget|" ]
fi

# Configuration errors name file and line, and stop the daemon.
printf '[account]\nuri = sip:x@%s\n[sip]\nlisten = tls:127.0.0.1\n' "$DOMAIN" >"$T/bad.conf"
"$B/daemon/svopid" --config "$T/bad.conf" --check-config 2>"$T/bad.err"
check "bad config: exit 1" [ $? -eq 1 ]
check "bad config: file:line" grep -q "$T/bad.conf:4: listen" "$T/bad.err"
check "good config passes --check-config" \
	"$B/daemon/svopid" --config "$T/frank.conf" --check-config
exit 0
