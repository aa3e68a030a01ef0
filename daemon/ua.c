/* See ua.h. (Placeholder until the SIP stack lands.) */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "daemon/ua.h"

struct ua {
	struct svopid *d;
};

int
ua_new(struct svopid *d, struct ua **ret)
{
	struct ua *ua = calloc(1, sizeof(*ua));

	if (!ua)
		return -ENOMEM;
	ua->d = d;
	*ret = ua;
	return 0;
}

struct ua *
ua_free(struct ua *ua)
{
	free(ua);
	return NULL;
}

int
ua_start(struct ua *ua)
{
	return 0;
}

int
ua_stop(struct ua *ua)
{
	return 0;
}

int
ua_ping(struct ua *ua, const char *uri,
	void (*done)(void *, int, const char *, uint64_t), void *userdata)
{
	return -ENOTSUP;
}
