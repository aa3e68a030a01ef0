# tests/unit/: one table-driven program per lib/ module.
UNIT_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(SRTP_CFLAGS) \
	-DSRCDIR=\"$(abs_top_srcdir)\"

check_PROGRAMS += tests/unit/test-buf
tests_unit_test_buf_SOURCES = tests/unit/test-buf.c tests/unit/test.h
tests_unit_test_buf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_buf_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-buf

# --- MIKEY ---
MIKEY_UNIT_TESTS = tests/unit/test-mikey tests/unit/test-mikey-prf \
	tests/unit/test-mikey-msg tests/unit/test-mikey-srtp
check_PROGRAMS += $(MIKEY_UNIT_TESTS)
TESTS += $(MIKEY_UNIT_TESTS)
tests_unit_test_mikey_SOURCES = tests/unit/test-mikey.c tests/unit/test.h
tests_unit_test_mikey_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_mikey_LDADD = $(LIBSVOPI)
tests_unit_test_mikey_prf_SOURCES = tests/unit/test-mikey-prf.c \
	tests/unit/test.h tests/unit/test-mikey-util.h
tests_unit_test_mikey_prf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_mikey_prf_LDADD = $(LIBSVOPI)
tests_unit_test_mikey_msg_SOURCES = tests/unit/test-mikey-msg.c \
	tests/unit/test-mikey-util.h tests/unit/test.h
tests_unit_test_mikey_msg_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_mikey_msg_LDADD = $(LIBSVOPI)
tests_unit_test_mikey_srtp_SOURCES = tests/unit/test-mikey-srtp.c \
	tests/unit/test-mikey-util.h tests/unit/test.h
tests_unit_test_mikey_srtp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_mikey_srtp_LDADD = $(LIBSVOPI)

# --- SIP, SDP, digest ---
check_PROGRAMS += tests/unit/test-sip-msg tests/unit/test-sip-uri \
	tests/unit/test-sdp tests/unit/test-digest
tests_unit_test_sip_msg_SOURCES = tests/unit/test-sip-msg.c tests/unit/test.h
tests_unit_test_sip_msg_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sip_msg_LDADD = $(LIBSVOPI)
tests_unit_test_sip_uri_SOURCES = tests/unit/test-sip-uri.c tests/unit/test.h
tests_unit_test_sip_uri_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sip_uri_LDADD = $(LIBSVOPI)
tests_unit_test_sdp_SOURCES = tests/unit/test-sdp.c tests/unit/test.h
tests_unit_test_sdp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sdp_LDADD = $(LIBSVOPI)
tests_unit_test_digest_SOURCES = tests/unit/test-digest.c tests/unit/test.h
tests_unit_test_digest_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_digest_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-sip-msg tests/unit/test-sip-uri \
	tests/unit/test-sdp tests/unit/test-digest

# --- trustd ---
check_PROGRAMS += tests/unit/test-form
tests_unit_test_form_SOURCES = tests/unit/test-form.c tests/unit/test.h
tests_unit_test_form_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_form_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-form

# --- daemon ---


# --- trust client ---
check_PROGRAMS += tests/unit/test-truststore
tests_unit_test_truststore_SOURCES = tests/unit/test-truststore.c \
	tests/unit/test.h
tests_unit_test_truststore_CFLAGS = $(UNIT_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_truststore_LDADD = $(LIBSVOPID_TRUST)
TESTS += tests/unit/test-truststore

check_PROGRAMS += tests/unit/test-svopid-conf
tests_unit_test_svopid_conf_SOURCES = tests/unit/test-svopid-conf.c \
	daemon/conf.c
tests_unit_test_svopid_conf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_svopid_conf_LDADD = $(LIBCOMMON)
TESTS += tests/unit/test-svopid-conf
check_PROGRAMS += tests/unit/test-svopid-dialog
tests_unit_test_svopid_dialog_SOURCES = tests/unit/test-svopid-dialog.c \
	daemon/dialog.c
tests_unit_test_svopid_dialog_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_svopid_dialog_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-svopid-dialog
check_PROGRAMS += tests/unit/test-svopid-siphash
tests_unit_test_svopid_siphash_SOURCES = tests/unit/test-svopid-siphash.c \
	daemon/siphash.c
tests_unit_test_svopid_siphash_CFLAGS = $(UNIT_CFLAGS)
TESTS += tests/unit/test-svopid-siphash

# --- media ---
check_PROGRAMS += tests/unit/test-rtp
tests_unit_test_rtp_SOURCES = tests/unit/test-rtp.c tests/unit/test.h
tests_unit_test_rtp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rtp_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-rtp

# --- shared helpers (lib/ini, base64, login; common/log) ---
check_PROGRAMS += tests/unit/test-ini tests/unit/test-log \
	tests/unit/test-base64 tests/unit/test-login tests/unit/test-fingerprint \
	tests/unit/test-trust-api
tests_unit_test_trust_api_SOURCES = tests/unit/test-trust-api.c \
	tests/unit/test.h
tests_unit_test_trust_api_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_trust_api_LDADD = $(LIBSVOPI)
tests_unit_test_fingerprint_SOURCES = tests/unit/test-fingerprint.c \
	tests/unit/test.h
tests_unit_test_fingerprint_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fingerprint_LDADD = $(LIBSVOPI)
tests_unit_test_base64_SOURCES = tests/unit/test-base64.c tests/unit/test.h
tests_unit_test_base64_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_base64_LDADD = $(LIBSVOPI)
tests_unit_test_login_SOURCES = tests/unit/test-login.c tests/unit/test.h
tests_unit_test_login_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_login_LDADD = $(LIBSVOPI)
tests_unit_test_ini_SOURCES = tests/unit/test-ini.c tests/unit/test.h
tests_unit_test_ini_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ini_LDADD = $(LIBSVOPI)
tests_unit_test_log_SOURCES = tests/unit/test-log.c tests/unit/test.h
tests_unit_test_log_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_log_LDADD = $(LIBCOMMON)
TESTS += tests/unit/test-ini tests/unit/test-log tests/unit/test-base64 \
	tests/unit/test-login tests/unit/test-fingerprint tests/unit/test-trust-api

# --- house (issue 8): the call state machine without sockets ---
# The daemon's call layer and what it links, minus main and the bus
# layer; call-fake.c stands in for the user agent's sending side.
CALL_UNIT_SOURCES = tests/unit/call-fake.c tests/unit/call-fake.h \
	daemon/call.c daemon/call-sip.c daemon/call-sdp.c daemon/call-core.c \
	daemon/call-keys.c daemon/call-trust.c daemon/ua.c daemon/txn.c \
	daemon/transport.c daemon/dialog.c daemon/siphash.c daemon/conf.c \
	daemon/identity.c daemon/call-voice.c
check_PROGRAMS += tests/unit/test-call-flow
tests_unit_test_call_flow_SOURCES = tests/unit/test-call-flow.c \
	tests/unit/test.h $(CALL_UNIT_SOURCES)
tests_unit_test_call_flow_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS) \
	$(SYSTEMD_CFLAGS)
tests_unit_test_call_flow_LDADD = $(LIBSVOPID_TRUST) $(LIBSVOPID_MEDIA) \
	$(LIBCOMMON) $(EVENT_LIBS) $(OPENSSL_LIBS) $(SYSTEMD_LIBS)
TESTS += tests/unit/test-call-flow

# --- coalescing of security alerts (lib/coalesce) ---
check_PROGRAMS += tests/unit/test-coalesce
tests_unit_test_coalesce_SOURCES = tests/unit/test-coalesce.c tests/unit/test.h
tests_unit_test_coalesce_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_coalesce_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-coalesce

# --- voice ---
check_PROGRAMS += tests/unit/test-g711
tests_unit_test_g711_SOURCES = tests/unit/test-g711.c tests/unit/test.h
tests_unit_test_g711_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_g711_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-g711
check_PROGRAMS += tests/unit/test-dtmf
tests_unit_test_dtmf_SOURCES = tests/unit/test-dtmf.c tests/unit/test.h
tests_unit_test_dtmf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_dtmf_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-dtmf
check_PROGRAMS += tests/unit/test-cn
tests_unit_test_cn_SOURCES = tests/unit/test-cn.c tests/unit/test.h
tests_unit_test_cn_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cn_LDADD = $(LIBSVOPI) -lm
TESTS += tests/unit/test-cn
check_PROGRAMS += tests/unit/test-sdp-codec
tests_unit_test_sdp_codec_SOURCES = tests/unit/test-sdp-codec.c tests/unit/test.h
tests_unit_test_sdp_codec_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sdp_codec_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-sdp-codec
