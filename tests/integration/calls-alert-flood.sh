#!/bin/sh
# SecurityAlert cannot be flooded (issue 9): 2,000 spoofed UDP INVITEs
# with a tampered MIKEY offer, half from one peer and half from a new peer
# each, give a bounded number of SecurityAlert signals (per peer and reason
# at most one per 10 s, standing for the repeats, and at most 20 per 10 s
# in all), the daemon stays up and nothing rings. Functional, not timed.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
itest_init calls-alert-flood
MIKEY_TOOL=$B/tools/svopi-mikey
[ -x "$MIKEY_TOOL" ] || skip "no $MIKEY_TOOL"
itest_ca
svopid_conf bob
svopid_start bob
itest_bg mon-bob ctl bob monitor
sleep 0.5
carol_identity
carol_imsg >"$T/imsg" || fail "svopi-mikey init"
python3 - "$bob_UDP" "$T/imsg" "$DOMAIN" >"$T/flood.log" 2>&1 <<'PY' || fail "flood: $(cat "$T/flood.log")"
import base64, socket, sys, time
port, imsg = int(sys.argv[1]), open(sys.argv[2]).read().strip()
dom = sys.argv[3]
b = bytearray(base64.b64decode(imsg))
b[-10] ^= 1                      # a broken signature
m = base64.b64encode(bytes(b)).decode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
me = s.getsockname()[1]
for i in range(2000):
    user = "carol" if i % 2 == 0 else "spoof%d" % i
    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
           "t=0 0\r\na=key-mgmt:mikey %s\r\nm=audio 9 RTP/SAVP 0\r\n" % m)
    inv = ("INVITE sip:bob@%s SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKfl%d\r\n"
           "From: <sip:%s@%s>;tag=f%d\r\nTo: <sip:bob@%s>\r\n"
           "Call-ID: flood%d\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
           "Contact: <sip:%s@127.0.0.1:%d>\r\n"
           "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
           % (dom, me, i, user, dom, i, dom, i, user, me, len(sdp), sdp))
    s.sendto(inv.encode(), ("127.0.0.1", port))
    if i % 200 == 199:
        time.sleep(0.05)
print("sent 2000")
PY
sleep 2
check "bob is alive" ctl bob status
n=$(grep -c '^signal SecurityAlert' "$T/mon-bob.log")
note "SecurityAlert signals for 2000 bad INVITEs: $n"
check "at least one alert" [ "$n" -ge 1 ]
check "at most 40 alerts (bounded, not one per INVITE)" [ "$n" -le 40 ]
check "carol's alerts reach the user" grep -q "^signal SecurityAlert sip:carol@$DOMAIN" "$T/mon-bob.log"
check "nothing rang" sh -c "! grep -q '^signal CallStateChanged.* ringing' '$T/mon-bob.log'"
l=$(grep -c "security alert" "$T/svopid-bob.log")
check "log lines bounded too ($l)" [ "$l" -le 45 ]
svopid_stop bob
exit 0
