# tests/integration: see Makefile.am

# --- trustd ---
TESTS += tests/integration/trustd-api.sh tests/integration/trustd-crash.sh
dist_check_SCRIPTS += tests/integration/trustd-api.sh \
	tests/integration/trustd-crash.sh
EXTRA_DIST += tests/integration/trustd-lib.sh
