#!/bin/sh
# svopi-trustd against malformed HTTP (issue 9): every refusal is a JSON
# 4xx (SPEC §3), never evhttp's HTML page or a 501; nothing a client sends
# is echoed as invalid UTF-8; kept-alive and pipelined requests still work.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/trustd-lib.sh"
itest_init trustd-hostile
command -v python3 >/dev/null || skip "no python3"
trustd_start
enroll alice
enroll bob
RAW="python3 $S/tests/integration/trustd-raw.py $T/ca.crt $TD_PORT"
A="login=alice%40example.org&password=pw-alice"
before=$(db_dump)

# raw DESC STATUS: sends $T/req; the first answer must be STATUS with a
# JSON error, valid UTF-8, Content-Type application/json.
raw() {
	$RAW "$T/req" >"$T/ans.json" || fail "$1: client failed"
	python3 - "$T/ans.json" "$2" "$1" <<'PY' || fail "$1: $(cat "$T/ans.json")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no answer"
a = json.loads(lines[0])
assert a["status"] == int(sys.argv[2]), "status %d" % a["status"]
assert a["utf8_ok"] and a["json_ok"], "not UTF-8 JSON: %r" % a["body"]
assert a["headers"].get("content-type") == "application/json", a["headers"]
assert json.loads(a["body"]).get("error"), "no error field"
PY
	note "ok: $1 ($2, $(sed -n 's/.*"body": "\(.*\)\\n", "json_ok.*/\1/p' "$T/ans.json" | head -1))"
}

req() {
	printf "$@" >"$T/req"
}

for m in PUT DELETE PATCH OPTIONS TRACE CONNECT FOO; do
	req '%s /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' "$m"
	raw "method $m" 405
done
grep -qi '^allow' "$T/ans.json" || grep -q '"allow": "GET, HEAD, POST"' "$T/ans.json" ||
	fail "405 without Allow: $(cat "$T/ans.json")"

req 'POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nlogin=a'
raw "body over 256 KiB announced" 413
head -c 300000 /dev/zero | tr '\0' a >"$T/body"
{ printf 'POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n'; cat "$T/body"; } >"$T/req"
raw "body over 256 KiB sent" 413
for cl in abc -5 '' 1x 99999999999999999999 '+5'; do
	req 'POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n\r\n' "$cl"
	case $cl in 9999*) want=413 ;; *) want=400 ;; esac
	raw "Content-Length '$cl'" "$want"
done
req 'POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef'
raw "two Content-Lengths" 400
req 'POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nabcde\r\n0\r\n\r\n'
raw "Transfer-Encoding and Content-Length" 411
{ printf 'POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
  for _ in $(seq 1 160); do printf '10000\r\n'; head -c 65536 /dev/zero; printf '\r\n'; done
  printf '0\r\n\r\n'; } >"$T/req"
[ "$(wc -c <"$T/req")" -gt 10000000 ] || fail "chunked body under 10 MB"
raw "chunked 10 MB body" 411
# The same through curl, which streams it.
head -c 10000000 /dev/zero | curl -sS --cacert "$T/ca.crt" -o "$T/out.json" \
	-w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary @- \
	"$TD_URL/api/v1/validate" >"$T/code" 2>"$T/curl.err" || true
HTTP=$(cat "$T/code")
expect_http 411 "curl: chunked 10 MB body"
[ -n "$(jget error)" ] || fail "chunked: no JSON error"

big=$(head -c 20000 /dev/zero | tr '\0' a)
req 'POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\nContent-Length: 0\r\n\r\n' "$big"
raw "20 KB header" 431
req 'GET /%s HTTP/1.1\r\nHost: x\r\n\r\n' "$big"
raw "20 KB request line" 431
{ printf 'GET / HTTP/1.1\r\n'; for i in $(seq 1 100); do printf 'X-%d: 1\r\n' "$i"; done; printf '\r\n'; } >"$T/req"
raw "100 header fields" 431
req 'GARBAGE\r\n\r\n'
raw "no request line" 400
req 'GET / HTTP/2.0\r\nHost: x\r\n\r\n'
raw "HTTP/2.0 in HTTP/1 framing" 400
req 'GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n'
raw "folded header" 400
req 'GET / HTTP/1.1\r\nBad Name: x\r\n\r\n'
raw "space in a field name" 400
req 'GET / HTTP/1.1\r\nX: a\001b\r\n\r\n'
raw "control byte in a value" 400
req 'GET /\377\376 HTTP/1.1\r\nHost: x\r\n\r\n'
raw "raw 0xFF in the target" 400

# An unknown field named with the bytes FF FE is not echoed raw.
body="$A&peer=bob%40example.org&%FF%FE=1"
req 'POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s' "${#body}" "$body"
raw "unknown field %FF%FE" 400
body="$A&peer=bob%40example.org&%3Cx%3E=1"
req 'POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s' "${#body}" "$body"
raw "unknown printable field" 400
grep -q 'unknown field <x>' "$T/ans.json" || fail "printable name not shown"

# Pipelined requests on one connection, then a refusal: the two answers,
# then the refusal, then the server closes.
body="$A&peer=bob%40example.org&cert=x"
one=$(printf 'POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s' "${#body}" "$body")
{ printf '%s%s' "$one" "$one"; printf 'PUT / HTTP/1.1\r\nHost: x\r\n\r\n'; printf '%s' "$one"; } >"$T/req"
$RAW "$T/req" >"$T/ans.json"
[ "$(grep -c '"status": 400' "$T/ans.json")" = 2 ] &&
	[ "$(grep -c '"status": 405' "$T/ans.json")" = 1 ] &&
	[ "$(wc -l <"$T/ans.json")" = 3 ] ||
	fail "pipelined: $(cat "$T/ans.json")"
note "ok: two pipelined requests answered, then the refusal, then closed"

# HEAD and GET on a page still work; the API still answers.
HTTP=$(curl -sS --cacert "$T/ca.crt" -o /dev/null -w '%{http_code}' -I \
	"$TD_URL/login")
expect_http 200 "HEAD /login"
[ "$(db_dump)" = "$before" ] || fail "hostile input changed the store"
note "ok: the store is unchanged"
validate alice bob
expect_http 200 "validate after all that"
expect_field certificate match "validate answers normally"
kill -0 "$TD_PID" || fail "svopi-trustd died"
trustd_stop
