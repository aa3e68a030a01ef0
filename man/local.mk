# man: see Makefile.am

# --- MIKEY ---
dist_man_MANS += man/svopi-mikey.1
