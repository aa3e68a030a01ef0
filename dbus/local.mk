# dbus: interface XML (the source of truth for the D-Bus API)
# --- daemon ---
dist_dbusinterface_DATA += dbus/org.svopi.Daemon1.xml
