# man: see Makefile.am
# --- daemon ---
dist_man_MANS += man/svopid.8 man/svopid.conf.5 man/svopictl.1
