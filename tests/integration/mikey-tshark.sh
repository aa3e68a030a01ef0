#!/bin/sh
# Wireshark as an independent MIKEY decoder: an I_MESSAGE, an R_MESSAGE and
# a signed error message built by svopi-mikey are wrapped in UDP/2269
# packets (text2pcap); tshark must decode every payload, flag nothing as
# malformed, and see the values we meant (data types, DH group, S types,
# SP parameters, ERR code). The signature over the message is checked with
# "openssl pkeyutl" as a second, independent verifier.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init mikey-tshark

M=$B/tools/svopi-mikey
[ -x "$M" ] || fail "no $M"
command -v tshark >/dev/null || skip "no tshark"
command -v text2pcap >/dev/null || skip "no text2pcap"

ident() {
	openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 2 \
		-keyout "$T/$1.key" -out "$T/$1.crt" \
		-subj "/CN=$1@example.org" \
		-addext "subjectAltName=URI:sip:$1@example.org" \
		>/dev/null 2>&1 || fail "make identity $1"
}
ident alice
ident bob
A=sip:alice@example.org
Bo=sip:bob@example.org

"$M" init --key "$T/alice.key" --cert "$T/alice.crt" --id "$A" --peer "$Bo" \
	--state "$T/st" >"$T/i.b64" || fail "init"
"$M" respond --key "$T/bob.key" --cert "$T/bob.crt" --id "$Bo" --peer "$A" \
	--pss <"$T/i.b64" >"$T/r.b64" 2>/dev/null || fail "respond"
# An offer bob cannot accept (he expects carol) gives a signed error.
if "$M" respond --key "$T/bob.key" --cert "$T/bob.crt" --id "$Bo" \
	--peer sip:carol@example.org <"$T/i.b64" >"$T/e.b64" 2>/dev/null; then
	fail "respond accepted carol"
fi
for m in i r e; do
	base64 -d "$T/$m.b64" >"$T/$m.bin" || fail "base64 $m"
done

# One packet per message: od restarts its offsets at 0 for each.
for m in i r e; do
	od -Ax -tx1 -v "$T/$m.bin"
done >"$T/hex.txt"
text2pcap -q -u 2269,2269 "$T/hex.txt" "$T/mikey.pcap" >"$T/text2pcap.log" 2>&1 ||
	fail "text2pcap: $(cat "$T/text2pcap.log")"

tshark -r "$T/mikey.pcap" -V >"$T/tshark.txt" 2>&1 || fail "tshark"
[ "$(tshark -r "$T/mikey.pcap" -Y mikey 2>/dev/null | wc -l)" = 3 ] ||
	fail "tshark does not see three MIKEY messages"
malformed=$(tshark -r "$T/mikey.pcap" -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null)
[ -z "$malformed" ] || fail "tshark flags: $malformed"
note "ok: three MIKEY messages, nothing malformed"
# Control: the same filter does flag a truncated message.
head -c 700 "$T/i.bin" >"$T/cut.bin"
od -Ax -tx1 -v "$T/cut.bin" >"$T/cut.txt"
text2pcap -q -u 2269,2269 "$T/cut.txt" "$T/cut.pcap" >/dev/null 2>&1 ||
	fail "text2pcap cut"
[ -n "$(tshark -r "$T/cut.pcap" -Y '_ws.malformed' 2>/dev/null)" ] ||
	fail "tshark does not flag a truncated message: the check is blind"
note "ok: a truncated message is flagged (control)"

# field FILTER FIELD...: tshark's values for packets matching FILTER
field() {
	f=$1
	shift
	args=
	for x in "$@"; do args="$args -e $x"; done
	# shellcheck disable=SC2086
	tshark -r "$T/mikey.pcap" -Y "$f" -T fields -E 'separator=;' $args 2>/dev/null
}
expect() {	# expect DESCRIPTION GOT WANT
	[ "$2" = "$3" ] || fail "$1: tshark says '$2', want '$3'"
	note "ok: $1 = $3"
}
expect "data types" "$(field mikey mikey.type | tr '\n' ' ')" "4 5 6 "
expect "I next payloads" "$(field 'mikey.type == 4' mikey.next_payload)" \
	"5,11,6,7,6,10,3,4"
expect "R next payloads" "$(field 'mikey.type == 5' mikey.next_payload)" \
	"5,6,7,6,3,3,4"
expect "E next payloads" "$(field 'mikey.type == 6' mikey.next_payload)" \
	"5,12,4"
expect "I CS map" "$(field 'mikey.type == 4' mikey.cs_count mikey.cs_id_map_type)" "2;0"
expect "I DH" "$(field 'mikey.type == 4' mikey.dh.group mikey.dh.kv)" "0;0"
expect "R DH" "$(field 'mikey.type == 5' mikey.dh.group mikey.dh.kv)" "0,0;0,0"
expect "I SIGN" "$(field 'mikey.type == 4' mikey.sign.type mikey.sign.len)" "0;384"
expect "R SIGN" "$(field 'mikey.type == 5' mikey.sign.type mikey.sign.len)" "1;384"
expect "E SIGN" "$(field 'mikey.type == 6' mikey.sign.type mikey.sign.len)" "0;384"
expect "I RAND" "$(field 'mikey.type == 4' mikey.rand.len)" "16"
expect "I T" "$(field 'mikey.type == 4' mikey.t.ts_type)" "0"
expect "I IDs" "$(field 'mikey.type == 4' mikey.id.type mikey.id.data)" \
	"1,1;$A,$Bo"
expect "R IDs" "$(field 'mikey.type == 5' mikey.id.data)" "$Bo,$A"
expect "I CERT type" "$(field 'mikey.type == 4' mikey.cert.type)" "0"
expect "I SP" "$(field 'mikey.type == 4' mikey.sp.proto_type mikey.sp.encr_alg \
	mikey.sp.encr_len mikey.sp.auth_alg mikey.sp.auth_key_len \
	mikey.sp.salt_len mikey.sp.auth_tag_len)" "0;1;16;1;20;14;10"
expect "E ERR" "$(field 'mikey.type == 6' mikey.err.no)" "7"
grep -q 'X.509' "$T/tshark.txt" || grep -q 'signedCertificate' "$T/tshark.txt" ||
	fail "tshark did not decode the certificate"
grep -q 'bob@example.org' "$T/tshark.txt" || fail "no certificate subject"
note "ok: certificates decoded"

# The DHi echo in R is byte-identical to DHi in I.
dhi=$(field 'mikey.type == 4' mikey.dh.value)
echo=$(field 'mikey.type == 5' mikey.dh.value | cut -d, -f2)
[ -n "$dhi" ] && [ "$dhi" = "$echo" ] || fail "DHi echo differs in tshark"
note "ok: DHi echoed byte for byte"

# openssl verifies SIGNi (PKCS#1 v1.5, SHA-256) over everything but the
# signature: the message minus its last 384 bytes.
ilen=$(wc -c <"$T/i.bin")
head -c $((ilen - 384)) "$T/i.bin" >"$T/i.signed"
tail -c 384 "$T/i.bin" >"$T/i.sig"
openssl x509 -in "$T/alice.crt" -pubkey -noout >"$T/alice.pub"
openssl dgst -sha256 -verify "$T/alice.pub" -signature "$T/i.sig" \
	"$T/i.signed" >/dev/null 2>&1 || fail "openssl does not verify SIGNi"
rlen=$(wc -c <"$T/r.bin")
head -c $((rlen - 384)) "$T/r.bin" >"$T/r.signed"
tail -c 384 "$T/r.bin" >"$T/r.sig"
openssl x509 -in "$T/bob.crt" -pubkey -noout >"$T/bob.pub"
openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
	-verify "$T/bob.pub" -signature "$T/r.sig" "$T/r.signed" >/dev/null 2>&1 ||
	fail "openssl does not verify SIGNr (PSS)"
if openssl dgst -sha256 -verify "$T/bob.pub" -signature "$T/r.sig" \
	"$T/i.signed" >/dev/null 2>&1; then
	fail "openssl verified the wrong bytes"
fi
note "ok: signatures verify with openssl"
exit 0
