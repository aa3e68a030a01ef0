# dbus: interface XML (the source of truth for the D-Bus API), policy
# --- daemon ---
dist_dbusinterface_DATA += dbus/org.svopi.Daemon1.xml
dbussystemdir = $(datadir)/dbus-1/system.d
dist_dbussystem_DATA = dbus/org.svopi.Daemon1.conf
