# bench: see Makefile.am

# --- daemon ---
EXTRA_DIST += bench/svopid-options.sh
