# man: see Makefile.am

# --- MIKEY ---
dist_man_MANS += man/svopi-mikey.1

# --- trustd ---
dist_man_MANS += man/svopi-trustd.8 man/svopi-trustadm.8 \
	man/svopi-trustd.conf.5

# --- daemon ---
dist_man_MANS += man/svopid.8 man/svopid.conf.5 man/svopictl.1
