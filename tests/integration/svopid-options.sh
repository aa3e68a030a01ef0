#!/bin/sh
# Dial and Answer options the daemon does not implement yet are refused
# with InvalidArgs, never silently ignored (issue 8, "Promises kept";
# docs/decisions.md). Driven with busctl, as any D-Bus client would.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
itest_init svopid-options
command -v busctl >/dev/null || skip "no busctl"
itest_ca
svopid_conf olga
svopid_start olga

# dial URI OPTIONS...: busctl call of Dial; output in $T/out.txt.
dial() {
	busctl --address="$olga_BUS" call org.svopi.Daemon1 \
		/org/svopi/Daemon1 org.svopi.Daemon1 Dial 'sa{sv}' "$@" \
		>"$T/out.txt" 2>&1
}

for opt in play record; do
	dial "sip:nobody@127.0.0.1:$olga_TLS" 1 "$opt" s "$T/file.wav" &&
		fail "$opt accepted: $(cat "$T/out.txt")"
	check "$opt refused with InvalidArgs" grep -q \
		"option \"$opt\" is not supported yet" "$T/out.txt"
done
dial "sip:nobody@127.0.0.1:$olga_TLS" 1 volume u 3 &&
	fail "unknown key accepted: $(cat "$T/out.txt")"
check "an unknown key is refused" grep -q 'unknown option "volume"' \
	"$T/out.txt"
# The error name, as gdbus prints it (busctl prints only the text).
if command -v gdbus >/dev/null; then
	gdbus call --address "$olga_BUS" --dest org.svopi.Daemon1 \
		--object-path /org/svopi/Daemon1 \
		--method org.svopi.Daemon1.Dial \
		"sip:nobody@127.0.0.1:$olga_TLS" "{'play': <'x.wav'>}" \
		>"$T/gdbus.txt" 2>&1 && fail "gdbus: play accepted"
	check "the error is org.freedesktop.DBus.Error.InvalidArgs" grep -q \
		'org.freedesktop.DBus.Error.InvalidArgs' "$T/gdbus.txt"
else
	note "no gdbus: the error name itself is not checked"
fi
check "no call was made for a refused Dial" sh -c \
	"! DBUS_SESSION_BUS_ADDRESS='$olga_BUS' '$B/cli/svopictl' calls | grep -q nobody"
dial "sip:nobody@127.0.0.1:$olga_TLS" 0 || fail "Dial without options: $(cat "$T/out.txt")"
check "without options Dial returns the call" grep -q '^o "/org/svopi/Call/' \
	"$T/out.txt"
svopid_stop olga
