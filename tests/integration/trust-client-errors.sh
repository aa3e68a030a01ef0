#!/bin/sh
# The trust client against HTTPS servers that misbehave in ways a real
# svopi-trustd cannot be made to: 401/429/4xx/5xx, oversized and malformed
# answers, silence, dropped connections, wrong CA, wrong name, nobody
# listening. The server is a small Python HTTPS server (real TLS, real
# HTTP/1.1 keep-alive) that acts on the login it is sent.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
itest_init trust-client-errors

D=$B/tests/integration/trust-client-driver
[ -x "$D" ] || fail "no driver $D"
command -v python3 >/dev/null || skip "no python3"

itest_ca
itest_cert server
# A certificate from the same CA for another name.
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/other.key" -out "$T/other.csr" -subj "/CN=other.example" \
	>/dev/null 2>&1 || fail "other key"
printf 'subjectAltName=DNS:other.example\n' >"$T/other.ext"
openssl x509 -req -in "$T/other.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
	-CAcreateserial -days 2 -extfile "$T/other.ext" -out "$T/other.crt" \
	>/dev/null 2>&1 || fail "other cert"
# A second CA that signed nothing of ours.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/ca2.key" -out "$T/ca2.crt" -days 2 -subj "/CN=other CA" \
	>/dev/null 2>&1 || fail "second CA"

PW='p&=+ %x/é'
printf '%s\n' "$PW" >"$T/pw"
printf -- '-----BEGIN CERTIFICATE-----\nMIIB+/=\n-----END CERTIFICATE-----\n' \
	>"$T/peer.pem"

cat >"$T/server.py" <<'EOF'
import http.server, json, ssl, sys, time, urllib.parse

PW = sys.argv[4]
CERT = open(sys.argv[5]).read()

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 1     # idle keep-alive connections close after a second

    def log_message(self, fmt, *args):
        sys.stderr.write("%s conn=%x\n" % (fmt % args, id(self.connection)))

    def send(self, code, body):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode("ascii")
        f = urllib.parse.parse_qs(raw, keep_blank_values=True, strict_parsing=True)
        f = {k: v[0] for k, v in f.items()}
        login = f.get("login", "")
        if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return self.send(415, {"error": "form expected"})
        if f.get("password") != PW:
            return self.send(401, {"error": "wrong password"})
        if login == "e429":
            return self.send(429, {"error": "slow down"})
        if login == "e400":
            return self.send(400, {"error": "bad \x01 field\n"})
        if login == "e500":
            return self.send(500, b"oops")
        if login == "big":
            return self.send(200, b" " * 20000 + b"{}")
        if login == "garbage":
            return self.send(200, b"{\"certificate\": \"match\", ")
        if login == "unknown-value":
            return self.send(200, {"certificate": "maybe", "relationship": "none"})
        if login == "slow":
            time.sleep(3)
        if login == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if self.path == "/api/v1/validate":
            if f.get("cert") != CERT or f.get("peer") != "sip:bob@example.org":
                return self.send(400, {"error": "fields garbled"})
            return self.send(200, {"peer": f["peer"], "certificate": "match",
                "relationship": "pending", "vuc": "1234-5678",
                "vuc_expires": 1900000000, "role": "issuer", "extra": [1, {}]})
        if self.path == "/api/v1/status":
            return self.send(200, {"peer": f["peer"], "relationship": "trusted",
                                   "wait": f.get("wait", "")})
        if self.path == "/api/v1/redeem":
            return self.send(200, {"result": "wrong-code", "attempts_left": 4})
        return self.send(404, {"error": "no such path"})

srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
EOF

P=$(itest_port)
itest_bg server python3 "$T/server.py" "$P" "$T/server.crt" "$T/server.key" \
	"$PW" "$T/peer.pem"
itest_wait_port "$P"
P2=$(itest_port)
itest_bg other python3 "$T/server.py" "$P2" "$T/other.crt" "$T/other.key" \
	"$PW" "$T/peer.pem"
itest_wait_port "$P2"

# A plain-HTTP server where TLS is expected.
P3=$(itest_port)
itest_bg plain python3 -m http.server --bind 127.0.0.1 "$P3"
itest_wait_port "$P3"

URL=https://127.0.0.1:$P
run() {
	"$D" "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	if grep -q 'Sanitizer\|runtime error' "$T/err"; then
		cat "$T/err" >&2
		fail "sanitizer report: $*"
	fi
}
has() {
	grep -qx -- "$1" "$T/out" || { cat "$T/out" "$T/err" >&2; return 1; }
}
rc() {
	[ "$(cat "$T/rc")" = "$1" ] || { cat "$T/out" "$T/err" >&2; return 1; }
}

# The happy path, with a password and a PEM that need percent-encoding.
run --server "$URL" --ca "$T/ca.crt" validate ok "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "validate answers" rc 0
check "validate certificate" has certificate=match
check "validate relationship" has relationship=pending
check "validate vuc" has vuc=1234-5678
check "validate vuc_expires" has vuc_expires=1900000000
check "validate role" has role=issuer
check "validate reachable" has state=reachable
grep -q '^state_change=reachable' "$T/out" || fail "no state callback"
grep -q "$PW" "$T/out" "$T/err" && fail "password printed"

# The server name by DNS name, also checked.
run --server "https://localhost:$P" --ca "$T/ca.crt" status ok "@$T/pw" sip:bob@example.org 5
check "hostname verified" rc 0
check "status relationship" has relationship=trusted

# Keep-alive: five requests one after the other use one connection.
run --server "$URL" --ca "$T/ca.crt" --repeat 5 status ok "@$T/pw" sip:bob@example.org 0
check "repeat answers" rc 0
check "keep-alive reuse" has connections=1
check "five replies" has replies=5

# The server closed the idle connection: the next request opens a new
# one, without an error or a retry.
run --server "$URL" --ca "$T/ca.crt" --repeat 2 --pause 1500 status ok "@$T/pw" sip:bob@example.org 0
check "after idle close" rc 0
check "new connection after idle close" has connections=2
grep -q '^attempts=2' "$T/out" && fail "idle close cost a retry"

# Parallel requests each get a connection (at most TRUST_CLIENT_CONNS_MAX).
run --server "$URL" --ca "$T/ca.crt" --parallel 6 status slow "@$T/pw" sip:bob@example.org 0
check "parallel answers" rc 0
check "parallel replies" has replies=6
check "connections capped" has connections=4

# Long polls never take the last connection: with four slow long polls
# outstanding, a short request 300 ms later is answered at once.
run --server "$URL" --ca "$T/ca.crt" --parallel 4 --probe-after 300 \
	--probe-login ok status slow "@$T/pw" sip:bob@example.org 10
check "long polls and probe answered" rc 0
check "five replies with probe" has replies=5
ms=$(sed -n 's/^--- reply 4 elapsed_ms=//p' "$T/out")
[ -n "$ms" ] && [ "$ms" -lt 2500 ] || { cat "$T/out" >&2; fail "probe waited: $ms ms"; }
note "ok: short request overtook long polls ($ms ms)"

# HTTP errors map to clear errors and are not retried.
run --server "$URL" --ca "$T/ca.crt" --retries 3 validate ok wrongpw sip:bob@example.org "$T/peer.pem"
check "401 fails" rc 1
check "401 is EACCES" has error=-13
check "401 message" has "message=wrong password"
check "401 not retried" has attempts=1
check "401 is reachable" has state=reachable
run --server "$URL" --ca "$T/ca.crt" --retries 3 validate e429 "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "429 is EAGAIN" has error=-11
check "429 not retried" has attempts=1
run --server "$URL" --ca "$T/ca.crt" validate e400 "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "400 is EINVAL" has error=-22
check "400 message sanitized" has "message=bad ? field?"
run --server "$URL" --ca "$T/ca.crt" --retries 3 validate e500 "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "500 is EREMOTEIO" has error=-121
check "500 not retried" has attempts=1
run --server "$URL" --ca "$T/ca.crt" validate big "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "oversized answer is E2BIG" has error=-7
run --server "$URL" --ca "$T/ca.crt" validate garbage "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "malformed answer is EBADMSG" has error=-74
run --server "$URL" --ca "$T/ca.crt" validate unknown-value "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "unknown verdict is EBADMSG" has error=-74
run --server "$URL" --ca "$T/ca.crt" redeem ok "@$T/pw" sip:bob@example.org 1234-5678
check "redeem answer" has result=wrong-code
check "redeem attempts_left" has attempts_left=4

# Silence: per-attempt deadline, bounded retries, then unreachable.
run --server "$URL" --ca "$T/ca.crt" --timeout 500 --retries 1 --backoff 100 \
	validate slow "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "timeout is ETIMEDOUT" has error=-110
check "timeout retried once" has attempts=2
check "timeout is unreachable" has state=unreachable
# ... but a redeem that may have reached the server is not sent twice.
run --server "$URL" --ca "$T/ca.crt" --timeout 500 --retries 3 --backoff 100 \
	redeem slow "@$T/pw" sip:bob@example.org 1234-5678
check "redeem timeout" has error=-110
check "redeem not resent" has attempts=1

# A dropped connection is retried with backoff.
run --server "$URL" --ca "$T/ca.crt" --retries 2 --backoff 100 \
	status drop "@$T/pw" sip:bob@example.org 0
check "drop fails" rc 1
check "drop retried" has attempts=3
check "drop unreachable" has state=unreachable

# Wrong CA and wrong name: refused at once, never retried.
run --server "$URL" --ca "$T/ca2.crt" --retries 3 validate ok "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "wrong CA refused" has error=-129
check "wrong CA not retried" has attempts=1
check "wrong CA unreachable" has state=unreachable
run --server "https://127.0.0.1:$P2" --ca "$T/ca.crt" --retries 3 validate ok "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "wrong name refused" has error=-129
# The system store does not know our test CA.
run --server "$URL" validate ok "@$T/pw" sip:bob@example.org "$T/peer.pem"
check "system store refuses test CA" has error=-129

# Not TLS at all: a TLS error, retried like any connection failure.
run --server "https://127.0.0.1:$P3" --ca "$T/ca.crt" --retries 1 --backoff 50 \
	status ok "@$T/pw" sip:bob@example.org 0
check "plain HTTP is EPROTO" has error=-71
check "plain HTTP retried" has attempts=2
check "plain HTTP unreachable" has state=unreachable

# Nobody listening: bounded retries with doubling backoff (100+200 ms).
DEAD=$(itest_port)
run --server "https://127.0.0.1:$DEAD" --ca "$T/ca.crt" --retries 2 --backoff 100 \
	status ok "@$T/pw" sip:bob@example.org 0
check "refused" has error=-111
check "refused retried" has attempts=3
check "refused unreachable" has state=unreachable
ms=$(sed -n 's/^elapsed_ms=//p' "$T/out")
[ "$ms" -ge 290 ] && [ "$ms" -lt 3000 ] || fail "backoff took $ms ms"
note "ok: backoff took $ms ms"

# Cancelled requests never call back (the driver aborts if one does).
# Six at once: four running, two queued.
run --server "$URL" --ca "$T/ca.crt" --parallel 6 --cancel-after 200 \
	status slow "@$T/pw" sip:bob@example.org 0
check "cancel is silent" rc 0
check "cancelled running" has cancelled=0
check "cancelled queued" has cancelled=5
# In backoff between retries.
run --server "https://127.0.0.1:$DEAD" --ca "$T/ca.crt" --retries 3 \
	--backoff 400 --cancel-after 150 status ok "@$T/pw" sip:bob@example.org 0
check "cancel in backoff is silent" rc 0
check "cancelled in backoff" has cancelled=0

# Bad configuration is refused at start.
run --server "http://127.0.0.1:$P" status ok x sip:bob@example.org 0
check "http refused" has new_error=-22
run --server "https://127.0.0.1:$P/path" status ok x sip:bob@example.org 0
check "path refused" has new_error=-22
run --server "$URL" --ca "$T/nonexistent" status ok x sip:bob@example.org 0
check "missing CA file" has new_error=-2
run --server "$URL" --ca "$T/peer.pem" status ok x sip:bob@example.org 0
check "bad CA file" has new_error=-74
run --server "$URL" --ca "$T/ca.crt" status ok x sip:bob@example.org 61
check "wait over 60 refused" has submit_error=-22
head -c 16385 /dev/zero | tr '\0' A >"$T/huge.pem"
run --server "$URL" --ca "$T/ca.crt" validate ok x sip:bob@example.org "$T/huge.pem"
check "field over TRUST_CLIENT_FIELD_MAX refused" has submit_error=-22
head -c 16384 /dev/zero | tr '\0' A >"$T/huge.pem"
run --server "$URL" --ca "$T/ca.crt" validate ok "@$T/pw" sip:bob@example.org "$T/huge.pem"
check "field of TRUST_CLIENT_FIELD_MAX sent" has http_status=400

# Form encoding and the answer parser on their own.
[ "$("$D" form 'a b&c=d+e%/~._-Z9')" = "a=1&v=a%20b%26c%3Dd%2Be%25%2F~._-Z9" ] ||
	fail "form encoding"
note "ok: form encoding"
printf '{"result":"trusted"}' >"$T/j1"
"$D" parse redeem "$T/j1" >"$T/out" || fail "parse redeem"
check "parse redeem" has result=trusted
for bad in '[]' '{"result":"trusted"} x' '{"result":7}' '{"result":"sure"}' \
	'{"a":{"b":{"c":{"d":{}}}},"result":"trusted"}' '' \
	'{"result":"trusted","attempts_left":-1}'; do
	printf '%s' "$bad" >"$T/j2"
	"$D" parse redeem "$T/j2" >"$T/out" && fail "parsed bad answer: $bad"
done
note "ok: bad answers refused"
printf '{"certificate":"match","relationship":"none","vuc":"12345678"}' >"$T/j3"
"$D" parse validate "$T/j3" >/dev/null && fail "bad vuc accepted"
printf '{"fingerprint":"%s"}' "$(printf 'AB%.0s' $(seq 32))" >"$T/j4"
"$D" parse enroll "$T/j4" >"$T/out" || fail "parse enroll"
check "fingerprint in the text form" has \
	"fingerprint=$(printf 'AB:%.0s' $(seq 31))AB"

# Mutated answers through the parser under the sanitizers (fixed seeds,
# so a failure reproduces with the same command).
for seed in 1 2 3; do
	"$D" parse-fuzz 20000 "$seed" >"$T/out" 2>&1 ||
		{ cat "$T/out" >&2; fail "parse-fuzz seed $seed"; }
	grep -q 'Sanitizer\|runtime error' "$T/out" && fail "parse-fuzz $seed"
	note "ok: parse-fuzz seed $seed: $(cat "$T/out")"
done
exit 0
