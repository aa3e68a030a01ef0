# bench: see Makefile.am

# --- MIKEY ---
noinst_PROGRAMS += bench/mikey
bench_mikey_SOURCES = bench/mikey.c
bench_mikey_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(SRTP_CFLAGS)
bench_mikey_LDADD = $(LIBSVOPI)
