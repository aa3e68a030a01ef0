# Helpers for the notify-*.sh tests (sourced after lib.sh,
# svopid-common.sh, trustd-lib.sh and calls-common.sh): a virtual X
# display, dunst as the notification server on a daemon's private bus,
# svopi-notify beside it, and a log of every notification call on that
# bus (busctl monitor) read back by notify-log.py.

notify_need() {
	for tool in dunst dunstctl Xvfb busctl python3; do
		command -v "$tool" >/dev/null ||
			skip "no $tool (scripts/install-deps.sh installs dunst and xvfb)"
	done
}

# notify_x: Xvfb on a free display; sets DISPLAY.
notify_x() {
	itest_bg xvfb Xvfb -displayfd 1 -nolisten tcp -screen 0 1024x768x24
	# The display number is a line of digits alone; Xvfb's warnings go
	# to the same log (stderr) and may come first.
	itest_wait_for 15 grep -q '^[0-9][0-9]*$' "$T/xvfb.log" ||
		fail "Xvfb did not start"
	DISPLAY=:$(grep -m1 '^[0-9][0-9]*$' "$T/xvfb.log")
	export DISPLAY
	# Fakes on PATH: the dmenu dunst opens for its context menu picks the
	# line named in $T/dmenu-pick; the zenity svopi-notify opens for the
	# code prints $T/zenity-answer.
	mkdir -p "$T/fakebin"
	cat >"$T/fakebin/dmenu" <<EOS
#!/bin/sh
cat >"$T/dmenu-in.txt"
cat "$T/dmenu-in.txt" >>"$T/dmenu.log"
grep -m1 -F -- "\$(cat "$T/dmenu-pick")" "$T/dmenu-in.txt"
EOS
	cat >"$T/fakebin/zenity" <<EOS
#!/bin/sh
printf '%s\n' "\$*" >>"$T/zenity.log"
cat "$T/zenity-answer"
EOS
	# dunst's history does not say the urgency; a rule on critical
	# notifications runs a script that records what dunst classed so.
	cat >"$T/critical.sh" <<EOS
#!/bin/sh
printf '%s|%s|%s\n' "\$1" "\$2" "\$5" >>"$T/critical.log"
EOS
	chmod +x "$T/fakebin/dmenu" "$T/fakebin/zenity" "$T/critical.sh"
	{
		printf '[global]\ndmenu = %s -p dunst\n' "$T/fakebin/dmenu"
		printf '[critical]\nmsg_urgency = critical\nscript = %s\n' \
			"$T/critical.sh"
	} >"$T/dunstrc"
}

# notify_dunst NAME: dunst on NAME's bus; NAME_DUNST is its PID.
notify_dunst() {
	eval "_nd_bus=\$$1_BUS"
	DBUS_SESSION_BUS_ADDRESS=$_nd_bus itest_bg "dunst-$1" \
		dunst -config "$T/dunstrc"
	eval "$1_DUNST=\$ITEST_LAST_PID"
	# Asked without activation: the bus would start the system's dunst.
	itest_wait_for 10 sh -c "busctl --address='$_nd_bus' call \
		org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
		NameHasOwner s org.freedesktop.Notifications | grep -q true" ||
		fail "dunst $1 did not start"
}

# notify_start NAME: the bus monitor and svopi-notify on NAME's bus (the
# fakes first on PATH); NAME_NOTIFY is its PID.
# With NOTIFY_PATH set, that is its PATH instead (no fakes).
notify_start() {
	eval "_ns_bus=\$$1_BUS"
	[ -f "$T/busmon-$1.log" ] ||
		itest_bg "busmon-$1" busctl --address="$_ns_bus" monitor --json=short
	DBUS_SESSION_BUS_ADDRESS=$_ns_bus PATH="${NOTIFY_PATH:-$T/fakebin:$PATH}" \
		itest_bg "notify-$1" "$B/notify/svopi-notify" --log-level debug
	eval "$1_NOTIFY=\$ITEST_LAST_PID"
	itest_wait_for 10 grep -q "notification server" "$T/notify-$1.log" ||
		fail "svopi-notify $1 did not find the notification server"
}

# notify_forge NAME MEMBER ARGS...: a signal as from org.freedesktop.
# Notifications (MEMBER Notify...) or org.svopi.Daemon1, but sent by
# another connection, as any program in the session could.
notify_forge() {
	eval "_nf_bus=\$$1_BUS"
	case $2 in
	ActionInvoked|NotificationReplied)
		_nf_obj=/org/freedesktop/Notifications
		_nf_if=org.freedesktop.Notifications ;;
	*)
		_nf_obj=/org/svopi/Daemon1 _nf_if=org.svopi.Daemon1 ;;
	esac
	_nf_m=$2
	shift 2
	DBUS_SESSION_BUS_ADDRESS=$_nf_bus dbus-send --type=signal "$_nf_obj" \
		"$_nf_if.$_nf_m" "$@"
}

# dctl NAME ARGS...: dunstctl against NAME's bus.
dctl() {
	_dc_n=$1
	shift
	eval "DBUS_SESSION_BUS_ADDRESS=\$${_dc_n}_BUS" dunstctl '"$@"'
}

# note_last NAME REGEX: the newest notification at NAME whose summary
# matches, as JSON (fails when there is none).
note_last() {
	python3 "$S/tests/integration/notify-log.py" "$T/busmon-$1.log" last "$2"
}

note_shown() {
	note_last "$1" "$2" >/dev/null
}

# note_field NAME REGEX FIELD: one field of note_last (hints.urgency ...).
note_field() {
	note_last "$1" "$2" | python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k] if k in v else ""
print(json.dumps(v) if not isinstance(v, str) else v)' "$3"
}

# note_events NAME: every event at NAME, JSON lines.
note_events() {
	python3 "$S/tests/integration/notify-log.py" "$T/busmon-$1.log"
}

# note_pick NAME TEXT: picks the context-menu line with TEXT in NAME's
# dunst, as a person choosing an action there.
note_pick() {
	printf '%s\n' "$2" >"$T/dmenu-pick"
	dctl "$1" context || fail "dunstctl context at $1"
}

# notify_svopid_restart NAME: stops NAME's svopid and starts it again on
# the same bus (svopid_start would make a new bus).
notify_svopid_restart() {
	svopid_stop "$1"
	eval "_nr_bus=\$$1_BUS"
	DBUS_SESSION_BUS_ADDRESS=$_nr_bus itest_bg "svopid-$1" \
		"$B/daemon/svopid" --config "$T/$1.conf"
	eval "$1_PID=\$ITEST_LAST_PID"
	itest_wait_for 30 ctl "$1" status || fail "svopid $1 did not come back"
}

# notify_stop NAME: SIGTERM to svopi-notify; it must exit 0 without a
# sanitizer report.
notify_stop() {
	eval "_nx_pid=\$$1_NOTIFY"
	kill -TERM "$_nx_pid"
	wait "$_nx_pid"
	_nx_rc=$?
	[ "$_nx_rc" -eq 0 ] || fail "svopi-notify $1 exited $_nx_rc"
	if grep -E "ERROR: (Address|Leak)Sanitizer|runtime error:" \
	    "$T/notify-$1.log" >&2; then
		fail "sanitizer report in svopi-notify $1"
	fi
	note "ok: svopi-notify $1 stopped cleanly"
}
