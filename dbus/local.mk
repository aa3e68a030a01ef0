# dbus: see Makefile.am
