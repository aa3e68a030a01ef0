#!/bin/sh
# svopi-mikey end to end: init | respond | finish between two RSA-3072
# identities with self-signed certificates (CN + SAN URI = the AOR) agree on
# the keys; the state file is private; a sample of flipped bytes in both
# messages is refused (every byte is flipped in test-mikey-msg); wrong
# identities are refused with the MIKEY reason; prf and derive agree with
# "openssl kdf TLS1-PRF" run per 256-bit chunk and XORed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init mikey-cli

M=$B/tools/svopi-mikey
[ -x "$M" ] || fail "no $M"
command -v openssl >/dev/null || skip "no openssl"

# ident NAME: RSA-3072 key and self-signed certificate for sip:NAME@example.org
ident() {
	openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 2 \
		-keyout "$T/$1.key" -out "$T/$1.crt" \
		-subj "/CN=$1@example.org" \
		-addext "subjectAltName=URI:sip:$1@example.org" \
		>/dev/null 2>&1 || fail "make identity $1"
	chmod 600 "$T/$1.key"
}
ident alice
ident bob
ident eve
A=sip:alice@example.org
Bo=sip:bob@example.org

init() {	# init STATEFILE > I
	"$M" init --key "$T/alice.key" --cert "$T/alice.crt" --id "$A" \
		--peer "$Bo" --state "$1"
}
respond() {	# respond < I > R 2> keys
	"$M" respond --key "$T/bob.key" --cert "$T/bob.crt" --id "$Bo" \
		--peer "$A" "$@"
}

# --- a whole exchange
init "$T/st" >"$T/i.b64" || fail "init"
mode=$(stat -c %a "$T/st")
[ "$mode" = 600 ] || fail "state file mode $mode, want 600"
note "ok: state file is 0600"
respond <"$T/i.b64" >"$T/r.b64" 2>"$T/r.keys" || fail "respond: $(cat "$T/r.keys")"
"$M" finish --state "$T/st" <"$T/r.b64" >"$T/i.keys" 2>"$T/finish.err" ||
	fail "finish: $(cat "$T/finish.err")"
grep -Eq '^cs1 tek=[0-9a-f]{32} salt=[0-9a-f]{28}$' "$T/i.keys" ||
	fail "finish output: $(cat "$T/i.keys")"
grep -Eq '^cs2 tek=[0-9a-f]{32} salt=[0-9a-f]{28}$' "$T/i.keys" ||
	fail "finish output: $(cat "$T/i.keys")"
cmp -s "$T/i.keys" "$T/r.keys" || fail "keys differ:
$(cat "$T/i.keys")
--
$(cat "$T/r.keys")"
note "ok: both sides derive the same keys"
[ "$(sed -n 's/^cs1 //p' "$T/i.keys")" != "$(sed -n 's/^cs2 //p' "$T/i.keys")" ] ||
	fail "cs1 and cs2 keys are equal"

# The state file is never overwritten (it holds the DH secret).
if init "$T/st" >/dev/null 2>&1; then
	fail "init overwrote an existing state file"
fi
note "ok: existing state file refused"

# decode shows every payload of both messages.
"$M" decode "$T/i.b64" >"$T/i.txt" || fail "decode I"
for p in 'HDR' 'T (5)' 'RAND (11)' 'ID (6)' 'CERT (7)' 'SP (10)' 'DH (3)' 'SIGN (4)'; do
	grep -q "^$p" "$T/i.txt" || fail "decode I lacks $p"
done
"$M" decode - <"$T/r.b64" >"$T/r.txt" || fail "decode R"
[ "$(grep -c '^DH (3)' "$T/r.txt")" = 2 ] || fail "decode R: not two DH payloads"
grep -q 'subject /CN=bob@example.org' "$T/r.txt" || fail "decode R: no certificate subject"
note "ok: decode"

# decode of malformed input names the offset.
base64 -d "$T/i.b64" >"$T/i.bin" || fail "base64"
head -c 100 "$T/i.bin" >"$T/short.bin"
if "$M" decode "$T/short.bin" >/dev/null 2>"$T/dec.err"; then
	fail "truncated message decoded"
fi
grep -q 'offset [0-9]' "$T/dec.err" || fail "no offset in: $(cat "$T/dec.err")"
note "ok: malformed input names the offset"

# --- tampering: flip one bit in a sample of bytes of I and of R.
# flip IN OFFSET OUT
flip() {
	cp "$1" "$3"
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $((b ^ 1)))" |
		dd of="$3" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
ilen=$(wc -c <"$T/i.bin")
for off in 0 1 3 5 9 12 20 30 40 60 100 500 1000 $((ilen - 400)) $((ilen - 200)) $((ilen - 1)); do
	flip "$T/i.bin" "$off" "$T/x.bin"
	if respond <"$T/x.bin" >/dev/null 2>&1; then
		fail "I with byte $off flipped was accepted"
	fi
done
note "ok: flipped bytes in I refused"
base64 -d "$T/r.b64" >"$T/r.bin" || fail "base64"
rlen=$(wc -c <"$T/r.bin")
for off in 0 2 4 8 11 25 40 100 700 $((rlen - 600)) $((rlen - 390)) $((rlen - 1)); do
	flip "$T/r.bin" "$off" "$T/x.bin"
	if "$M" finish --state "$T/st" <"$T/x.bin" >/dev/null 2>&1; then
		fail "R with byte $off flipped was accepted"
	fi
done
note "ok: flipped bytes in R refused"

# --- identities
if "$M" respond --key "$T/bob.key" --cert "$T/bob.crt" --id "$Bo" \
	--peer sip:carol@example.org <"$T/i.b64" >"$T/e.b64" 2>"$T/e.err"; then
	fail "respond accepted an unexpected peer"
fi
grep -q 'ERR 7 (ID not supported)' "$T/e.err" || fail "reason: $(cat "$T/e.err")"
"$M" decode "$T/e.b64" | grep -q 'data type 6 (Error)' ||
	fail "respond did not print a signed error message"
"$M" finish --state "$T/st" <"$T/e.b64" >/dev/null 2>"$T/f.err" &&
	fail "finish accepted an error message"
grep -q 'ERR 7' "$T/f.err" || fail "finish reason: $(cat "$T/f.err")"
note "ok: unexpected initiator refused with ERR 7"

# Eve answers alice's offer in bob's place: her cert names eve, not bob.
"$M" respond --key "$T/eve.key" --cert "$T/eve.crt" --id "$Bo" --peer "$A" \
	<"$T/i.b64" >"$T/eve.b64" 2>/dev/null || fail "eve respond"
if "$M" finish --state "$T/st" <"$T/eve.b64" >/dev/null 2>"$T/f.err"; then
	fail "finish accepted eve as bob"
fi
grep -q 'ERR 7' "$T/f.err" || fail "eve reason: $(cat "$T/f.err")"
note "ok: impostor responder refused"

# An answer to another offer is refused.
init "$T/st2" >"$T/i2.b64" || fail "init 2"
respond <"$T/i2.b64" >"$T/r2.b64" 2>/dev/null || fail "respond 2"
if "$M" finish --state "$T/st" <"$T/r2.b64" >/dev/null 2>&1; then
	fail "finish accepted an answer to another offer"
fi
"$M" finish --state "$T/st2" <"$T/r2.b64" >/dev/null || fail "finish 2"
note "ok: answers bind to their offer"

# --- other suites
for suite in AES_CM_128_HMAC_SHA1_32 AES_256_CM_HMAC_SHA1_80 AEAD_AES_128_GCM AEAD_AES_256_GCM; do
	rm -f "$T/st3"
	"$M" init --key "$T/alice.key" --cert "$T/alice.crt" --id "$A" \
		--peer "$Bo" --state "$T/st3" --suite "$suite" --pss \
		>"$T/i3.b64" || fail "init $suite"
	respond --pss <"$T/i3.b64" >"$T/r3.b64" 2>"$T/r3.keys" ||
		fail "respond $suite: $(cat "$T/r3.keys")"
	"$M" finish --state "$T/st3" <"$T/r3.b64" >"$T/i3.keys" ||
		fail "finish $suite"
	cmp -s "$T/i3.keys" "$T/r3.keys" || fail "$suite keys differ"
done
note "ok: all suites, RSA-PSS"

# --- PRF against openssl kdf TLS1-PRF (digest SHA1), chunked and XORed.
# hexbytes HEX: the bytes as decimal words
hexbytes() {
	echo "$1" | sed 's/../& /g'
}
# xorhex A B: A xor B, both hex of the same length
xorhex() {
	set -- "$(hexbytes "$1")" "$(hexbytes "$2")"
	out=
	b=$2
	for x in $1; do
		y=${b%% *}
		b=${b#* }
		out=$out$(printf %02x $((0x$x ^ 0x$y)))
	done
	echo "$out"
}
# refprf KEYHEX LABELHEX BYTES
refprf() {
	key=$1
	acc=
	while [ -n "$key" ]; do
		chunk=$(printf %s "$key" | cut -c1-64)
		key=$(printf %s "$key" | cut -c65-)
		r=$(openssl kdf -keylen "$3" -kdfopt digest:SHA1 \
			-kdfopt "hexsecret:$chunk" -kdfopt "hexseed:$2" TLS1-PRF |
			tr -d ':\n' | tr 'A-F' 'a-f') || return 1
		if [ -z "$acc" ]; then acc=$r; else acc=$(xorhex "$acc" "$r"); fi
	done
	echo "$acc"
}
v1=$("$M" prf --key 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b \
	--label 7072662d74657374 --bytes 48)
[ "$v1" = cdd37398b32b3fa4189d729e74f2b7c5774edccec76fdb142dfc6a8d9c11f8cdd1e5fffea7ea9cc9ad35dfbe06b10c14 ] ||
	fail "PRF vector V1: $v1"
ref=$(refprf 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b 7072662d74657374 48) ||
	skip "openssl kdf TLS1-PRF not available"
[ "$v1" = "$ref" ] || fail "V1 vs openssl kdf: $ref"
note "ok: PRF vector V1 = openssl kdf"

tgk=$(openssl rand -hex 192)
rand=$(openssl rand -hex 16)
csb=1a2b3c4d
"$M" derive --tgk "$tgk" --rand "$rand" --csb-id "$csb" --cs-id 2 >"$T/d.out" ||
	fail "derive"
tek=$(sed -n 's/^tek=//p' "$T/d.out")
salt=$(sed -n 's/^salt=//p' "$T/d.out")
want_tek=$(refprf "$tgk" "2ad01c6402$csb$rand" 16)
want_salt=$(refprf "$tgk" "39a2c14b02$csb$rand" 14)
[ "$tek" = "$want_tek" ] || fail "derive TEK $tek, openssl $want_tek"
[ "$salt" = "$want_salt" ] || fail "derive salt $salt, openssl $want_salt"
note "ok: derive (192-byte TGK, 6 chunks) = openssl kdf"
"$M" derive --tgk "$tgk" --rand "$rand" --csb-id "$csb" --cs-id 1 \
	--suite AEAD_AES_256_GCM >"$T/d2.out" || fail "derive GCM"
[ "$(sed -n 's/^tek=//p' "$T/d2.out" | tr -d '\n' | wc -c)" = 64 ] ||
	fail "GCM-256 TEK length"
[ "$(sed -n 's/^salt=//p' "$T/d2.out" | tr -d '\n' | wc -c)" = 24 ] ||
	fail "GCM salt length"
note "ok: derive lengths per suite"

exit 0
