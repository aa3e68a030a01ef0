/* See login.h. */
#include <string.h>

#include "login.h"

bool
login_valid(const char *s)
{
	size_t n = strnlen(s, LOGIN_MAX + 1);
	const char *at = memchr(s, '@', n);

	if (n == 0 || n > LOGIN_MAX || !at || at == s || !at[1] ||
	    strchr(at + 1, '@'))
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		/* RFC 3261 user and host characters, no escapes. */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("-_.!~*'()+$,;@:[]",
		      c)))
			return false;
	}
	return true;
}
