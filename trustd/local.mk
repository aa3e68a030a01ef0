# trustd/: svopi-trustd (the trust server) and svopi-trustadm.
TRUSTD_COMMON = \
	trustd/auth.c trustd/auth.h \
	trustd/config.c trustd/config.h \
	trustd/store.c trustd/store.h trustd/store-impl.h trustd/store-sqlite.c \
	trustd/store-rules.c trustd/store-rules.h trustd/store-pg.c
# -I common: trustd files include "log.h" (common/log.h).
TRUSTD_CFLAGS = -I$(top_srcdir)/common $(AM_CFLAGS) $(EVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(SQLITE_CFLAGS) $(PQ_CFLAGS) $(ARGON2_CFLAGS) $(JSONC_CFLAGS) \
	$(SYSTEMD_CFLAGS)
TRUSTD_LIBS = $(LIBCOMMON) $(EVENT_LIBS) $(EVENT_PTHREADS_LIBS) -lpthread $(OPENSSL_LIBS) $(SQLITE_LIBS) \
	$(PQ_LIBS) $(ARGON2_LIBS) $(JSONC_LIBS) $(SYSTEMD_LIBS)

sbin_PROGRAMS += trustd/svopi-trustd
trustd_svopi_trustd_SOURCES = $(TRUSTD_COMMON) \
	trustd/trustd.h trustd/main.c trustd/server.c trustd/api.c \
	trustd/web.c trustd/front.c trustd/front.h trustd/httphead.c \
	trustd/httphead.h trustd/wake.c trustd/wake.h trustd/pool.c \
	trustd/pool.h trustd/vcache.c trustd/vcache.h
trustd_svopi_trustd_CFLAGS = $(TRUSTD_CFLAGS)
trustd_svopi_trustd_LDADD = $(TRUSTD_LIBS)

sbin_PROGRAMS += trustd/svopi-trustadm
trustd_svopi_trustadm_SOURCES = $(TRUSTD_COMMON) trustd/trustadm.c
trustd_svopi_trustadm_CFLAGS = $(TRUSTD_CFLAGS)
trustd_svopi_trustadm_LDADD = $(TRUSTD_LIBS)

# trustd's own unit tests and fuzz targets (kept here, beside the code).
check_PROGRAMS += tests/unit/test-trustd-httphead
tests_unit_test_trustd_httphead_SOURCES = tests/unit/test-trustd-httphead.c \
	trustd/httphead.c trustd/httphead.h
tests_unit_test_trustd_httphead_CFLAGS = $(UNIT_CFLAGS)
TESTS += tests/unit/test-trustd-httphead

check_PROGRAMS += tests/fuzz/fuzz-httphead
tests_fuzz_fuzz_httphead_SOURCES = tests/fuzz/fuzz-httphead.c \
	trustd/httphead.c $(FUZZ_MAIN)
tests_fuzz_fuzz_httphead_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/httphead\"
tests_fuzz_fuzz_httphead_LDFLAGS = $(FUZZ_TGT_LD)
if !FUZZING
TESTS += tests/fuzz/fuzz-httphead
endif

TRUSTD_UNIT_LIBS = $(LIBCOMMON) $(OPENSSL_LIBS) $(SQLITE_LIBS) $(PQ_LIBS) \
	$(ARGON2_LIBS) -lpthread
check_PROGRAMS += tests/unit/test-trustd-store
tests_unit_test_trustd_store_SOURCES = tests/unit/test-trustd-store.c \
	trustd/store.c trustd/store-sqlite.c trustd/store-rules.c \
	trustd/store-pg.c
tests_unit_test_trustd_store_CFLAGS = -I$(top_srcdir)/common $(UNIT_CFLAGS) $(SQLITE_CFLAGS) \
	$(PQ_CFLAGS)
tests_unit_test_trustd_store_LDADD = $(TRUSTD_UNIT_LIBS)
TESTS += tests/unit/test-trustd-store

check_PROGRAMS += tests/unit/test-trustd-auth
tests_unit_test_trustd_auth_SOURCES = tests/unit/test-trustd-auth.c \
	trustd/auth.c trustd/store.c trustd/store-sqlite.c trustd/store-rules.c \
	trustd/store-pg.c
tests_unit_test_trustd_auth_CFLAGS = -I$(top_srcdir)/common $(UNIT_CFLAGS) $(SQLITE_CFLAGS) \
	$(PQ_CFLAGS) $(ARGON2_CFLAGS)
tests_unit_test_trustd_auth_LDADD = $(TRUSTD_UNIT_LIBS)
TESTS += tests/unit/test-trustd-auth
