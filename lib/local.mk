# lib/: pure protocol code, one convenience library for every program.
# Each protocol area appends its sources below its own heading.
noinst_LIBRARIES += lib/libsvopi.a
lib_libsvopi_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(SRTP_CFLAGS) \
	$(JSONC_CFLAGS)
lib_libsvopi_a_SOURCES = \
	lib/buf.c lib/buf.h \
	lib/hex.c lib/hex.h \
	lib/fingerprint.c lib/fingerprint.h \
	lib/base64.c lib/base64.h \
	lib/ini.c lib/ini.h \
	lib/coalesce.c lib/coalesce.h \
	lib/hmac-sha1.c lib/hmac-sha1.h

# Link line for anything that uses lib/.
LIBSVOPI = lib/libsvopi.a $(OPENSSL_LIBS) $(SRTP_LIBS) $(JSONC_LIBS)

# --- MIKEY ---
lib_libsvopi_a_SOURCES += \
	lib/mikey.c lib/mikey.h \
	lib/mikey-prf.c lib/mikey-prf.h \
	lib/mikey-dh.c lib/mikey-dh.h \
	lib/mikey-srtp.c lib/mikey-srtp.h \
	lib/srtp-openssl.c lib/srtp-openssl.h \
	lib/mikey-msg.c lib/mikey-msg.h lib/mikey-msg-int.h \
	lib/mikey-resp.c \
	lib/mikey-certcache.c lib/mikey-certcache.h \
	lib/mikey-replay.c lib/mikey-replay.h

# --- SIP, SDP, digest ---
lib_libsvopi_a_SOURCES += \
	lib/sip-str.c lib/sip-str.h \
	lib/sip-uri.c lib/sip-uri.h \
	lib/sip-msg.c lib/sip-msg.h \
	lib/sip-out.c lib/sip-out.h \
	lib/sdp.c lib/sdp.h \
	lib/digest.c lib/digest.h

# --- trust API, forms ---
lib_libsvopi_a_SOURCES += lib/form.c lib/form.h \
	lib/login.c lib/login.h \
	lib/trust-api.c lib/trust-api.h


# --- media ---
lib_libsvopi_a_SOURCES += lib/rtp.c lib/rtp.h
lib_libsvopi_a_SOURCES += lib/g711.c lib/g711.h
lib_libsvopi_a_SOURCES += lib/dtmf.c lib/dtmf.h lib/sdp-codec.c lib/sdp-codec.h
lib_libsvopi_a_SOURCES += lib/cn.c lib/cn.h
