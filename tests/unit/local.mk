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
check_PROGRAMS += tests/unit/test-form
tests_unit_test_form_SOURCES = tests/unit/test-form.c tests/unit/test.h
tests_unit_test_form_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_form_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-form

# --- daemon ---


# --- trust client ---
check_PROGRAMS += tests/unit/test-truststore
tests_unit_test_truststore_SOURCES = tests/unit/test-truststore.c \
	tests/unit/test.h
tests_unit_test_truststore_CFLAGS = $(UNIT_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_truststore_LDADD = $(LIBSVOPID_TRUST)
TESTS += tests/unit/test-truststore
