# trustd/: svopi-trustd (the trust server) and svopi-trustadm.
TRUSTD_COMMON = \
	trustd/auth.c trustd/auth.h \
	trustd/config.c trustd/config.h \
	trustd/store.c trustd/store.h
# -I common: store.c, server.c, api.c and web.c include "log.h" (now
# common/log.h) until they are switched to "common/log.h".
TRUSTD_CFLAGS = -I$(top_srcdir)/common $(AM_CFLAGS) $(EVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(SQLITE_CFLAGS) $(ARGON2_CFLAGS) $(JSONC_CFLAGS) $(SYSTEMD_CFLAGS)
TRUSTD_LIBS = $(LIBCOMMON) $(EVENT_LIBS) $(EVENT_PTHREADS_LIBS) -lpthread $(OPENSSL_LIBS) $(SQLITE_LIBS) \
	$(ARGON2_LIBS) $(JSONC_LIBS) $(SYSTEMD_LIBS)

sbin_PROGRAMS += trustd/svopi-trustd
trustd_svopi_trustd_SOURCES = $(TRUSTD_COMMON) \
	trustd/trustd.h trustd/main.c trustd/server.c trustd/api.c \
	trustd/web.c
trustd_svopi_trustd_CFLAGS = $(TRUSTD_CFLAGS)
trustd_svopi_trustd_LDADD = $(TRUSTD_LIBS)

sbin_PROGRAMS += trustd/svopi-trustadm
trustd_svopi_trustadm_SOURCES = $(TRUSTD_COMMON) trustd/trustadm.c
trustd_svopi_trustadm_CFLAGS = $(TRUSTD_CFLAGS)
trustd_svopi_trustadm_LDADD = $(TRUSTD_LIBS)
