# lib/: pure protocol code, one convenience library for every program.
# Each protocol area appends its sources below its own heading.
noinst_LIBRARIES += lib/libsvopi.a
lib_libsvopi_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(SRTP_CFLAGS)
lib_libsvopi_a_SOURCES = \
	lib/buf.c lib/buf.h \
	lib/hex.c lib/hex.h

# Link line for anything that uses lib/.
LIBSVOPI = lib/libsvopi.a $(OPENSSL_LIBS) $(SRTP_LIBS)

# --- MIKEY ---

# --- SIP, SDP, digest ---

# --- trust API, forms ---
lib_libsvopi_a_SOURCES += lib/form.c lib/form.h

