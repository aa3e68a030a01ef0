# cli: svopictl
# --- daemon ---
bin_PROGRAMS += cli/svopictl
cli_svopictl_SOURCES = cli/svopictl.c
cli_svopictl_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(JSONC_CFLAGS)
# lib/libsvopi.a alone, not $(LIBSVOPI): svopictl takes only hex and
# fingerprint text from it, and must not load OpenSSL or libsrtp2 at every
# start (svopid-sip.sh times `svopictl status`).
cli_svopictl_LDADD = lib/libsvopi.a $(SYSTEMD_LIBS) $(JSONC_LIBS)
dist_bashcompletion_DATA += cli/completion/svopictl
