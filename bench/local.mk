# bench: see Makefile.am

# --- trustd ---
EXTRA_DIST += bench/trustd bench/trustd-validate.lua
