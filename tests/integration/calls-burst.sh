#!/bin/sh
# A burst of simultaneous dials between two daemons through Kamailio, after
# first contact (so every call takes the cached-trust direct path, each
# holding its own RTP port pair from the offer on). Every call is
# accounted for: it became active, or ended with a reason; both daemons
# live and the ASan build reports nothing (issue 9: concurrent calls once
# offered the same port pair and the failed answer was freed twice).
# Functional, not timed. BURST_N sets the size (default 200).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
. "$S/tests/integration/trustd-lib.sh"
. "$S/tests/integration/calls-common.sh"
itest_init calls-burst
command -v curl >/dev/null || skip "no curl"
N=${BURST_N:-200}
calls_pair_conf
# A narrow port range, so that a pair handed out twice would show.
sed -i 's/^rtp_ports = .*/rtp_ports = 21000-21999/' "$T/alice.conf" "$T/bob.conf"
calls_pair_start
calls_first_contact alice bob "$BOB_URI"
note "ok: first contact done; $N dials at once"

itest_bg mon-alice ctl alice monitor
sleep 0.3
i=0 pids=
while [ $i -lt "$N" ]; do
	ctl alice call "$BOB_URI" >/dev/null 2>>"$T/dial-errors" &
	pids="$pids $!"
	i=$((i + 1))
done
wait_dials() {
	# Dials that were accepted (svopictl printed nothing to stderr) must
	# each reach active or ended.
	python3 - "$T/mon-alice.log" "$1" <<'PY'
import sys
last = {}
for line in open(sys.argv[1], errors="replace"):
    f = line.split(" ", 4)
    if len(f) >= 3 and f[0] == "signal" and f[1] == "CallStateChanged":
        last[f[2]] = (f[3].strip(), f[4].strip() if len(f) > 4 else "")
done = [p for p, (s, r) in last.items() if s == "active" or (s == "ended" and r)]
sys.exit(0 if len(done) >= int(sys.argv[2]) else 1)
PY
}
# shellcheck disable=SC2086
wait $pids	# not the monitor, which runs until the end
touch "$T/dial-errors"
nerr=$(grep -c . "$T/dial-errors")
accepted=$((N - nerr))
note "dials accepted: $accepted of $N"
itest_wait_for 120 wait_dials "$accepted" ||
	fail "not every call reached active or ended with a reason"
check "alice alive" ctl alice status
check "bob alive" ctl bob status
python3 - "$T/mon-alice.log" <<'PY' >&2
import collections, sys
last = {}
for line in open(sys.argv[1], errors="replace"):
    f = line.split(" ", 4)
    if len(f) >= 4 and f[0] == "signal" and f[1] == "CallStateChanged":
        last[f[2]] = (f[3].strip(), f[4].strip() if len(f) > 4 else "")
print(collections.Counter(s if s == "active" else s + ": " + r
                          for s, r in last.values()))
PY
check "no media set-up failed (each call had its own ports)" \
	sh -c "! grep -q 'media setup failed' '$T/svopid-alice.log' '$T/svopid-bob.log'"
check "most calls became active" python3 - "$T/mon-alice.log" "$accepted" <<'PY'
import sys
last = {}
for line in open(sys.argv[1], errors="replace"):
    f = line.split(" ", 4)
    if len(f) >= 4 and f[0] == "signal" and f[1] == "CallStateChanged":
        last[f[2]] = f[3].strip()
active = sum(1 for s in last.values() if s == "active")
sys.exit(0 if active * 2 >= int(sys.argv[2]) else 1)
PY
# Hang everything up; both daemons stop cleanly (no sanitizer report).
for id in $(ctl alice --json calls | python3 -c '
import json, sys
print(" ".join(c["id"] for c in json.load(sys.stdin) if c["state"] != "ended"))'); do
	ctl alice hangup "$id" >/dev/null 2>&1
done
svopid_stop alice
svopid_stop bob
exit 0
