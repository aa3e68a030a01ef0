#!/bin/sh
# svopi-trustd machine API over real TLS on loopback, driven with curl:
# first contact with a VUC, locking, expiry, certificate checks,
# re-enrolment, concurrent validation, long polls, 401/429 and bad input.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/trustd-lib.sh"
itest_init trustd-api
trustd_start
trustd_users dave erin frank gina

for u in alice bob carol dave erin; do
	enroll "$u"
done
expect_field changed true "first enrolment"
fp_erin=$(openssl x509 -in "$T/erin-id.crt" -outform DER |
	openssl dgst -sha256 -r | cut -d' ' -f1)
expect_field fingerprint "$fp_erin" "fingerprint is SHA-256 of the DER"
api /api/v1/enroll login=erin@example.org password=pw-erin \
	cert=@"$T/erin-id.crt"
expect_field changed false "same certificate again"

# --- first contact: alice validates bob, bob validates alice, bob redeems
validate alice bob
expect_http 200 "alice validates bob"
expect_field certificate match "bob's certificate matches"
expect_field relationship pending "no relationship yet"
expect_field role issuer "alice is the issuer"
vuc=$(jget vuc)
echo "$vuc" | grep -Eq '^[0-9]{4}-[0-9]{4}$' || fail "VUC format: '$vuc'"
exp=$(jget vuc_expires)
now=$(date +%s)
[ "$exp" -gt $((now + 800)) ] && [ "$exp" -le $((now + 901)) ] ||
	fail "vuc_expires $exp is not about 15 minutes from $now"
validate alice bob
expect_field vuc "$vuc" "the issuer sees the same code again"

validate bob alice
expect_field certificate match "alice's certificate matches"
expect_field relationship pending "bob sees pending"
expect_field role redeemer "bob is the redeemer"
expect_field vuc "" "the redeemer gets no code"
expect_field vuc_expires "" "the redeemer gets no expiry"

# The issuer cannot redeem its own code.
api /api/v1/redeem login=alice@example.org password=pw-alice \
	peer=bob@example.org vuc="$vuc"
expect_field result no-pending "the issuer cannot redeem"

# A long poll by alice returns as soon as bob redeems.
curl -sS --cacert "$T/ca.crt" -o "$T/poll.json" -w '%{time_total}' \
	--data-urlencode login=alice@example.org \
	--data-urlencode password=pw-alice \
	--data-urlencode peer=sip:bob@example.org --data-urlencode wait=30 \
	"$TD_URL/api/v1/status" >"$T/poll.time" 2>"$T/poll.err" &
poll=$!
sleep 1
# A wrong code does not change the relationship: the poll keeps waiting.
api /api/v1/redeem login=bob@example.org password=pw-bob \
	peer=alice@example.org vuc=0000-0000
[ "$vuc" = 0000-0000 ] || expect_field result wrong-code "wrong code"
expect_field attempts_left 4 "four attempts left"
sleep 0.5
kill -0 "$poll" 2>/dev/null || fail "long poll returned on a wrong code"
api /api/v1/redeem login=bob@example.org password=pw-bob \
	peer=alice@example.org vuc="$(echo "$vuc" | tr -d -)"
expect_field result trusted "bob redeems the code (without the dash)"
wait "$poll" || fail "long poll: $(cat "$T/poll.err")"
t=$(cat "$T/poll.time")
jget relationship "$T/poll.json" | grep -qx trusted ||
	fail "long poll answer: $(cat "$T/poll.json")"
awk -v t="$t" 'BEGIN { exit !(t >= 1.0 && t < 5.0) }' ||
	fail "long poll took $t s (expected between 1 and 5 s of a 30 s wait)"
note "ok: long poll returned after $t s, when bob redeemed"

validate alice bob
expect_field relationship trusted "alice: trusted"
expect_field vuc "" "no code once trusted"
validate bob alice
expect_field relationship trusted "bob: trusted"
api /api/v1/redeem login=bob@example.org password=pw-bob \
	peer=alice@example.org vuc="$vuc"
expect_field result trusted "redeeming again reads trusted"

# A long poll without a change answers when its time is up.
api /api/v1/status login=alice@example.org password=pw-alice \
	peer=bob@example.org wait=1
expect_field relationship trusted "status after a 1 s wait"
# known= lets a client return at once when its view is out of date.
api /api/v1/status login=alice@example.org password=pw-alice \
	peer=bob@example.org wait=30 known=pending
expect_field relationship trusted "known=pending answers at once"

# A client that gives up on a long poll: the server answers into nothing
# later (sanitizers watch) and keeps serving.
curl -sS --cacert "$T/ca.crt" -o /dev/null --max-time 1 \
	--data-urlencode login=alice@example.org \
	--data-urlencode password=pw-alice \
	--data-urlencode peer=bob@example.org --data-urlencode wait=2 \
	"$TD_URL/api/v1/status" 2>/dev/null
sleep 1.5
kill -0 "$TD_PID" || fail "server died after an abandoned long poll"
api /api/v1/status login=alice@example.org password=pw-alice \
	peer=bob@example.org
expect_field relationship trusted "serving after an abandoned long poll"

# --- certificate checks
usercert mallory
validate alice bob mallory
expect_field certificate mismatch "a certificate that is not bob's"
expect_field vuc "" "no code on a mismatch"
api /api/v1/validate login=alice@example.org password=pw-alice \
	peer=nobody@example.org cert=@"$T/mallory-id.crt"
expect_field certificate unknown-user "unknown peer"
expect_field relationship none "no relationship with an unknown user"
api /api/v1/validate login=alice@example.org password=pw-alice \
	peer=frank@example.org cert=@"$T/mallory-id.crt"
expect_field certificate not-enrolled "peer without a certificate"
expect_field vuc "" "no code for a peer without a certificate"

# --- five wrong codes lock the VUC; a new validation issues a new one
validate alice carol
expect_field role issuer "alice issues a code for carol"
vuc=$(jget vuc)
wrong=$(echo "$vuc" | tr 0-9 1-90)
for left in 4 3 2 1 0; do
	api /api/v1/redeem login=carol@example.org password=pw-carol \
		peer=alice@example.org vuc="$wrong"
	expect_field result wrong-code "wrong code ($left left)"
	expect_field attempts_left "$left" "attempts left"
done
api /api/v1/redeem login=carol@example.org password=pw-carol \
	peer=alice@example.org vuc="$vuc"
expect_field result locked "the right code after five wrong ones"
api /api/v1/status login=carol@example.org password=pw-carol \
	peer=alice@example.org
expect_field relationship none "a locked code leaves no relationship"
validate carol alice
expect_field role issuer "after the lock a new validation issues a new code"
vuc2=$(jget vuc)
api /api/v1/redeem login=alice@example.org password=pw-alice \
	peer=carol@example.org vuc="$vuc2"
expect_field result trusted "the new code works"

# --- re-enrolment makes relationships pending again
cp "$T/bob-id.crt" "$T/bobold-id.crt"
enroll bob
expect_field changed true "bob has a new key"
validate alice bob bobold
expect_field certificate mismatch "bob's old certificate no longer matches"
api /api/v1/status login=alice@example.org password=pw-alice \
	peer=bob@example.org
expect_field relationship pending "relationship under the old key is pending"
validate alice bob
expect_field certificate match "bob's new certificate"
expect_field relationship pending "not trusted silently"
expect_field role issuer "a new code for the new key"
vuc=$(jget vuc)
api /api/v1/redeem login=bob@example.org password=pw-bob \
	peer=alice@example.org vuc="$vuc"
expect_field result trusted "trusted again after a new code"

# --- simultaneous first validations get exactly one code between them
validate dave erin >/dev/null &
p1=$!
curl -sS --cacert "$T/ca.crt" -o "$T/erin.json" \
	--data-urlencode login=erin@example.org --data-urlencode password=pw-erin \
	--data-urlencode peer=dave@example.org \
	--data-urlencode cert@"$T/dave-id.crt" "$TD_URL/api/v1/validate" &
p2=$!
wait "$p1"
wait "$p2"
n=0
for f in "$T/out.json" "$T/erin.json"; do
	[ "$(jget relationship "$f")" = pending ] || fail "simultaneous: $(cat "$f")"
	[ -n "$(jget vuc "$f")" ] && n=$((n + 1))
done
[ "$n" -eq 1 ] || fail "simultaneous validations got $n codes"
[ "$(jget role "$T/out.json")$(jget role "$T/erin.json")" = issuerredeemer ] ||
[ "$(jget role "$T/out.json")$(jget role "$T/erin.json")" = redeemerissuer ] ||
	fail "simultaneous roles"
note "ok: simultaneous validations: one issuer, one redeemer"

# --- long polls in every event loop return when another loop changes the
# pair (four connections: the kernel spreads them over the loops)
if [ -n "$(jget vuc "$T/out.json")" ]; then
	iss=dave red=erin code=$(jget vuc "$T/out.json")
else
	iss=erin red=dave code=$(jget vuc "$T/erin.json")
fi
pids=
for i in 1 2 3 4; do
	curl -sS --cacert "$T/ca.crt" -o "$T/poll$i.json" -w '%{time_total}' \
		--data-urlencode login=$iss@example.org \
		--data-urlencode password=pw-$iss \
		--data-urlencode peer=$red@example.org --data-urlencode wait=30 \
		"$TD_URL/api/v1/status" >"$T/poll$i.time" 2>"$T/poll$i.err" &
	pids="$pids $!"
done
sleep 1
api /api/v1/redeem login=$red@example.org password=pw-$red \
	peer=$iss@example.org vuc="$code"
expect_field result trusted "$red redeems $iss's code"
for p in $pids; do
	wait "$p" || fail "a long poll failed"
done
for i in 1 2 3 4; do
	[ "$(jget relationship "$T/poll$i.json")" = trusted ] ||
		fail "long poll $i: $(cat "$T/poll$i.json")"
	awk -v t="$(cat "$T/poll$i.time")" 'BEGIN { exit !(t < 5.0) }' ||
		fail "long poll $i took $(cat "$T/poll$i.time") s"
done
note "ok: four long polls returned when the pair changed"

# --- bad input: 4xx, a JSON error, and the store unchanged
before=$(db_dump)
bad() {
	code=$1
	desc=$2
	shift 2
	rm -f "$T/out.hdr"
	HTTP=$(curl -sS --cacert "$T/ca.crt" -o "$T/out.json" -D "$T/out.hdr" \
		-w '%{http_code}' "$@") || {
		# trustd refuses an oversized body from its head and closes
		# while curl may still be sending it: curl then reports a
		# send failure (55) after the whole answer came. The status
		# line it received still counts; no answer stays 000.
		HTTP=$(awk 'NR == 1 && /^HTTP\// { print $2 }' "$T/out.hdr" \
			2>/dev/null)
		[ -n "$HTTP" ] || HTTP=000
	}
	expect_http "$code" "$desc"
	[ -n "$(jget error)" ] || fail "$desc: no JSON error: $(cat "$T/out.json")"
}
A="login=alice%40example.org&password=pw-alice"
bad 405 "GET on the API" "$TD_URL/api/v1/validate"
bad 404 "unknown API path" -d "$A" "$TD_URL/api/v1/nothing"
bad 415 "not a form" -H 'Content-Type: application/json' -d '{}' \
	"$TD_URL/api/v1/enroll"
bad 400 "unknown field" -d "$A&cert=x&extra=1" "$TD_URL/api/v1/enroll"
bad 400 "missing field" -d "$A" "$TD_URL/api/v1/enroll"
bad 400 "bad escape" -d "$A&cert=%zz" "$TD_URL/api/v1/enroll"
bad 400 "repeated field" -d "$A&login=bob%40example.org&cert=x" \
	"$TD_URL/api/v1/enroll"
bad 400 "bad PEM" -d "$A&cert=-----BEGIN+CERTIFICATE-----%0Axx" \
	"$TD_URL/api/v1/enroll"
bad 400 "bad peer" -d "$A&peer=%3Cscript%3E&vuc=12345678" \
	"$TD_URL/api/v1/redeem"
bad 400 "peer is self" -d "$A&peer=alice%40example.org&vuc=12345678" \
	"$TD_URL/api/v1/redeem"
bad 400 "bad VUC" -d "$A&peer=bob%40example.org&vuc=1234-567x" \
	"$TD_URL/api/v1/redeem"
bad 400 "bad wait" -d "$A&peer=bob%40example.org&wait=-1" \
	"$TD_URL/api/v1/status"
head -c 20000 /dev/zero | tr '\0' a >"$T/big"
bad 413 "oversized certificate field" -d "$A" \
	--data-urlencode cert@"$T/big" "$TD_URL/api/v1/enroll"
head -c 70000 /dev/zero | tr '\0' a >"$T/huge"
bad 413 "oversized body" -d "$A" --data-urlencode x@"$T/huge" \
	"$TD_URL/api/v1/enroll"
bad 413 "too many fields" \
	-d "$A&a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1&l=1&m=1&n=1&o=1" \
	"$TD_URL/api/v1/enroll"
[ "$(db_dump)" = "$before" ] || fail "bad input changed the store"
note "ok: the store is unchanged after bad input"

# --- 401 and 429
api /api/v1/status login=alice@example.org password=wrong \
	peer=bob@example.org
expect_http 401 "wrong password"
[ -n "$(jget error)" ] || fail "401 without a JSON error"
api /api/v1/status login=ghost@example.org password=pw \
	peer=bob@example.org
expect_http 401 "unknown login"
for i in 2 3 4 5; do
	api /api/v1/status login=frank@example.org password="wrong$i" \
		peer=bob@example.org
	expect_http 401 "wrong password for frank ($i)"
done
api /api/v1/status login=frank@example.org password=wrong6 \
	peer=bob@example.org
expect_http 401 "fifth failure for frank"
api /api/v1/status login=frank@example.org password=pw-frank \
	peer=bob@example.org
expect_http 429 "frank's login is rate-limited, even with the right password"
# Per address: 20 failures from 127.0.0.1 in all (7 so far).
for i in $(seq 1 13); do
	api /api/v1/status login="x$i@example.org" password=pw \
		peer=bob@example.org
	expect_http 401 "guess $i"
done
api /api/v1/status login=gina@example.org password=pw-gina \
	peer=bob@example.org
expect_http 429 "the address is rate-limited for new logins"
api /api/v1/status login=alice@example.org password=pw-alice \
	peer=bob@example.org
expect_http 200 "a verified (cached) credential still works"

# --- short vuc_ttl: codes expire (restart with vuc_ttl = 1)
trustd_stop
trustd_config "vuc_ttl = 1"
trustd_run
validate bob carol
expect_field role issuer "bob issues a code for carol"
vuc=$(jget vuc)
sleep 2.2
api /api/v1/redeem login=carol@example.org password=pw-carol \
	peer=bob@example.org vuc="$vuc"
expect_field result expired "the code expired"
api /api/v1/status login=bob@example.org password=pw-bob \
	peer=carol@example.org
expect_field relationship none "an expired code leaves no relationship"
trustd_stop
note "all trustd API checks passed"
