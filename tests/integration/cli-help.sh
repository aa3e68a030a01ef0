#!/bin/sh
# Every program answers --help on stdout with exit 0 and --version with
# its name and the package version; an unknown option is exit 2 (or 1
# for the daemons, whose usage errors are configuration errors).
. "${top_srcdir:-.}/tests/integration/lib.sh"
itest_init cli-help
ver=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$B/config.h")
[ -n "$ver" ] || fail "no PACKAGE_VERSION in config.h"
for p in daemon/svopid cli/svopictl trustd/svopi-trustd \
    trustd/svopi-trustadm tools/svopi-mikey; do
	name=${p#*/}
	"$B/$p" --help >"$T/out" 2>"$T/err" || fail "$name --help: exit $?"
	[ -s "$T/out" ] || fail "$name --help wrote nothing on stdout"
	[ -s "$T/err" ] && fail "$name --help wrote on stderr: $(cat "$T/err")"
	grep -qi usage "$T/out" || fail "$name --help: no usage line"
	out=$("$B/$p" --version) || fail "$name --version: exit $?"
	[ "$out" = "$name $ver" ] || fail "$name --version: '$out'"
	"$B/$p" --no-such-option >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || fail "$name bad option: exit $rc"
	note "ok: $name --help, --version, bad option ($rc)"
done
"$B/cli/svopictl" setup --help | grep -q -- --sip-password-file ||
	fail "svopictl setup --help"
