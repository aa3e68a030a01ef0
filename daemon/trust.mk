# --- trust client ---
# The trust store cache and the trust-server client of svopid, built as a
# convenience library that the daemon links (LIBSVOPID_TRUST).
noinst_LIBRARIES += daemon/libsvopid-trust.a
daemon_libsvopid_trust_a_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) \
	$(OPENSSL_CFLAGS) $(SQLITE_CFLAGS) $(JSONC_CFLAGS)
daemon_libsvopid_trust_a_SOURCES = \
	daemon/truststore.c daemon/truststore.h \
	daemon/trust-client.c daemon/trust-client.h

LIBSVOPID_TRUST = daemon/libsvopid-trust.a $(LIBSVOPI) $(EVENT_LIBS) \
	$(OPENSSL_LIBS) $(SQLITE_LIBS) $(JSONC_LIBS)
