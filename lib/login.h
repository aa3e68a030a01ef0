/* Trust-server logins (SPEC §2): the AOR without its scheme, "user@host".
 * One rule for svopi-trustd's API and pages and for svopi-trustadm. */
#ifndef SVOPI_LOGIN_H
#define SVOPI_LOGIN_H

#include <stdbool.h>

/* Longest login: a user part and a host name, with room to spare. */
#define LOGIN_MAX 128

/* True if s (NUL-terminated) is a plausible login: 1..LOGIN_MAX bytes,
 * exactly one '@' with text on both sides, only RFC 3261 user and host
 * characters, no escapes. */
bool login_valid(const char *s);

#endif
