# daemon: see Makefile.am
