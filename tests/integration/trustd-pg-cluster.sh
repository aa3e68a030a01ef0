#!/bin/sh
# Two svopi-trustd instances on one PostgreSQL (issue 14): the SPEC §3
# rules hold across them under concurrent clients (one code per pair when
# both sides validate at once on different instances, five wrong codes
# over both instances lock, a code issued on A is redeemed on B), a long
# poll on A returns when B changes the pair (LISTEN/NOTIFY), A's validate
# cache forgets a trusted answer when B enrols a new key, and a
# password change made on the database is seen by both within a second,
# and the failed-login limit per login counts over both.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/trustd-lib.sh"
itest_init trustd-pg-cluster
[ -x "$TD_BIN" ] || fail "no $TD_BIN"
command -v curl >/dev/null || skip "no curl"
pg_start
TD_DATABASE=$PG_URL
itest_ca
itest_cert server

# Instance B first (its config is kept aside), then A as the default.
trustd_config
URL_B=$TD_URL
PORT_B=$TD_PORT
mv "$T/trustd.conf" "$T/trustd-b.conf"
trustd_config
URL_A=$TD_URL
users=""
for i in $(seq 1 24); do users="$users u$i"; done
trustd_users alice bob carol dave erin $users
itest_bg trustd-a "$TD_BIN" -c "$T/trustd.conf"
A_PID=$ITEST_LAST_PID
itest_bg trustd-b "$TD_BIN" -c "$T/trustd-b.conf"
B_PID=$ITEST_LAST_PID
itest_wait_port "$TD_PORT" 10
itest_wait_port "$PORT_B" 10
for u in alice bob carol dave $users; do
	TD_URL=$URL_A
	enroll "$u"
done

# post URL OUT LOGIN PATH FIELD=VALUE...: one API call in the background.
post() {
	url=$1 out=$2 me=$3 path=$4
	shift 4
	set -- --data-urlencode "login=$me@example.org" \
		--data-urlencode "password=pw-$me" "$@"
	curl -sS --cacert "$T/ca.crt" -o "$out" "$@" "$url$path" &
}

# --- 12 pairs, both sides validating at the same moment on A and B
pids=
for i in $(seq 1 2 23); do
	j=$((i + 1))
	post "$URL_A" "$T/v$i.json" "u$i" /api/v1/validate \
		--data-urlencode "peer=u$j@example.org" \
		--data-urlencode "cert@$T/u$j-id.crt"
	pids="$pids $!"
	post "$URL_B" "$T/v$j.json" "u$j" /api/v1/validate \
		--data-urlencode "peer=u$i@example.org" \
		--data-urlencode "cert@$T/u$i-id.crt"
	pids="$pids $!"
done
for p in $pids; do wait "$p" || fail "a concurrent validation failed"; done
for i in $(seq 1 2 23); do
	j=$((i + 1))
	ri=$(jget role "$T/v$i.json")
	rj=$(jget role "$T/v$j.json")
	[ "$ri$rj" = issuerredeemer ] || [ "$ri$rj" = redeemerissuer ] ||
		fail "pair u$i/u$j: roles '$ri' and '$rj'"
	n=$(psql "$PG_URL" -Atc "SELECT count(*) FROM vucs v JOIN users a ON a.id = v.a JOIN users b ON b.id = v.b WHERE a.login IN ('u$i@example.org', 'u$j@example.org') AND b.login IN ('u$i@example.org', 'u$j@example.org')")
	[ "$n" = 1 ] || fail "pair u$i/u$j has $n codes"
done
note "ok: 12 pairs validated on both instances at once: one issuer, one redeemer, one code each"

# --- a code issued through A, redeemed through B
TD_URL=$URL_A
validate alice bob
expect_field role issuer "alice gets a code from A"
vuc=$(jget vuc)
# A long poll on A for alice, answered when bob redeems through B (1 s
# after it starts: its own clock may start a little late under load).
curl -sS --cacert "$T/ca.crt" -o "$T/poll.json" -w '%{time_total}' \
	--data-urlencode login=alice@example.org \
	--data-urlencode password=pw-alice \
	--data-urlencode peer=bob@example.org --data-urlencode wait=30 \
	"$URL_A/api/v1/status" >"$T/poll.time" 2>"$T/poll.err" &
poll=$!
sleep 1
TD_URL=$URL_B
api /api/v1/redeem login=bob@example.org password=pw-bob \
	peer=alice@example.org vuc="$vuc"
expect_field result trusted "bob redeems alice's code through B"
wait "$poll" || fail "long poll: $(cat "$T/poll.err")"
t=$(cat "$T/poll.time")
jget relationship "$T/poll.json" | grep -qx trusted ||
	fail "long poll answer: $(cat "$T/poll.json")"
awk -v t="$t" 'BEGIN { exit !(t >= 0.5 && t < 5.0) }' ||
	fail "the long poll on A took $t s after B's redeem"
note "ok: the long poll on A returned after $t s, when B redeemed"

# --- the validate cache: A answers alice's repeated validation from
# memory; bob's new key, enrolled through B, ends that within a second
TD_URL=$URL_A
validate alice bob
expect_field relationship trusted "alice validates bob on A"
validate alice bob
expect_field relationship trusted "again (from A's validate cache)"
cp "$T/bob-id.crt" "$T/bobold-id.crt"
TD_URL=$URL_B
enroll bob
expect_field changed true "bob enrolls a new key through B"
TD_URL=$URL_A
# (api() uses $n: the counter is $tries.)
tries=0
while :; do
	validate alice bob bobold
	[ "$(jget certificate)" = mismatch ] && break
	note "retry: HTTP $HTTP $(cat "$T/out.json")"
	tries=$((tries + 1))
	[ "$tries" -lt 10 ] || fail "A still matches bob's old key 1 s after B's enrolment"
	sleep 0.1
done
expect_field relationship pending "bob's old key: mismatch on A, pending ($tries retries of 0.1 s)"

# --- ten wrong codes at once, five to A and five to B
TD_URL=$URL_A
validate carol dave
expect_field role issuer "carol gets a code"
vuc=$(jget vuc)
wrong=$(echo "$vuc" | tr 0-9 1-90)
pids=
for k in $(seq 1 10); do
	[ $((k % 2)) = 0 ] && url=$URL_A || url=$URL_B
	post "$url" "$T/w$k.json" dave /api/v1/redeem \
		--data-urlencode peer=carol@example.org \
		--data-urlencode "vuc=$wrong"
	pids="$pids $!"
done
for p in $pids; do wait "$p" || fail "a concurrent redeem failed"; done
nw=$(cat "$T"/w*.json | grep -c '"wrong-code"')
nl=$(cat "$T"/w*.json | grep -c '"locked"')
[ "$nw" = 5 ] && [ "$nl" = 5 ] ||
	fail "10 wrong codes over A and B: $nw wrong-code, $nl locked"
left=$(for f in "$T"/w*.json; do jget attempts_left "$f"; done | sort -n | tr '\n' ' ')
[ "$left" = "0 0 0 0 0 0 1 2 3 4 " ] || fail "attempts left: $left"
note "ok: 10 wrong codes at once over A and B: 5 wrong-code (4..0 left), 5 locked"
TD_URL=$URL_B
api /api/v1/redeem login=dave@example.org password=pw-dave \
	peer=carol@example.org vuc="$vuc"
expect_field result locked "the right code after five wrong ones over two instances"

# --- the per-login limit counts failures on every instance: 3 on A and
# 2 on B make 5 (login_fail_max), though neither saw 5 itself
for url in "$URL_A" "$URL_B" "$URL_A" "$URL_B" "$URL_A"; do
	TD_URL=$url
	api /api/v1/status login=erin@example.org password=guess \
		peer=u23@example.org
	expect_http 401 "a wrong password for erin on $url"
done
for url in "$URL_A" "$URL_B"; do
	TD_URL=$url
	api /api/v1/status login=erin@example.org password=pw-erin \
		peer=u23@example.org
	expect_http 429 "erin (never cached) is rate-limited on $url, even with the right password"
done

# --- a password changed on the database: both instances within 1 s
TD_URL=$URL_A
api /api/v1/status login=alice@example.org password=pw-alice peer=bob@example.org
expect_http 200 "alice on A (now cached)"
TD_URL=$URL_B
api /api/v1/status login=alice@example.org password=pw-alice peer=bob@example.org
expect_http 200 "alice on B (now cached)"
"$TD_ADM" -c "$T/trustd.conf" userdel alice@example.org || fail "userdel"
printf 'new-pw\n' | "$TD_ADM" -c "$T/trustd.conf" useradd alice@example.org ||
	fail "useradd"
sleep 1
for url in "$URL_A" "$URL_B"; do
	TD_URL=$url
	api /api/v1/status login=alice@example.org password=pw-alice \
		peer=bob@example.org
	expect_http 401 "the old password on $url"
	api /api/v1/status login=alice@example.org password=new-pw \
		peer=bob@example.org
	expect_http 200 "the new password on $url"
done

kill -TERM "$A_PID" "$B_PID"
wait "$A_PID" || fail "instance A exited with $?"
wait "$B_PID" || fail "instance B exited with $?"
note "both instances stopped cleanly"
