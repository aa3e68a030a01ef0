# Helpers for the calls-*.sh tests (sourced after lib.sh, svopid-common.sh
# and trustd-lib.sh).

# calls_trustd: svopi-trustd with users alice@$DOMAIN and bob@$DOMAIN
# (password "pw-NAME", the same as their SIP password).
calls_trustd() {
	[ -x "$TD_BIN" ] || fail "no $TD_BIN"
	itest_cert server
	trustd_config "$@"
	for u in alice bob; do
		printf 'pw-%s\n' "$u" |
			"$TD_ADM" -c "$TD_CONF" useradd "$u@$DOMAIN" ||
			fail "useradd $u"
	done
	trustd_run
}

# calls_conf NAME [PROXY] [EXTRA LINES]: svopid_conf plus the trust server,
# null audio and the [calls] section.
calls_conf() {
	_cc_name=$1
	svopid_conf "$1" "${2:-}"
	{
		printf '[trust]\nserver = %s\nca_file = %s/ca.crt\n' "$TD_URL" "$T"
		printf 'password_file = %s/%s.pw\ncache_ttl = %s\n' "$T" "$_cc_name" \
			"${CALLS_CACHE_TTL:-3600}"
		printf '[media]\naudio = null\nrtp_ports = 20000-29999\n'
		printf '[calls]\nauto_answer = %s\ntrust_wait = %s\n' \
			"${CALLS_AUTO_ANSWER:-no}" "${CALLS_TRUST_WAIT:-60}"
	} >>"$T/$_cc_name.conf"
	[ $# -ge 3 ] && printf '%s\n' "$3" >>"$T/$_cc_name.conf"
	return 0
}

# call_field NAME PATH-ID FIELD: a field of `svopictl --json calls` for the
# call with that id (a JSON value, printed by python).
call_field() {
	ctl "$1" --json calls | python3 -c '
import json, sys
for c in json.load(sys.stdin):
    if c["id"] == sys.argv[1]:
        v = c
        for k in sys.argv[2].split("."):
            v = v[k]
        print(json.dumps(v) if not isinstance(v, str) else v)
' "$2" "$3"
}

# last_call NAME: id of NAME's newest call ("" if none).
last_call() {
	ctl "$1" --json calls | python3 -c '
import json, sys
c = json.load(sys.stdin)
print(c[-1]["id"] if c else "")'
}

call_state_is() {
	[ "$(call_field "$1" "$2" state)" = "$3" ]
}

vuc_prompted() {
	ctl "$1" vuc list | grep -q .
}

# calls_first_contact A B URI: A calls B at URI, the VUC is issued to one
# and entered at the other, the call becomes active (B auto-answers) and A
# hangs up.
calls_first_contact() {
	_fa=$1 _fb=$2
	ctl "$_fa" call "$3" >/dev/null || fail "dial $3"
	_fid=$(last_call "$_fa")
	itest_wait_for 20 vuc_prompted "$_fa" || fail "no VUC prompt at $_fa"
	itest_wait_for 20 vuc_prompted "$_fb" || fail "no VUC prompt at $_fb"
	_fcode=$(ctl "$_fa" --json vuc list | python3 -c '
import json, sys
print("".join(v["code"] for v in json.load(sys.stdin)))')
	if [ -n "$_fcode" ]; then
		ctl "$_fb" vuc enter "sip:$_fa@$DOMAIN" "$_fcode" >/dev/null ||
			fail "redeem at $_fb"
	else
		_fcode=$(ctl "$_fb" --json vuc list | python3 -c '
import json, sys
print("".join(v["code"] for v in json.load(sys.stdin)))')
		ctl "$_fa" vuc enter "sip:$_fb@$DOMAIN" "$_fcode" >/dev/null ||
			fail "redeem at $_fa"
	fi
	itest_wait_for 30 call_state_is "$_fa" "$_fid" active ||
		fail "first contact: $(ctl "$_fa" calls)"
	ctl "$_fa" hangup "$_fid" || fail "hangup"
}

# calls_pair_conf: Kamailio over TLS serving alice and bob, trustd, and
# both daemons' configurations (bob answers by himself; ALICE_AUTO_ANSWER
# and BOB_AUTO_ANSWER change that); sets PROXY and BOB_URI. Edit
# $T/NAME.conf before calls_pair_start if the test needs to.
calls_pair_conf() {
	itest_ca
	itest_kamailio alice:pw-alice bob:pw-bob
	PROXY="sip:127.0.0.1:$KAM_TLS_PORT;transport=tls"
	BOB_URI="sip:bob@$DOMAIN"
	calls_trustd
	CALLS_AUTO_ANSWER=${ALICE_AUTO_ANSWER:-no} calls_conf alice "$PROXY"
	CALLS_AUTO_ANSWER=${BOB_AUTO_ANSWER:-yes} calls_conf bob "$PROXY"
}

# calls_pair_start: both daemons up, registered and enrolled.
calls_pair_start() {
	svopid_start alice
	svopid_start bob
	itest_wait_for 20 is_registered alice || fail "alice not registered"
	itest_wait_for 20 is_registered bob || fail "bob not registered"
	ctl alice enroll >/dev/null || fail "alice enroll"
	ctl bob enroll >/dev/null || fail "bob enroll"
}
