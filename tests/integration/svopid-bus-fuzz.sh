#!/bin/sh
# D-Bus method arguments, fuzzed (issue 9): bus-fuzz sends seeded random
# calls of every Daemon1 and Call1 method and writable property, with
# hostile values of the right signature and, one time in five, a wrong
# signature, to a real svopid on a real dbus-daemon; some dials reach a
# second daemon (bob), so Call1 methods meet live calls. Every call is
# answered, the daemon answers a property read within 100 ms after every
# 50 calls, both daemons stop cleanly, and ASan/UBSan report nothing.
# A failure prints the seed and round: `bus-fuzz --seed N --rounds R`
# against a daemon replays it. BUS_FUZZ_SEEDS / BUS_FUZZ_ROUNDS widen it.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/sip-common.sh"
itest_init svopid-bus-fuzz
F=$B/tests/integration/bus-fuzz
[ -x "$F" ] || fail "no $F"
sip_two_daemons
for seed in ${BUS_FUZZ_SEEDS:-1 2 3 4}; do
	( DBUS_SESSION_BUS_ADDRESS=$alice_BUS "$F" \
		--seed "$seed" --rounds "${BUS_FUZZ_ROUNDS:-500}" \
		--dial-to "sip:bob@$DOMAIN:$bob_TCP;transport=tcp;maddr=127.0.0.1" ) \
		>"$T/fuzz-$seed.out" 2>&1 ||
		fail "seed $seed: $(tail -n 5 "$T/fuzz-$seed.out")"
	note "ok: $(tail -n 1 "$T/fuzz-$seed.out")"
	check "alice alive after seed $seed" ctl alice status
done
check "bob alive" ctl bob status
check "some fuzzed dials reached bob" grep -qE "(OPTIONS|INVITE) from" "$T/svopid-bob.log"
svopid_stop alice
svopid_stop bob
if grep -lE "ERROR: (Address|Leak)Sanitizer|runtime error:" \
    "$T"/svopid-*.log >&2; then
	fail "sanitizer report"
fi
exit 0
