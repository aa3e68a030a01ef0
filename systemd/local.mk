# systemd: see Makefile.am

# --- trustd ---
systemdsystemunit_DATA += systemd/svopi-trustd.service
EXTRA_DIST += systemd/svopi-trustd.service.in
CLEANFILES += systemd/svopi-trustd.service
systemd/svopi-trustd.service: systemd/svopi-trustd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' \
		-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/systemd/svopi-trustd.service.in >$@.tmp && \
	mv $@.tmp $@
