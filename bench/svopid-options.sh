#!/bin/sh
# Benchmark: how many OPTIONS per second one svopid answers, over UDP and
# TCP, with sipp at a fixed rate; and how long `svopictl status` takes
# meanwhile. Run from a build folder:
#   top_builddir=$PWD top_srcdir=/path/to/svopi sh /path/to/svopi/bench/svopid-options.sh [RATE] [CALLS]
# Prints one line per transport; docs/performance-daemon.md holds results.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
RATE=${1:-2000}
CALLS=${2:-20000}
itest_init svopid-bench
itest_ca
svopid_conf bench
sed -i 's/^level = debug/level = warning/' "$T/bench.conf"
svopid_start bench
for tp in udp tcp; do
	port=$(eval echo "\$bench_$(echo $tp | tr a-z A-Z)")
	svopid_port
	sp=$SVOPID_PORT
	mode=u1
	[ "$tp" = tcp ] && mode=t1
	t0=$(date +%s%N)
	sipp -nostdin -sf "$S/tests/data/sipp/options.xml" -t "$mode" \
		-r "$RATE" -m "$CALLS" -l 2000 -i 127.0.0.1 -p "$sp" -s bench \
		-timeout 120s "127.0.0.1:$port" >"$T/sipp-$tp.log" 2>&1 </dev/null &
	sipp_pid=$!
	max=0
	while kill -0 "$sipp_pid" 2>/dev/null; do
		a=$(date +%s%N)
		ctl bench status >/dev/null || fail "status"
		b=$(date +%s%N)
		ms=$(( (b - a) / 1000000 ))
		[ "$ms" -gt "$max" ] && max=$ms
		sleep 0.1
	done
	wait "$sipp_pid"
	rc=$?
	t1=$(date +%s%N)
	secs=$(( (t1 - t0) / 1000000 ))
	ok=$(grep "Successful call" "$T/sipp-$tp.log" | tail -1 | awk -F'|' '{print $3}' | tr -d ' ')
	bad=$(grep "Failed call" "$T/sipp-$tp.log" | tail -1 | awk -F'|' '{print $3}' | tr -d ' ')
	echo "$tp: rate $RATE/s, $CALLS OPTIONS in $secs ms: ok $ok failed $bad (sipp exit $rc), slowest svopictl status ${max} ms"
done
svopid_stop bench
