# tests/unit/: one table-driven program per lib/ module.
UNIT_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(SRTP_CFLAGS) \
	-DSRCDIR=\"$(abs_top_srcdir)\"

check_PROGRAMS += tests/unit/test-buf
tests_unit_test_buf_SOURCES = tests/unit/test-buf.c tests/unit/test.h
tests_unit_test_buf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_buf_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-buf

# --- MIKEY ---

# --- SIP, SDP, digest ---

# --- trustd ---

# --- daemon ---

check_PROGRAMS += tests/unit/test-svopid-conf
tests_unit_test_svopid_conf_SOURCES = tests/unit/test-svopid-conf.c \
	daemon/conf.c daemon/ini.c daemon/log.c
tests_unit_test_svopid_conf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_svopid_conf_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-svopid-conf
check_PROGRAMS += tests/unit/test-svopid-dialog
tests_unit_test_svopid_dialog_SOURCES = tests/unit/test-svopid-dialog.c \
	daemon/dialog.c
tests_unit_test_svopid_dialog_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_svopid_dialog_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-svopid-dialog
