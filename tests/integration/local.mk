# tests/integration: see Makefile.am

# --- trustd ---
TESTS += tests/integration/trustd-api.sh tests/integration/trustd-crash.sh \
	tests/integration/trustd-web.sh tests/integration/trustd-adm.sh
dist_check_SCRIPTS += tests/integration/trustd-api.sh \
	tests/integration/trustd-crash.sh tests/integration/trustd-web.sh \
	tests/integration/trustd-adm.sh
# lib.sh is not in the skeleton's dist list; the tests need it.
EXTRA_DIST += tests/integration/lib.sh tests/integration/trustd-lib.sh \
	tests/integration/web/package.json \
	tests/integration/web/package-lock.json \
	tests/integration/web/trustd-web.mjs
CLEANFILES += tests/integration/trustd-web.png
