#!/bin/sh
# Dial and Answer options: unknown keys, a wrong type, and a play file
# that cannot be read are refused with InvalidArgs before anything is
# dialled, never silently ignored (issue 8, "Promises kept";
# docs/decisions.md; play/record themselves: calls-voice.sh). Driven with
# busctl, as any D-Bus client would.
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

dial "sip:nobody@$DOMAIN:$olga_TLS;maddr=127.0.0.1" 1 play s "$T/file.wav" &&
	fail "a missing play file accepted: $(cat "$T/out.txt")"
check "a missing play file is refused" grep -q \
	"cannot play \"$T/file.wav\": No such file" "$T/out.txt"
dial "sip:nobody@$DOMAIN:$olga_TLS;maddr=127.0.0.1" 1 record u 3 &&
	fail "record of type u accepted: $(cat "$T/out.txt")"
check "an option of the wrong type is refused" grep -q \
	'option "record" must be of type s' "$T/out.txt"
dial "sip:nobody@$DOMAIN:$olga_TLS;maddr=127.0.0.1" 1 record s "out.wav" &&
	fail "a relative record path accepted: $(cat "$T/out.txt")"
check "a relative path is refused" grep -q \
	'option "record" must be an absolute file path' "$T/out.txt"
dial "sip:nobody@$DOMAIN:$olga_TLS;maddr=127.0.0.1" 1 volume u 3 &&
	fail "unknown key accepted: $(cat "$T/out.txt")"
check "an unknown key is refused" grep -q 'unknown option "volume"' \
	"$T/out.txt"
# The error name, as gdbus prints it (busctl prints only the text).
if command -v gdbus >/dev/null; then
	gdbus call --address "$olga_BUS" --dest org.svopi.Daemon1 \
		--object-path /org/svopi/Daemon1 \
		--method org.svopi.Daemon1.Dial \
		"sip:nobody@$DOMAIN:$olga_TLS;maddr=127.0.0.1" "{'play': <'x.wav'>}" \
		>"$T/gdbus.txt" 2>&1 && fail "gdbus: play accepted"
	check "the error is org.freedesktop.DBus.Error.InvalidArgs" grep -q \
		'org.freedesktop.DBus.Error.InvalidArgs' "$T/gdbus.txt"
else
	note "no gdbus: the error name itself is not checked"
fi
check "no call was made for a refused Dial" sh -c \
	"! DBUS_SESSION_BUS_ADDRESS='$olga_BUS' '$B/cli/svopictl' calls | grep -q nobody"
dial "sip:nobody@$DOMAIN:$olga_TLS;maddr=127.0.0.1" 0 || fail "Dial without options: $(cat "$T/out.txt")"
check "without options Dial returns the call" grep -q '^o "/org/svopi/Call/' \
	"$T/out.txt"

# Other D-Bus arguments are checked before anything is done with them.
bus() {
	busctl --address="$olga_BUS" call org.svopi.Daemon1 \
		/org/svopi/Daemon1 org.svopi.Daemon1 "$@" >"$T/out.txt" 2>&1
}
bus EnterVuc ss "" "1234-5678" && fail "EnterVuc without a peer accepted"
check "EnterVuc(\"\", code): says the peer is missing" grep -q "no peer given" "$T/out.txt"
bus EnterVuc ss "sip:bob@$DOMAIN" "12ab-5678" && fail "a malformed code accepted"
check "EnterVuc with a malformed code: refused here" grep -q "8 digits" "$T/out.txt"
bus EnterVuc ss "sip:bob@$DOMAIN" "" && fail "an empty code accepted"
check "EnterVuc with an empty code: refused here" grep -q "8 digits" "$T/out.txt"
bus TrustForget s "" && fail "TrustForget without a peer accepted"
check "TrustForget(\"\"): says the peer is missing" grep -q "no peer given" "$T/out.txt"
svopid_stop olga
