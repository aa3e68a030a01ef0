#!/bin/sh
# The first-contact flow of SPEC §3/§4 through svopid's trust client
# against a real svopi-trustd: Alice and Bob enroll, Alice validates Bob
# (issuer, gets the code), Bob validates Alice (redeemer), Bob redeems,
# Alice's long poll returns early, both see trusted. Then keep-alive
# reuse, a certificate that is not the reference, a cancelled long poll,
# Bob re-enrolling (cache says changed, server says pending), wrong
# password, wrong CA, and an unreachable server within bounded retries.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
itest_init trust-client-flow

D=$B/tests/integration/trust-client-driver
[ -x "$D" ] || fail "no driver $D"
[ -x "$B/trustd/svopi-trustd" ] || skip "no svopi-trustd built"
[ -f "$S/tests/integration/trustd-lib.sh" ] || skip "no trustd-lib.sh"
. "$S/tests/integration/trustd-lib.sh"

itest_ca
itest_cert server
trustd_config
trustd_users alice bob carol
trustd_run
usercert alice
usercert bob
usercert carol

run() {
	"$D" --server "$TD_URL" --ca "$T/ca.crt" "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	if grep -q 'Sanitizer\|runtime error' "$T/err"; then
		cat "$T/err" >&2
		fail "sanitizer report: $*"
	fi
}
has() {
	grep -qx -- "$1" "$T/out" || { cat "$T/out" "$T/err" >&2; return 1; }
}
get() {
	sed -n "s/^$1=//p" "$T/out" | head -n 1
}
# The text form, as openssl prints it (lib/fingerprint.h).
fp_of() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^.*=//'
}
A=alice@example.org
Bo=bob@example.org

# Enrollment returns the fingerprint of the certificate (SHA-256 of DER).
run enroll "$A" pw-alice "$T/alice-id.crt"
check "alice enrolls" has error=0
check "alice fingerprint" has "fingerprint=$(fp_of "$T/alice-id.crt")"
run enroll "$Bo" pw-bob "$T/bob-id.crt"
check "bob enrolls" has error=0

# Alice validates Bob: his certificate matches, she gets the code.
run validate "$A" pw-alice "sip:$Bo" "$T/bob-id.crt"
check "alice validates bob" has error=0
check "bob's certificate matches" has certificate=match
check "pending" has relationship=pending
check "alice is the issuer" has role=issuer
check "fingerprint of the cert sent" has "fingerprint=$(fp_of "$T/bob-id.crt")"
VUC=$(get vuc)
echo "$VUC" | grep -qx '[0-9]\{4\}-[0-9]\{4\}' || fail "no VUC for the issuer"
note "ok: VUC issued to alice"
[ "$(get vuc_expires)" -gt "$(date +%s)" ] || fail "vuc_expires in the past"

# Alice follows the relationship with a long poll while Bob acts.
"$D" --server "$TD_URL" --ca "$T/ca.crt" status "$A" pw-alice "sip:$Bo" \
	30:pending >"$T/poll.out" 2>"$T/poll.err" &
POLL=$!
ITEST_PIDS="$ITEST_PIDS $POLL"

# Bob validates Alice: pending, he is the redeemer and gets no code.
run validate "$Bo" pw-bob "sip:$A" "$T/alice-id.crt"
check "bob validates alice" has certificate=match
check "bob sees pending" has relationship=pending
check "bob is the redeemer" has role=redeemer
grep -q '^vuc=' "$T/out" && fail "the redeemer got a code"

# A wrong code costs one try; a redeem is never sent twice.
WRONG=$(printf '%s' "$VUC" | tr 0123456789 1234567890)
run redeem "$Bo" pw-bob "sip:$A" "$WRONG"
check "wrong code" has result=wrong-code
check "tries left" has attempts_left=4
check "redeem sent once" has attempts=1
run redeem "$Bo" pw-bob "sip:$A" "$VUC"
check "right code" has result=trusted

# The long poll returns as soon as the relationship changed.
itest_wait_for 10 grep -q '^--- end' "$T/poll.out" || fail "long poll still waiting"
wait "$POLL" || { cat "$T/poll.out" "$T/poll.err" >&2; fail "long poll failed"; }
grep -qx relationship=trusted "$T/poll.out" || fail "long poll: $(cat "$T/poll.out")"
ms=$(sed -n 's/^elapsed_ms=//p' "$T/poll.out")
[ "$ms" -lt 10000 ] || fail "long poll took $ms ms"
note "ok: long poll returned trusted after $ms ms"

# Both sides now see trusted.
run validate "$A" pw-alice "sip:$Bo" "$T/bob-id.crt"
check "alice sees trusted" has relationship=trusted
grep -q '^vuc=' "$T/out" && fail "a code after trust"
run validate "$Bo" pw-bob "sip:$A" "$T/alice-id.crt"
check "bob sees trusted" has relationship=trusted

# A long poll whose caller already missed the change answers at once.
run status "$A" pw-alice "sip:$Bo" 30:pending
check "known view answered at once" has relationship=trusted
[ "$(get elapsed_ms)" -lt 5000 ] || fail "long poll with known waited"

# Keep-alive against trustd: five requests, one connection.
run --repeat 5 status "$A" pw-alice "sip:$Bo" 0
check "five answers" has replies=5
check "one connection" has connections=1

# Someone presents Carol's certificate as Bob's: mismatch.
run validate "$A" pw-alice "sip:$Bo" "$T/carol-id.crt"
check "foreign certificate" has certificate=mismatch
grep -q '^vuc=' "$T/out" && fail "a code for a foreign key"

# A cancelled long poll: the client drops its connection, trustd carries on.
run --cancel-after 300 status "$A" pw-alice "sip:$Bo" 30:trusted
check "long poll cancelled" has cancelled=0
run status "$A" pw-alice "sip:$Bo" 0
check "trustd fine after a dropped long poll" has relationship=trusted

# Nothing trusts a new key silently, as svopid would do it: Alice's cache
# holds Bob's trusted key; Bob re-enrolls with a new one; the cache says
# changed, the server says pending (a new code), the cache follows.
ST=$T/alice-trust.db
FPB=$(fp_of "$T/bob-id.crt")
check "cache bob" "$D" store "$ST" record "sip:$Bo" "$FPB" trusted "$(date +%s)"
mv "$T/bob-id.crt" "$T/bob-old.crt"
usercert bob
FPB2=$(fp_of "$T/bob-id.crt")
run enroll "$Bo" pw-bob "$T/bob-id.crt"
check "bob re-enrolls" has "fingerprint=$FPB2"
"$D" store "$ST" lookup "sip:$Bo" "$FPB2" "$(date +%s)" 86400 >"$T/out"
check "cache: changed key" has lookup=changed
run validate "$A" pw-alice "sip:$Bo" "$T/bob-id.crt"
check "new key matches the reference" has certificate=match
check "new key is not trusted" has relationship=pending
run validate "$A" pw-alice "sip:$Bo" "$T/bob-old.crt"
check "old key no longer matches" has certificate=mismatch
check "cache the verdict" "$D" store "$ST" record "sip:$Bo" "$FPB2" pending "$(date +%s)"
"$D" store "$ST" lookup "sip:$Bo" "$FPB2" "$(date +%s)" 86400 >"$T/out"
check "cache: unknown until trusted again" has lookup=unknown

# Wrong password: 401 as -EACCES, not retried, server reachable.
run --retries 3 validate "$A" wrong "sip:$Bo" "$T/bob-id.crt"
check "wrong password" has error=-13
check "not retried" has attempts=1
check "still reachable" has state=reachable

# A CA that did not sign trustd's certificate is refused at once.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/ca2.key" -out "$T/ca2.crt" -days 2 -subj "/CN=other CA" \
	>/dev/null 2>&1 || fail "second CA"
"$D" --server "$TD_URL" --ca "$T/ca2.crt" --retries 3 \
	status "$A" pw-alice "sip:$Bo" 0 >"$T/out" 2>"$T/err"
check "wrong CA refused" has error=-129
check "wrong CA not retried" has attempts=1
check "wrong CA unreachable" has state=unreachable

# trustd gone: unreachable within the bounded retries (100 + 200 ms).
trustd_stop
run --retries 2 --backoff 100 status "$A" pw-alice "sip:$Bo" 0
check "gone" has error=-111
check "retried twice" has attempts=3
check "unreachable" has state=unreachable
grep -q '^state_change=unreachable' "$T/out" || fail "no state callback"
ms=$(get elapsed_ms)
[ "$ms" -lt 3000 ] || fail "unreachable after $ms ms"
note "ok: unreachable after $ms ms"
exit 0
