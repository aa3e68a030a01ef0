# cli: svopictl
# --- daemon ---
bin_PROGRAMS += cli/svopictl
cli_svopictl_SOURCES = cli/svopictl.c
cli_svopictl_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(JSONC_CFLAGS) \
	$(OPENSSL_CFLAGS)
cli_svopictl_LDADD = $(LIBSVOPI) $(SYSTEMD_LIBS) $(JSONC_LIBS)
dist_bashcompletion_DATA += cli/completion/svopictl
