# man: see Makefile.am

# --- trustd ---
dist_man_MANS += man/svopi-trustd.8 man/svopi-trustadm.8 \
	man/svopi-trustd.conf.5
