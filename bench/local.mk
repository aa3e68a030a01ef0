# bench: see Makefile.am

# --- SIP, SDP, digest ---
noinst_PROGRAMS += bench/bench-sip
bench_bench_sip_SOURCES = bench/bench-sip.c
bench_bench_sip_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) \
	-DSRCDIR=\"$(abs_top_srcdir)\"
bench_bench_sip_LDADD = $(LIBSVOPI)

# --- daemon ---
EXTRA_DIST += bench/svopid-options.sh
