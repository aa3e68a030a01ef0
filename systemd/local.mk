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

# --- daemon ---
# Units are templates so that paths follow --prefix/--bindir.
systemduserunit_DATA += systemd/svopid.service
EXTRA_DIST += systemd/svopid.service.in
CLEANFILES += systemd/svopid.service
systemd/svopid.service: $(srcdir)/systemd/svopid.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@bindir[@]|$(bindir)|g' \
		-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/systemd/svopid.service.in >$@.tmp && mv $@.tmp $@

# --- setup, packages ---
# trustd's system user and its state folder (systemd-sysusers(8),
# systemd-tmpfiles(8)); both folders follow --prefix like the units.
dist_sysusers_DATA = systemd/sysusers.d/svopi-trustd.conf
dist_tmpfiles_DATA = systemd/tmpfiles.d/svopi-trustd.conf
