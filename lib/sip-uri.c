#include <errno.h>

#include "sip-uri.h"

int
sip_uri_parse(const char *s, size_t len, struct sip_uri *ret_uri)
{
	return -ENOSYS;
}

int
sip_uri_param(const struct sip_uri *u, const char *name,
    struct sip_str *ret_value)
{
	return -ENOENT;
}

int
sip_uri_aor(const struct sip_uri *u, struct buf *out)
{
	return -ENOSYS;
}

bool
sip_uri_aor_equal(const struct sip_uri *a, const struct sip_uri *b)
{
	return false;
}

bool
sip_uri_equal(const struct sip_uri *a, const struct sip_uri *b)
{
	return false;
}

int
sip_uri_write(const struct sip_uri *u, struct buf *out)
{
	return -ENOSYS;
}
