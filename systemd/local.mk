# systemd: see Makefile.am
# --- daemon ---
# Units are templates so that paths follow --prefix/--bindir.
systemduserunit_DATA += systemd/svopid.service
EXTRA_DIST += systemd/svopid.service.in
CLEANFILES += systemd/svopid.service
systemd/svopid.service: $(srcdir)/systemd/svopid.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@bindir[@]|$(bindir)|g' \
		$(srcdir)/systemd/svopid.service.in >$@.tmp && mv $@.tmp $@
