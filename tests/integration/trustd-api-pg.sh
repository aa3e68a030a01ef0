#!/bin/sh
# The whole trustd API suite (trustd-api.sh) on the PostgreSQL backend,
# against a private PostgreSQL that the test starts and stops itself.
TD_BACKEND=postgresql
. "$top_srcdir/tests/integration/trustd-api.sh"
