# tools: see Makefile.am

# --- MIKEY ---
bin_PROGRAMS += tools/svopi-mikey
tools_svopi_mikey_SOURCES = tools/svopi-mikey.c
tools_svopi_mikey_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(SRTP_CFLAGS)
tools_svopi_mikey_LDADD = $(LIBCOMMON)
