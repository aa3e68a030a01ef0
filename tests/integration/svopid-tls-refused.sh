#!/bin/sh
# A TLS connection the peer refuses is reported as "connection refused"
# (in the log and in the registration detail), not as an OpenSSL code such
# as error:00000005:lib(0) (issue 8, "Promises kept").
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$S/tests/integration/svopid-common.sh"
itest_init svopid-tls-refused
itest_ca

# Nothing listens on the proxy's port.
closed=$(itest_port)
svopid_conf zoe "sip:127.0.0.1:$closed;transport=tls"
svopid_start zoe
itest_wait_for 20 is_failed zoe ||
	fail "registration did not fail: $(ctl zoe status)"
detail=$(ctl zoe --json status | json_field registration_detail)
case $detail in
*"connection refused"*) note "ok: registration detail: $detail" ;;
*) fail "registration detail: $detail" ;;
esac
check "the log says connection refused" \
	grep -q "tls:127.0.0.1:$closed: connection refused" "$T/svopid-zoe.log"
check "no OpenSSL code for a refused connection" \
	sh -c "! grep -q 'error:0000' '$T/svopid-zoe.log'"
svopid_stop zoe
note "ok: a refused TLS connection is called so"
