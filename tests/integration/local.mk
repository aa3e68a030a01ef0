# tests/integration: see Makefile.am

# --- MIKEY ---
MIKEY_ITESTS = tests/integration/mikey-cli.sh tests/integration/mikey-tshark.sh
TESTS += $(MIKEY_ITESTS)
dist_check_SCRIPTS += $(MIKEY_ITESTS)
