# tests/fuzz/: one libFuzzer target per parser. Without --enable-fuzzing
# each target links replay-main.c and replays its corpus in make check,
# so every corpus file is a regression test.
if FUZZING
FUZZ_MAIN =
FUZZ_TGT_CF = $(AM_CFLAGS) $(FUZZ_CFLAGS) $(OPENSSL_CFLAGS)
FUZZ_TGT_LD = $(FUZZ_LDFLAGS)
else
FUZZ_MAIN = tests/fuzz/replay-main.c
FUZZ_TGT_CF = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
FUZZ_TGT_LD = $(AM_LDFLAGS)
endif
EXTRA_DIST += tests/fuzz/replay-main.c tests/fuzz/corpus tests/fuzz/fuzz.h

# A target NAME is declared as:
#   check_PROGRAMS += tests/fuzz/fuzz-NAME
#   tests_fuzz_fuzz_NAME_SOURCES = tests/fuzz/fuzz-NAME.c $(FUZZ_MAIN)
#   tests_fuzz_fuzz_NAME_CFLAGS = $(FUZZ_TGT_CF) \
#	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/NAME\"
#   tests_fuzz_fuzz_NAME_LDFLAGS = $(FUZZ_TGT_LD)
#   tests_fuzz_fuzz_NAME_LDADD = $(LIBSVOPI)
#   TESTS += tests/fuzz/fuzz-NAME   (only without FUZZING)

# --- MIKEY ---
check_PROGRAMS += tests/fuzz/fuzz-mikey
tests_fuzz_fuzz_mikey_SOURCES = tests/fuzz/fuzz-mikey.c $(FUZZ_MAIN)
tests_fuzz_fuzz_mikey_CFLAGS = $(FUZZ_TGT_CF) $(SRTP_CFLAGS) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/mikey\"
tests_fuzz_fuzz_mikey_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_mikey_LDADD = $(LIBSVOPI)
if !FUZZING
TESTS += tests/fuzz/fuzz-mikey
endif

# --- SIP, SDP ---
check_PROGRAMS += tests/fuzz/fuzz-sip tests/fuzz/fuzz-sdp \
	tests/fuzz/fuzz-sip-uri tests/fuzz/fuzz-digest
tests_fuzz_fuzz_sip_SOURCES = tests/fuzz/fuzz-sip.c $(FUZZ_MAIN)
tests_fuzz_fuzz_sip_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/sip\"
tests_fuzz_fuzz_sip_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_sip_LDADD = $(LIBSVOPI)
tests_fuzz_fuzz_sdp_SOURCES = tests/fuzz/fuzz-sdp.c $(FUZZ_MAIN)
tests_fuzz_fuzz_sdp_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/sdp\"
tests_fuzz_fuzz_sdp_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_sdp_LDADD = $(LIBSVOPI)
tests_fuzz_fuzz_sip_uri_SOURCES = tests/fuzz/fuzz-sip-uri.c $(FUZZ_MAIN)
tests_fuzz_fuzz_sip_uri_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/sip-uri\"
tests_fuzz_fuzz_sip_uri_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_sip_uri_LDADD = $(LIBSVOPI)
tests_fuzz_fuzz_digest_SOURCES = tests/fuzz/fuzz-digest.c $(FUZZ_MAIN)
tests_fuzz_fuzz_digest_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/digest\"
tests_fuzz_fuzz_digest_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_digest_LDADD = $(LIBSVOPI)
if !FUZZING
TESTS += tests/fuzz/fuzz-sip tests/fuzz/fuzz-sdp tests/fuzz/fuzz-sip-uri \
	tests/fuzz/fuzz-digest
endif

# --- trustd forms ---
check_PROGRAMS += tests/fuzz/fuzz-form
tests_fuzz_fuzz_form_SOURCES = tests/fuzz/fuzz-form.c $(FUZZ_MAIN)
tests_fuzz_fuzz_form_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/form\"
tests_fuzz_fuzz_form_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_form_LDADD = $(LIBSVOPI)
if !FUZZING
TESTS += tests/fuzz/fuzz-form
endif

# --- daemon ---
check_PROGRAMS += tests/fuzz/fuzz-svopid-conf
tests_fuzz_fuzz_svopid_conf_SOURCES = tests/fuzz/fuzz-svopid-conf.c \
	daemon/conf.c $(FUZZ_MAIN)
tests_fuzz_fuzz_svopid_conf_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/svopid-conf\"
tests_fuzz_fuzz_svopid_conf_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_svopid_conf_LDADD = $(LIBCOMMON)
if !FUZZING
TESTS += tests/fuzz/fuzz-svopid-conf
endif

# --- media ---
check_PROGRAMS += tests/fuzz/fuzz-rtp
tests_fuzz_fuzz_rtp_SOURCES = tests/fuzz/fuzz-rtp.c $(FUZZ_MAIN)
tests_fuzz_fuzz_rtp_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/rtp\"
tests_fuzz_fuzz_rtp_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_rtp_LDADD = $(LIBSVOPI)
if !FUZZING
TESTS += tests/fuzz/fuzz-rtp
endif

# --- shared helpers ---
check_PROGRAMS += tests/fuzz/fuzz-ini tests/fuzz/fuzz-trust-api
tests_fuzz_fuzz_trust_api_SOURCES = tests/fuzz/fuzz-trust-api.c $(FUZZ_MAIN)
tests_fuzz_fuzz_trust_api_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/trust-api\"
tests_fuzz_fuzz_trust_api_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_trust_api_LDADD = $(LIBSVOPI)
tests_fuzz_fuzz_ini_SOURCES = tests/fuzz/fuzz-ini.c $(FUZZ_MAIN)
tests_fuzz_fuzz_ini_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/ini\"
tests_fuzz_fuzz_ini_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_ini_LDADD = $(LIBSVOPI)
if !FUZZING
TESTS += tests/fuzz/fuzz-ini tests/fuzz/fuzz-trust-api
endif

# --- voice: RFC 4733 events ---
check_PROGRAMS += tests/fuzz/fuzz-dtmf
tests_fuzz_fuzz_dtmf_SOURCES = tests/fuzz/fuzz-dtmf.c $(FUZZ_MAIN)
tests_fuzz_fuzz_dtmf_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/dtmf\"
tests_fuzz_fuzz_dtmf_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_dtmf_LDADD = $(LIBSVOPI)
if !FUZZING
TESTS += tests/fuzz/fuzz-dtmf
endif
