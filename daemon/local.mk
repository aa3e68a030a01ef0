# daemon: svopid
# --- daemon ---
bin_PROGRAMS += daemon/svopid
daemon_svopid_SOURCES = \
	daemon/svopid.c daemon/svopid.h \
	daemon/conf.c daemon/conf.h \
	daemon/identity.c daemon/identity.h \
	daemon/busloop.c daemon/busloop.h \
	daemon/bus.c daemon/bus.h \
	daemon/bus-call.c daemon/bus-call.h \
	daemon/transport.c daemon/transport.h \
	daemon/txn.c daemon/txn.h \
	daemon/siphash.c daemon/siphash.h \
	daemon/dialog.c daemon/dialog.h \
	daemon/ua.c daemon/ua.h \
	daemon/reg.c daemon/reg.h \
	daemon/call.c daemon/call.h daemon/call-int.h \
	daemon/call-sip.c daemon/call-sdp.c daemon/call-core.c \
	daemon/call-keys.c \
	daemon/call-trust.c
daemon_svopid_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(SYSTEMD_CFLAGS) $(SRTP_CFLAGS)
daemon_svopid_LDADD = $(LIBSVOPID_TRUST) $(LIBSVOPID_MEDIA) $(LIBCOMMON) \
	$(EVENT_LIBS) $(OPENSSL_LIBS) $(SYSTEMD_LIBS)
# The dependency rule (docs/architecture.md): includes and the call graph
# between svopid's objects follow the layer table in the script.
TESTS += scripts/layers.sh
dist_check_SCRIPTS += scripts/layers.sh
