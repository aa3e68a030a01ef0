# tests/integration: see Makefile.am
# --- daemon ---
TESTS += tests/integration/svopid-register.sh \
	tests/integration/svopid-notify.sh \
	tests/integration/svopid-sip.sh
dist_check_SCRIPTS += tests/integration/svopid-register.sh \
	tests/integration/svopid-notify.sh \
	tests/integration/svopid-sip.sh
EXTRA_DIST += tests/integration/svopid-common.sh
