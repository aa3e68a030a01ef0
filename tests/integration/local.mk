# tests/integration: see Makefile.am

# --- MIKEY ---
MIKEY_ITESTS = tests/integration/mikey-cli.sh tests/integration/mikey-tshark.sh
TESTS += $(MIKEY_ITESTS)
dist_check_SCRIPTS += $(MIKEY_ITESTS)

# --- trustd ---
TESTS += tests/integration/trustd-api.sh tests/integration/trustd-crash.sh \
	tests/integration/trustd-web.sh tests/integration/trustd-adm.sh
dist_check_SCRIPTS += tests/integration/trustd-api.sh \
	tests/integration/trustd-crash.sh tests/integration/trustd-web.sh \
	tests/integration/trustd-adm.sh
# lib.sh is not in the skeleton's dist list; the tests need it.
EXTRA_DIST += tests/integration/lib.sh tests/integration/trustd-lib.sh \
	tests/integration/web/package.json \
	tests/integration/web/package-lock.json \
	tests/integration/web/trustd-web.mjs
CLEANFILES += tests/integration/trustd-web.png
# trustd under hostile clients (issue 9); its layers (issue 8)
TRUSTD_HOSTILE_ITESTS = tests/integration/trustd-hostile.sh \
	tests/integration/trustd-fds.sh tests/integration/trustd-layers.sh \
	tests/integration/trustd-api-pg.sh tests/integration/trustd-pg-cluster.sh \
	tests/integration/trustd-pg-failover.sh tests/integration/trustd-migrate.sh \
	tests/integration/trustd-hash-pool.sh tests/integration/trustd-pg-call.sh
TESTS += $(TRUSTD_HOSTILE_ITESTS)
dist_check_SCRIPTS += $(TRUSTD_HOSTILE_ITESTS)
EXTRA_DIST += tests/integration/trustd-raw.py tests/integration/netns-impair.py

# --- trust client ---
check_PROGRAMS += tests/integration/trust-client-driver
tests_integration_trust_client_driver_SOURCES = \
	tests/integration/trust-client-driver.c
tests_integration_trust_client_driver_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) \
	$(EVENT_CFLAGS) $(OPENSSL_CFLAGS)
tests_integration_trust_client_driver_LDADD = $(LIBSVOPID_TRUST)
dist_check_SCRIPTS += tests/integration/trust-client-errors.sh
TESTS += tests/integration/trust-client-errors.sh
dist_check_SCRIPTS += tests/integration/trust-client-store.sh
TESTS += tests/integration/trust-client-store.sh
dist_check_SCRIPTS += tests/integration/trust-client-flow.sh
TESTS += tests/integration/trust-client-flow.sh
# Every integration script sources lib.sh; without it in the tarball
# make distcheck fails them all. (Harmless if another area adds it too.)
EXTRA_DIST += tests/integration/lib.sh

# --- daemon ---
TESTS += tests/integration/svopid-register.sh \
	tests/integration/svopid-notify.sh \
	tests/integration/svopid-sip.sh
dist_check_SCRIPTS += tests/integration/svopid-register.sh \
	tests/integration/svopid-notify.sh \
	tests/integration/svopid-sip.sh
EXTRA_DIST += tests/integration/svopid-common.sh

# --- media ---
check_PROGRAMS += tests/integration/media-driver
tests_integration_media_driver_SOURCES = tests/integration/media-driver.c \
	tests/integration/media-test.c tests/integration/media-test.h \
	tests/unit/test-mikey-util.h
tests_integration_media_driver_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) \
	$(OPENSSL_CFLAGS) $(SRTP_CFLAGS) -I$(top_srcdir)/daemon \
	-I$(top_srcdir)/tests/unit
tests_integration_media_driver_LDADD = $(LIBSVOPID_MEDIA)
dist_check_SCRIPTS += tests/integration/media-srtp.sh tests/integration/media-srtp-capture.sh
TESTS += tests/integration/media-srtp.sh tests/integration/media-srtp-capture.sh
include tests/integration/media-voice.mk


# --- calls ---
TESTS += tests/integration/calls-first.sh tests/integration/calls-trust.sh \
	tests/integration/calls-refuse.sh
dist_check_SCRIPTS += tests/integration/calls-first.sh tests/integration/calls-trust.sh \
	tests/integration/calls-refuse.sh
EXTRA_DIST += tests/integration/calls-common.sh

# --- demo ---
TESTS += tests/integration/demo.sh
dist_check_SCRIPTS += tests/integration/demo.sh
EXTRA_DIST += tests/integration/dbus-xml-match.py

# --- hostile peers (issue 9) ---
HOSTILE_ITESTS = tests/integration/calls-hostile-answer.sh \
	tests/integration/calls-replay-restart.sh \
	tests/integration/calls-stolen-key.sh \
	tests/integration/calls-alert-flood.sh \
	tests/integration/calls-validation-flood.sh \
	tests/integration/calls-burst.sh
TESTS += $(HOSTILE_ITESTS)
dist_check_SCRIPTS += $(HOSTILE_ITESTS)
EXTRA_DIST += tests/integration/hostile-uas.py tests/integration/tcp-delay.py

# --- long tests: make check-long (run by scripts/test.sh after make check) ---
LONG_TESTS = tests/integration/faults-kill.sh
EXTRA_DIST += $(LONG_TESTS)
check-long: all
	$(MAKE) $(AM_MAKEFLAGS) $(check_PROGRAMS) $(check_SCRIPTS)
	$(MAKE) $(AM_MAKEFLAGS) check-TESTS TESTS="$(LONG_TESTS)"
.PHONY: check-long
# --- house (issue 8): a refused TLS connection says so ---
TESTS += tests/integration/svopid-tls-refused.sh
dist_check_SCRIPTS += tests/integration/svopid-tls-refused.sh
TESTS += tests/integration/svopid-options.sh
dist_check_SCRIPTS += tests/integration/svopid-options.sh
# --- D-Bus arguments fuzzed against a running daemon (issue 9) ---
check_PROGRAMS += tests/integration/bus-fuzz
tests_integration_bus_fuzz_SOURCES = tests/integration/bus-fuzz.c
tests_integration_bus_fuzz_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
tests_integration_bus_fuzz_LDADD = $(SYSTEMD_LIBS)
TESTS += tests/integration/svopid-bus-fuzz.sh
dist_check_SCRIPTS += tests/integration/svopid-bus-fuzz.sh
# --- SIP over lossy UDP, floods (issue 9, SIP layer) ---
SIP_ITESTS = tests/integration/calls-udp-2xx.sh tests/integration/calls-udp-only.sh \
	tests/integration/netns-lossy.sh tests/integration/svopid-flood.sh \
	tests/integration/calls-ring-long.sh
TESTS += $(SIP_ITESTS)
dist_check_SCRIPTS += $(SIP_ITESTS)
EXTRA_DIST += tests/integration/udp-relay.py tests/integration/sip-flood.py \
	tests/integration/sip-probe.py tests/integration/sip-common.sh
TESTS += tests/integration/svopid-lossy.sh
dist_check_SCRIPTS += tests/integration/svopid-lossy.sh
LONG_TESTS += tests/integration/svopid-outage.sh
# --- a malicious proxy (issue 9) ---
TESTS += tests/integration/calls-mitm.sh
dist_check_SCRIPTS += tests/integration/calls-mitm.sh
EXTRA_DIST += tests/integration/evil-proxy.py
