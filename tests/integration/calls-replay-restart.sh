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

carol_identity

# Captured: an offer bob verified (then 480, no trust server) and whose
# repeat he refuses while he remembers it.
m=$(carol_imsg) || fail "svopi-mikey init"
sipp_bob first -sf "$S/tests/data/sipp/invite-replay.xml" -key user carol \
	-key mikey "$m" || fail "first offer: $(cat "$T/sipp-first.err")"
note "ok: the offer verified once, its repeat refused"

svopid_stop bob
sleep 1.1	# the replayed offer is now stamped before bob's start
svopid_start bob
itest_bg mon-bob ctl bob monitor
sleep 0.3
sipp_bob replay -sf "$S/tests/data/sipp/invite-refused.xml" -key user carol \
	-key mikey "$m" || fail "replay after restart not refused: $(cat "$T/sipp-replay.err" "$T/sipp-replay.log")"
check "log: refused as stamped before the start" \
	grep -q "timestamp before the replay cache started" "$T/svopid-bob.log"

# A new offer from the same peer is fine after the restart.
m2=$(carol_imsg) || fail "svopi-mikey init"
sipp_bob fresh -sf "$S/tests/data/sipp/invite-replay.xml" -key user carol \
	-key mikey "$m2" || fail "fresh offer after restart: $(cat "$T/sipp-fresh.err")"
note "ok: a fresh offer after the restart is verified"
sleep 0.3
check "nothing rang" sh -c "! grep -q '^signal CallStateChanged.* ringing' '$T/mon-bob.log'"
svopid_stop bob
exit 0
