# common/: the few helpers every program shares that are not pure enough
# for lib/ (they log, read clocks or files). See docs/architecture.md.
noinst_LIBRARIES += common/libsvopi-common.a
common_libsvopi_common_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
common_libsvopi_common_a_SOURCES = \
	common/log.c common/log.h \
	common/clock.c common/clock.h \
	common/file.c common/file.h

# Link line for anything that uses common/ (it uses lib/ in turn).
LIBCOMMON = common/libsvopi-common.a $(LIBSVOPI) -lpthread
