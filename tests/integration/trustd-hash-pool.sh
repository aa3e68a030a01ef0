#!/bin/sh
# argon2id off the event loop (issue 14): with one event loop and a
# costly hash, a burst of 20 new logins does not stall the validations of
# a client whose credentials are cached. Before, every hash ran on the
# loop and each validation waited behind the whole burst.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/trustd-lib.sh"
itest_init trustd-hash-pool
TD_DEBUG=
new=
for i in $(seq 1 20); do new="$new n$i"; done
[ -x "$TD_BIN" ] || fail "no $TD_BIN"
command -v curl >/dev/null || skip "no curl"
itest_ca
itest_cert server
# One loop; a hash of 64 MiB, 3 passes (the cost is read from each
# stored hash, so the users are created with it).
trustd_config "threads = 1
argon2_t_cost = 3
argon2_m_cost = 65536"
sed -i '/^argon2_t_cost = 1$/d; /^argon2_m_cost = 1024$/d' "$TD_CONF"
trustd_users alice bob $new
trustd_run
enroll alice
enroll bob
validate alice bob
expect_http 200 "alice's credentials are now cached"

start=$(date +%s.%N)
pids=
for u in $new; do
	curl -sS --cacert "$T/ca.crt" -o "$T/$u.json" -w '%{http_code}\n' \
		--max-time 120 --data-urlencode "login=$u@example.org" \
		--data-urlencode "password=pw-$u" \
		--data-urlencode peer=alice@example.org \
		"$TD_URL/api/v1/status" >"$T/$u.code" 2>&1 &
	pids="$pids $!"
done
sleep 0.2
for _ in $(seq 1 10); do
	curl -sS --cacert "$T/ca.crt" -o /dev/null -w '%{http_code} %{time_total}\n' \
		--max-time 120 --data-urlencode login=alice@example.org \
		--data-urlencode password=pw-alice \
		--data-urlencode peer=bob@example.org \
		--data-urlencode cert@"$T/bob-id.crt" \
		"$TD_URL/api/v1/validate" >>"$T/validate.times"
done
for p in $pids; do wait "$p"; done
end=$(date +%s.%N)
burst=$(echo "$end $start" | awk '{ printf "%.2f", $1 - $2 }')
for u in $new; do
	[ "$(cat "$T/$u.code")" = 200 ] || fail "$u: $(cat "$T/$u.code") $(cat "$T/$u.json")"
done
grep -qv '^200 ' "$T/validate.times" && fail "validations: $(cat "$T/validate.times")"
max=$(awk '{ if ($2 > m) m = $2 } END { printf "%.3f", m }' "$T/validate.times")
note "20 new logins took $burst s; the slowest of 10 cached validations meanwhile: $max s"
awk -v b="$burst" 'BEGIN { exit !(b >= 1.0) }' ||
	skip "the burst of hashes took only $burst s: too fast to show anything"
awk -v m="$max" -v b="$burst" 'BEGIN { exit !(m < b / 4) }' ||
	fail "a cached validation waited $max s during a $burst s burst of hashes"
note "ok: cached validations kept answering during the burst"
trustd_stop
