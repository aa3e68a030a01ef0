# bench: see Makefile.am. Benchmarks are built by `make bench`, not by
# default: `make bench` then run what docs/performance.md names.

# --- MIKEY ---
BENCH_PROGS = bench/mikey
bench_mikey_SOURCES = bench/mikey.c
bench_mikey_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(SRTP_CFLAGS)
bench_mikey_LDADD = $(LIBSVOPI)

# --- SIP, SDP, digest ---
BENCH_PROGS += bench/bench-sip
bench_bench_sip_SOURCES = bench/bench-sip.c
bench_bench_sip_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) \
	-DSRCDIR=\"$(abs_top_srcdir)\"
bench_bench_sip_LDADD = $(LIBSVOPI)

# --- trustd ---
EXTRA_DIST += bench/trustd bench/trustd-validate.lua bench/trustd-attack \
	bench/trustd-attackers.py bench/trustd-lib.sh

# --- daemon ---
EXTRA_DIST += bench/svopid-options.sh

# --- media: the voice engine under load (docs/performance-media.md) ---
BENCH_PROGS += bench/media
bench_media_SOURCES = bench/media.c tests/integration/media-test.c \
	tests/integration/media-test.h tests/unit/test-mikey-util.h
bench_media_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(SRTP_CFLAGS) -I$(top_srcdir)/daemon -I$(top_srcdir)/tests/unit \
	-I$(top_srcdir)/tests/integration
bench_media_LDADD = $(LIBSVOPID_MEDIA)
BENCH_PROGS += bench/wakeups
bench_wakeups_SOURCES = bench/wakeups.c
# The idle RSS of SPEC §1's required libraries alone (docs/performance-setup.md).
BENCH_PROGS += bench/rss-floor
bench_rss_floor_SOURCES = bench/rss-floor.c
bench_rss_floor_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(SRTP_CFLAGS) $(PULSE_CFLAGS) $(SYSTEMD_CFLAGS) $(SQLITE_CFLAGS)
bench_rss_floor_LDADD = $(EVENT_LIBS) $(OPENSSL_LIBS) $(SRTP_LIBS) \
	$(PULSE_LIBS) $(SYSTEMD_LIBS) $(SQLITE_LIBS)
# CPU per call against baresip 1.0, same run (uses bench/setup's machinery).
EXTRA_DIST += bench/media-vs-baresip bench/media-vs-baresip-run.py

# --- call set-up against baresip, concurrency (docs/performance-setup.md) ---
EXTRA_DIST += bench/setup bench/setup-lib.sh bench/setup-run.py \
	bench/concurrency bench/concurrency-run.py bench/perf-breakdown.py \
	bench/rss.py

EXTRA_PROGRAMS += $(BENCH_PROGS)
CLEANFILES += $(BENCH_PROGS)
.PHONY: bench
bench: $(BENCH_PROGS)
