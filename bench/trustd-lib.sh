# Shared by bench/trustd and bench/trustd-attack (sourced after
# tests/integration/trustd-lib.sh, with trustd running).

# bench_trusted_pair: alice and bob enrolled and trusting each other;
# $T/body is the validate svopid sends (alice asks about bob's
# certificate), exported as BENCH_BODY for bench/trustd-validate.lua.
bench_trusted_pair() {
	enroll alice
	enroll bob
	validate alice bob
	vuc=$(jget vuc)
	api /api/v1/redeem login=bob@example.org password=pw-bob \
		peer=alice@example.org vuc="$vuc"
	expect_field result trusted "alice and bob trust each other"
	python3 - "$T/bob-id.crt" >"$T/body" <<'PY'
import sys, urllib.parse
cert = open(sys.argv[1]).read()
sys.stdout.write(urllib.parse.urlencode({"login": "alice@example.org",
    "password": "pw-alice", "peer": "bob@example.org", "cert": cert}))
PY
	BENCH_BODY=$T/body
	export BENCH_BODY
}

# wrk_field FILE rps|p50|p99|err: one figure of wrk --latency's output.
wrk_field() {
	case $2 in
	rps) sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1" ;;
	p50) sed -n 's/^ *50% *\([0-9.a-z]*\).*/\1/p' "$1" ;;
	p99) sed -n 's/^ *99% *\([0-9.a-z]*\).*/\1/p' "$1" ;;
	err) sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$1" ;;
	esac
}
