/* svopictl setup: host and port of the proxy's SIP URI and of the trust
 * server's https:// URL, for the TLS checks. Pure (no I/O), fuzzed with
 * the config editor (tests/fuzz/fuzz-conf-edit.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "setup.h"
#include "sip-uri.h"

/* The longest URL setup takes: what a config line holds comfortably. */
#define CHECK_URL_MAX 1024

int
setup_proxy_endpoint(const char *proxy, char *host, size_t hostlen,
	unsigned *ret_port, bool *ret_tls, char *why, size_t whylen)
{
	struct sip_uri u;
	bool tls;

	if (sip_uri_parse(proxy, strlen(proxy), &u) < 0 ||
	    (u.scheme != SIP_URI_SIP && u.scheme != SIP_URI_SIPS) ||
	    u.host.len == 0 || u.host.len >= hostlen) {
		snprintf(why, whylen, "\"%s\" is not a SIP URI like "
			"sip:proxy.example.org;transport=tls", proxy);
		return -EINVAL;
	}
	tls = u.scheme == SIP_URI_SIPS || (u.transport.len == 3 &&
		strncasecmp(u.transport.p, "tls", 3) == 0);
	memcpy(host, u.host.p, u.host.len);
	host[u.host.len] = '\0';
	*ret_port = u.port ? u.port : tls ? 5061 : 5060;
	*ret_tls = tls;
	return 0;
}

int
setup_https_endpoint(const char *url, char *host, size_t hostlen,
	unsigned *ret_port)
{
	const char *p, *end;
	unsigned long port = 443;
	size_t n;

	if (strnlen(url, CHECK_URL_MAX + 1) > CHECK_URL_MAX ||
	    strncmp(url, "https://", 8) != 0)
		return -EINVAL;
	p = url + 8;
	if (*p == '[') {
		end = strchr(++p, ']');
		if (!end)
			return -EINVAL;
		n = (size_t)(end - p);
		end++;
	} else {
		n = strcspn(p, ":/?#");
		end = p + n;
	}
	if (n == 0 || n >= hostlen)
		return -EINVAL;
	if (*end == ':') {
		char *e;

		if (end[1] < '0' || end[1] > '9')
			return -EINVAL;
		errno = 0;
		port = strtoul(end + 1, &e, 10);
		if (errno || port == 0 || port > 65535 ||
		    (*e && *e != '/' && *e != '?' && *e != '#'))
			return -EINVAL;
	} else if (*end && *end != '/' && *end != '?' && *end != '#') {
		return -EINVAL;
	}
	memcpy(host, p, n);
	host[n] = '\0';
	*ret_port = (unsigned)port;
	return 0;
}
