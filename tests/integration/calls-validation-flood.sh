#!/bin/sh
# Peers cannot starve the user's own trust-server requests (issue 9): 40
# OPTIONS, each with a validly signed MIKEY offer from a fresh self-signed
# identity, reach bob while his trust server is slow (a relay delays its
# answers by 300 ms). Bob starts at most 16 validations for peers (the rest
# get 480 at once), and the user's `svopictl enroll` overtakes the queued
# ones and succeeds.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
itest_init calls-validation-flood
command -v curl >/dev/null || skip "no curl"
MIKEY_TOOL=$B/tools/svopi-mikey
[ -x "$MIKEY_TOOL" ] || skip "no $MIKEY_TOOL"
itest_ca
calls_trustd
# The slow trust server: bob talks to it through the relay.
SLOW_PORT=$(itest_port)
itest_bg relay python3 "$S/tests/integration/tcp-delay.py" --listen "$SLOW_PORT" \
	--to "127.0.0.1:$TD_PORT" --delay-ms 300
itest_wait_port "$SLOW_PORT" 10
TD_URL=https://127.0.0.1:$SLOW_PORT calls_conf bob
svopid_start bob

N=40
i=0 pids=
while [ $i -lt $N ]; do
	openssl genrsa -out "$T/p$i.key" 2048 2>/dev/null &
	pids="$pids $!"
	i=$((i + 1))
done
# shellcheck disable=SC2086
wait $pids	# not the relay and svopid, which run until the end
i=0
while [ $i -lt $N ]; do
	openssl req -x509 -key "$T/p$i.key" -out "$T/p$i.crt" -days 2 \
		-subj "/CN=sip:p$i@$DOMAIN" \
		-addext "subjectAltName=URI:sip:p$i@$DOMAIN" 2>/dev/null ||
		fail "cert $i"
	"$MIKEY_TOOL" init --key "$T/p$i.key" --cert "$T/p$i.crt" \
		--id "sip:p$i@$DOMAIN" --peer sip:bob@$DOMAIN \
		--state "$T/p$i.state" >"$T/p$i.imsg" || fail "init $i"
	i=$((i + 1))
done
note "ok: $N fresh identities"

python3 - "$bob_UDP" "$T" "$N" "$DOMAIN" >"$T/flood.log" 2>&1 <<'PY' &
import socket, sys, time
port, d, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
dom = sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
me = s.getsockname()[1]
for i in range(n):
    m = open("%s/p%d.imsg" % (d, i)).read().strip()
    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
           "t=0 0\r\na=key-mgmt:mikey %s\r\nm=audio 9 RTP/SAVP 0\r\n" % m)
    req = ("OPTIONS sip:bob@%s SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKvf%d\r\n"
           "From: <sip:p%d@%s>;tag=v%d\r\nTo: <sip:bob@%s>\r\n"
           "Call-ID: vflood%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
           "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
           % (dom, me, i, i, dom, i, dom, i, len(sdp), sdp))
    s.sendto(req.encode(), ("127.0.0.1", port))
codes = {}
s.settimeout(8)
try:
    while sum(codes.values()) < n:
        r = s.recv(65535).decode(errors="replace")
        c = r.split(" ", 2)[1]
        if c != "100":
            codes[c] = codes.get(c, 0) + 1
except socket.timeout:
    pass
print("answers", codes)
PY
flood=$!
sleep 0.3
t0=$(date +%s)
ctl bob enroll >"$T/enroll.out" 2>&1
rc=$?
t1=$(date +%s)
cat "$T/enroll.out" >&2
check "the user's enroll succeeds during the flood" [ "$rc" -eq 0 ]
check "... within 5 s ($((t1 - t0)) s)" [ $((t1 - t0)) -le 5 ]
wait "$flood"
cat "$T/flood.log" >&2
check "peers beyond the cap got 480 at once" python3 -c '
import ast, sys
line = open(sys.argv[1]).read().split("answers ", 1)[1]
codes = ast.literal_eval(line.strip())
sys.exit(0 if codes.get("480", 0) >= 20 else 1)' "$T/flood.log"
check "bob is alive" ctl bob status
svopid_stop bob
exit 0
