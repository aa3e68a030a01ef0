# Helpers for the svopi-trustd tests (sourced after lib.sh).
#
#   trustd_start [EXTRA CONFIG LINES]: config, users alice/bob/carol
#       (password "pw-NAME"), server on a fresh port; sets TD_URL, TD_CONF,
#       TD_DB, TD_PID.
#   api PATH FIELD=VALUE|FIELD=@FILE...: POST to the API, body in
#       $T/out.json, HTTP status in $HTTP (curl --data-urlencode each).
#   jget FIELD: a top-level field of $T/out.json ("" if absent).

TD_BIN=$B/trustd/svopi-trustd
TD_ADM=$B/trustd/svopi-trustadm

trustd_config() {
	TD_PORT=$(itest_port)
	TD_URL=https://127.0.0.1:$TD_PORT
	TD_CONF=$T/trustd.conf
	TD_DB=$T/trustd.db
	cat >"$TD_CONF" <<CONF
# written by trustd-lib.sh
[trustd]
listen = 127.0.0.1:$TD_PORT
tls_cert = $T/server.crt
tls_key = $T/server.key
database = $TD_DB
registration = open
# cheap hashes keep the tests fast; the cache is tested by timing
argon2_t_cost = 1
argon2_m_cost = 1024
$*
CONF
}

trustd_users() {
	for u in "$@"; do
		printf 'pw-%s\n' "$u" |
			"$TD_ADM" -c "$TD_CONF" useradd "$u@example.org" ||
			fail "useradd $u"
	done
}

trustd_run() {
	itest_bg trustd "$TD_BIN" -c "$TD_CONF" ${TD_DEBUG--d}
	TD_PID=$ITEST_LAST_PID
	itest_wait_port "$TD_PORT" 10
}

trustd_start() {
	[ -x "$TD_BIN" ] || fail "no $TD_BIN"
	command -v curl >/dev/null || skip "no curl"
	itest_ca
	itest_cert server
	trustd_config "$@"
	trustd_users alice bob carol
	trustd_run
}

# trustd_stop: TERM and check a clean exit (sanitizers report leaks).
trustd_stop() {
	kill -TERM "$TD_PID"
	wait "$TD_PID"
	rc=$?
	[ "$rc" -eq 0 ] || fail "svopi-trustd exited with $rc"
}

# usercert NAME: a self-signed identity certificate like svopid's.
usercert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$1-id.key" -out "$T/$1-id.crt" -days 2 \
		-subj "/CN=sip:$1@example.org" \
		-addext "subjectAltName=URI:sip:$1@example.org" \
		>/dev/null 2>&1 || fail "user cert $1"
}

api() {
	path=$1
	shift
	n=$#
	for kv; do
		case $kv in
		*=@*) set -- "$@" --data-urlencode "${kv%%=@*}@${kv#*=@}" ;;
		*) set -- "$@" --data-urlencode "$kv" ;;
		esac
	done
	shift "$n"
	HTTP=$(curl -sS --cacert "$T/ca.crt" -o "$T/out.json" \
		-w '%{http_code}' "$@" "$TD_URL$path") || HTTP=000
}

jget() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
v = d.get(sys.argv[2], "")
print(str(v).lower() if isinstance(v, bool) else v)' "${2:-$T/out.json}" "$1"
}

# The text form of a fingerprint (lib/fingerprint.h), as openssl and every
# page or tool a person reads print it, from the API's 64 hex digits.
fp_text() {
	printf '%s' "$1" | tr a-f A-F | sed 's/../&:/g; s/:$//'
}

expect_http() {
	[ "$HTTP" = "$1" ] || fail "$2: HTTP $HTTP, expected $1: $(cat "$T/out.json" 2>/dev/null)"
	note "ok: $2 (HTTP $HTTP)"
}

expect_field() {
	v=$(jget "$1")
	[ "$v" = "$2" ] || fail "$3: $1 = '$v', expected '$2': $(cat "$T/out.json")"
	note "ok: $3 ($1 = $2)"
}

# enroll NAME: makes and enrolls NAME's certificate.
enroll() {
	usercert "$1"
	api /api/v1/enroll login="$1@example.org" password="pw-$1" \
		cert=@"$T/$1-id.crt"
	expect_http 200 "enroll $1"
}

# validate ME PEER [CERTNAME]: ME validates PEER's certificate.
validate() {
	api /api/v1/validate login="$1@example.org" password="pw-$1" \
		peer="$2@example.org" cert=@"$T/${3:-$2}-id.crt"
}

# db_dump: the store's contents, to compare before and after.
db_dump() {
	sqlite3 "$TD_DB" 'SELECT login, ifnull(fingerprint, ""), hex(ifnull(cert, "")) FROM users ORDER BY login;
		SELECT * FROM relationships ORDER BY a, b;
		SELECT * FROM vucs ORDER BY a, b;'
}
