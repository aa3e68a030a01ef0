# systemd: see Makefile.am
