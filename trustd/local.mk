# trustd: see Makefile.am
