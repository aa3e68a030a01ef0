# dbus: interface XML (the source of truth for the D-Bus API), policy
# --- daemon ---
dist_dbusinterface_DATA += dbus/org.svopi.Daemon1.xml
# --- calls ---
dist_dbusinterface_DATA += dbus/org.svopi.Call1.xml
dbussystemdir = $(datadir)/dbus-1/system.d
dist_dbussystem_DATA = dbus/org.svopi.Daemon1.conf
dbussessiondir = $(datadir)/dbus-1/services
dbussession_DATA = dbus/org.svopi.Daemon1.service
EXTRA_DIST += dbus/org.svopi.Daemon1.service.in
CLEANFILES += dbus/org.svopi.Daemon1.service
dbus/org.svopi.Daemon1.service: $(srcdir)/dbus/org.svopi.Daemon1.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dbus && \
	sed -e 's|@bindir[@]|$(bindir)|g' \
		$(srcdir)/dbus/org.svopi.Daemon1.service.in >$@.tmp && mv $@.tmp $@
