# cli: svopictl, a table of verbs (cli/svopictl.c) with one file per
# concern (cli/ctl.h lists them).
bin_PROGRAMS += cli/svopictl
svopiexecdir = $(libexecdir)/svopi
cli_svopictl_SOURCES = cli/svopictl.c cli/ctl.h cli/ctl-bus.c \
	cli/status.c cli/calls.c cli/trust.c
cli_svopictl_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(JSONC_CFLAGS) \
	-DSVOPIEXECDIR=\"$(svopiexecdir)\"
# lib/libsvopi.a alone, not $(LIBSVOPI): svopictl takes only fingerprint
# text from it, and must not load OpenSSL or libsrtp2 at every start.
cli_svopictl_LDADD = lib/libsvopi.a $(SYSTEMD_LIBS) $(JSONC_LIBS)
# `svopictl setup`, a program of its own so that the other verbs do not
# load OpenSSL at every start.
svopiexec_PROGRAMS = cli/svopictl-setup
cli_svopictl_setup_SOURCES = cli/setup.c cli/setup.h cli/setup-check.c \
	cli/setup-daemon.c cli/setup-url.c cli/conf-edit.c cli/conf-edit.h \
	cli/ctl-bus.c cli/ctl.h
cli_svopictl_setup_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(JSONC_CFLAGS) \
	$(OPENSSL_CFLAGS) -DBINDIR=\"$(bindir)\"
cli_svopictl_setup_LDADD = $(LIBSVOPI) $(SYSTEMD_LIBS) $(JSONC_LIBS) \
	$(OPENSSL_LIBS)
dist_bashcompletion_DATA += cli/completion/svopictl

# The config editor of `svopictl setup`: unit test and fuzz target.
check_PROGRAMS += tests/unit/test-conf-edit
tests_unit_test_conf_edit_SOURCES = tests/unit/test-conf-edit.c \
	cli/conf-edit.c cli/setup-url.c tests/unit/test.h
tests_unit_test_conf_edit_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/cli
tests_unit_test_conf_edit_LDADD = $(LIBSVOPI)
TESTS += tests/unit/test-conf-edit

check_PROGRAMS += tests/fuzz/fuzz-conf-edit
tests_fuzz_fuzz_conf_edit_SOURCES = tests/fuzz/fuzz-conf-edit.c \
	cli/conf-edit.c cli/setup-url.c $(FUZZ_MAIN)
tests_fuzz_fuzz_conf_edit_CFLAGS = $(FUZZ_TGT_CF) -I$(top_srcdir)/cli \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/conf-edit\"
tests_fuzz_fuzz_conf_edit_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_conf_edit_LDADD = $(LIBSVOPI)
if !FUZZING
TESTS += tests/fuzz/fuzz-conf-edit
endif

# svopictl setup against real Kamailio and svopi-trustd; --help and
# --version of every program.
SETUP_ITESTS = tests/integration/setup-ok.sh tests/integration/setup-errors.sh \
	tests/integration/setup-provision.sh \
	tests/integration/cli-help.sh
TESTS += $(SETUP_ITESTS)
dist_check_SCRIPTS += $(SETUP_ITESTS)
EXTRA_DIST += tests/integration/setup-common.sh
# Slow (a whole package build): .ci/run runs it, make check does not.
EXTRA_DIST += tests/integration/deb.sh
