# bench: see Makefile.am

# --- MIKEY ---
noinst_PROGRAMS += bench/mikey
bench_mikey_SOURCES = bench/mikey.c
bench_mikey_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(SRTP_CFLAGS)
bench_mikey_LDADD = $(LIBSVOPI)

# --- SIP, SDP, digest ---
noinst_PROGRAMS += bench/bench-sip
bench_bench_sip_SOURCES = bench/bench-sip.c
bench_bench_sip_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) \
	-DSRCDIR=\"$(abs_top_srcdir)\"
bench_bench_sip_LDADD = $(LIBSVOPI)

# --- trustd ---
EXTRA_DIST += bench/trustd bench/trustd-validate.lua

# --- daemon ---
EXTRA_DIST += bench/svopid-options.sh

# --- media: the voice engine under load (docs/performance-media.md) ---
noinst_PROGRAMS += bench/media
bench_media_SOURCES = bench/media.c tests/integration/media-test.c \
	tests/integration/media-test.h tests/unit/test-mikey-util.h
bench_media_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(SRTP_CFLAGS) -I$(top_srcdir)/daemon -I$(top_srcdir)/tests/unit \
	-I$(top_srcdir)/tests/integration
bench_media_LDADD = $(LIBSVOPID_MEDIA)
