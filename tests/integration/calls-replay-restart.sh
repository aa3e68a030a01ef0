#!/bin/sh
# A replay across a restart (issue 9): an INVITE whose signed MIKEY offer
# bob's daemon has verified once is sent again right after bob restarted
# (his replay cache lives in memory and is empty). It must not be taken
# for a new offer: bob refuses offers stamped before his start (488 with a
# Warning, RFC 3830 §5.4) and nothing rings. A fresh offer after the
# restart still gets past the key checks (480: no trust server here).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
itest_init calls-replay-restart
command -v sipp >/dev/null || skip "no sipp"
MIKEY_TOOL=$B/tools/svopi-mikey
[ -x "$MIKEY_TOOL" ] || skip "no $MIKEY_TOOL"
itest_ca
svopid_conf bob
svopid_start bob

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/carol.key" \
	-out "$T/carol.crt" -days 2 -subj "/CN=sip:carol@127.0.0.1" \
	-addext "subjectAltName=URI:sip:carol@127.0.0.1" >/dev/null 2>&1 ||
	fail "carol cert"
imsg() {
	rm -f "$T/carol.state"
	"$MIKEY_TOOL" init --key "$T/carol.key" --cert "$T/carol.crt" \
		--id sip:carol@127.0.0.1 --peer sip:bob@127.0.0.1 \
		--state "$T/carol.state"
}
run_sipp() {
	_n=$1
	shift
	sipp -nostdin -trace_err -error_file "$T/sipp-$_n.err" -t t1 -m 1 \
		-timeout 20 -timeout_error -i 127.0.0.1 -s bob \
		"$@" "127.0.0.1:$bob_TCP" >"$T/sipp-$_n.log" 2>&1
}

# Captured: an offer bob verified (then 480, no trust server) and whose
# repeat he refuses while he remembers it.
m=$(imsg) || fail "svopi-mikey init"
run_sipp first -sf "$S/tests/data/sipp/invite-replay.xml" -key user carol \
	-key mikey "$m" || fail "first offer: $(cat "$T/sipp-first.err")"
note "ok: the offer verified once, its repeat refused"

svopid_stop bob
sleep 1.1	# the replayed offer is now stamped before bob's start
svopid_start bob
itest_bg mon-bob ctl bob monitor
sleep 0.3
run_sipp replay -sf "$S/tests/data/sipp/invite-refused.xml" -key user carol \
	-key mikey "$m" || fail "replay after restart not refused: $(cat "$T/sipp-replay.err" "$T/sipp-replay.log")"
check "log: refused as stamped before the start" \
	grep -q "timestamp before the replay cache started" "$T/svopid-bob.log"

# A new offer from the same peer is fine after the restart.
m2=$(imsg) || fail "svopi-mikey init"
run_sipp fresh -sf "$S/tests/data/sipp/invite-replay.xml" -key user carol \
	-key mikey "$m2" || fail "fresh offer after restart: $(cat "$T/sipp-fresh.err")"
note "ok: a fresh offer after the restart is verified"
sleep 0.3
check "nothing rang" sh -c "! grep -q '^signal CallStateChanged.* ringing' '$T/mon-bob.log'"
svopid_stop bob
exit 0
