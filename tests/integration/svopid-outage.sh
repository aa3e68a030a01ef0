#!/bin/sh
# svopid-lossy.sh, then a 30 s outage of the path to the proxy that must
# end in a new registration (make check-long).
SVOPID_OUTAGE=1 exec sh "${top_srcdir:-.}/tests/integration/svopid-lossy.sh"
