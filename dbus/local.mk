# dbus: interface XML (the source of truth for the D-Bus API), policy
# --- daemon ---
dist_dbusinterface_DATA += dbus/org.svopi.Daemon1.xml
# --- calls ---
dist_dbusinterface_DATA += dbus/org.svopi.Call1.xml
dist_dbussystem_DATA = dbus/org.svopi.Daemon1.conf
dbussessiondir = $(datadir)/dbus-1/services
dbussession_DATA = dbus/org.svopi.Daemon1.service
EXTRA_DIST += dbus/org.svopi.Daemon1.service.in
CLEANFILES += dbus/org.svopi.Daemon1.service
dbus/org.svopi.Daemon1.service: $(srcdir)/dbus/org.svopi.Daemon1.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dbus && \
	sed -e 's|@bindir[@]|$(bindir)|g' \
		$(srcdir)/dbus/org.svopi.Daemon1.service.in >$@.tmp && mv $@.tmp $@

# --- setup, packages ---
# dbus-daemon reads system-bus policy only from /usr/share/dbus-1/system.d
# and /etc/dbus-1/system.d; everything else svopi installs is found under
# /usr/local too (systemd, sysusers, tmpfiles, man, bash-completion and
# the session bus's services all search it).
install-data-hook: dbus-install-note
.PHONY: dbus-install-note
dbus-install-note:
	@case '$(dbussystemdir)' in \
	/usr/share/dbus-1/system.d|/etc/dbus-1/system.d) ;; \
	*) echo "note: dbus-daemon does not read $(dbussystemdir); for a" \
		"system instance of svopid link the policy:"; \
	   echo "  ln -s $(dbussystemdir)/org.svopi.Daemon1.conf" \
		"/etc/dbus-1/system.d/" ;; \
	esac
