#!/bin/sh
# svopi-trustadm verbs against a running server, and configuration errors
# that name file:line.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/trustd-lib.sh"
itest_init trustd-adm
trustd_start

# --- configuration errors name the file and line
badconf() {
	desc=$1
	want=$2
	shift 2
	printf '%s\n' "$@" >"$T/bad.conf"
	"$TD_BIN" -c "$T/bad.conf" 2>"$T/bad.err" && fail "$desc: accepted"
	grep -q -- "$want" "$T/bad.err" ||
		fail "$desc: '$(cat "$T/bad.err")' lacks '$want'"
	note "ok: $desc: $(head -n1 "$T/bad.err")"
}
badconf "unknown key" "bad.conf:3: unknown key 'colour'" \
	'# test' '[trustd]' 'colour = blue'
badconf "bad number" "bad.conf:2: bad value for vuc_ttl" \
	'[trustd]' 'vuc_ttl = 15m'
badconf "bad registration" "bad.conf:4: bad value for registration" \
	'[trustd]' "database = $T/x.db" '' 'registration = maybe'
badconf "bad listen" "bad.conf:2: bad value for listen" \
	'[trustd]' 'listen = 127.0.0.1'
badconf "unknown section" "bad.conf:1: unknown section" '[server]'
badconf "outside section" "bad.conf:1: key 'database' outside" 'database = x'
"$TD_BIN" -c "$T/nonexistent.conf" 2>"$T/bad.err" && fail "missing file accepted"
grep -q nonexistent.conf "$T/bad.err" || fail "missing file not named"

# --- trustadm
printf 'pw-x\n' | "$TD_ADM" -c "$TD_CONF" useradd alice@example.org 2>"$T/e" &&
	fail "useradd of an existing login"
grep -q exists "$T/e" || fail "useradd existing: $(cat "$T/e")"
printf 'pw-x\n' | "$TD_ADM" -c "$TD_CONF" useradd 'not a login' 2>/dev/null &&
	fail "useradd of a bad login"
"$TD_ADM" -c "$TD_CONF" useradd zed@example.org </dev/null 2>/dev/null &&
	fail "useradd without a password"
printf 'pw-zed\n' | "$TD_ADM" -c "$TD_CONF" useradd zed@example.org ||
	fail "useradd zed"
enroll alice
enroll zed
fp=$(fp_text "$(jget fingerprint)")
"$TD_ADM" -c "$TD_CONF" list >"$T/list" || fail "list"
grep -qx "zed@example.org	$fp" "$T/list" || fail "list: $(cat "$T/list")"
grep -qx "bob@example.org	-" "$T/list" || fail "list shows not enrolled"
note "ok: list"
validate zed alice
vuc=$(jget vuc)
"$TD_ADM" -c "$TD_CONF" relationships zed@example.org >"$T/rel" ||
	fail "relationships"
grep -q "^alice@example.org	zed@example.org	pending	vuc-issuer=zed@example.org" \
	"$T/rel" || fail "relationships: $(cat "$T/rel")"
grep -q "${vuc%-*}" "$T/rel" && fail "relationships shows the code"
api /api/v1/redeem login=alice@example.org password=pw-alice \
	peer=zed@example.org vuc="$vuc"
expect_field result trusted "alice redeems"
"$TD_ADM" -c "$TD_CONF" relationships >"$T/rel" || fail "relationships"
grep -qx "alice@example.org	zed@example.org	trusted" "$T/rel" ||
	fail "relationships after redeem: $(cat "$T/rel")"
note "ok: relationships"
"$TD_ADM" -c "$TD_CONF" userdel zed@example.org || fail "userdel"
"$TD_ADM" -c "$TD_CONF" userdel zed@example.org 2>/dev/null &&
	fail "userdel twice"
[ -z "$("$TD_ADM" -c "$TD_CONF" relationships)" ] ||
	fail "userdel left relationships"
api /api/v1/status login=zed@example.org password=pw-zed \
	peer=alice@example.org
expect_http 401 "a deleted user cannot log in (even with a cached password)"
"$TD_ADM" -c "$TD_CONF" frobnicate 2>/dev/null
[ $? -eq 2 ] || fail "unknown verb exit status"
trustd_stop
