/* SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966 loosely).
 *
 * sip_uri_parse() fills a view that borrows from the text it was given: the
 * view is valid as long as that text is (for URIs inside a parsed
 * struct sip_msg, until sip_msg_free()). Escapes (%XX) are kept in the view
 * and undone only by the comparison and normalisation functions.
 *
 * Any other scheme ("absoluteURI", e.g. "mailto:", "urn:") parses with
 * scheme SIP_URI_OTHER and only the raw text set, because RFC 3261 lets such
 * URIs appear in a Request-URI or a header, and a UA answers 416 rather than
 * 400 (RFC 4475 §3.3.?: unksm, novelsc).
 *
 * A password in the userinfo (RFC 3261 §19.1.1: NOT RECOMMENDED) parses,
 * because a valid message may carry one (RFC 4475 intmeth), but it is not
 * kept: has_password is set, and sip_uri_aor() refuses such a URI, so it
 * can never stand for an identity or be configured. Refused outright:
 * whitespace, control and non-ASCII characters, bad escapes, an empty
 * host, a port above 65535, empty parameters.
 */
#ifndef SVOPI_SIP_URI_H
#define SVOPI_SIP_URI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sip-str.h"

/* Longest URI we accept, in bytes. RFC 3261 has no limit; 1 KiB holds any
 * AOR with routing parameters and keeps a hostile header from making us
 * normalise megabytes. */
#define SIP_URI_MAX 1024
/* Longest host name (RFC 1035: 253 characters plus slack for IPv6 and
 * a trailing dot). */
#define SIP_URI_HOST_MAX 255
/* Longest normalised AOR written by sip_uri_aor(). */
#define SIP_URI_AOR_MAX SIP_URI_MAX

enum sip_uri_scheme {
	SIP_URI_OTHER = 0,	/* absoluteURI: only raw and scheme_str */
	SIP_URI_SIP,
	SIP_URI_SIPS,
	SIP_URI_TEL,		/* tel:NUMBER;params: user = number, no host */
};

enum sip_host_type {
	SIP_HOST_NONE = 0,	/* tel and other URIs */
	SIP_HOST_NAME,
	SIP_HOST_IPV4,
	SIP_HOST_IPV6,		/* host holds the address without [ ] */
};

struct sip_uri {
	enum sip_uri_scheme scheme;
	struct sip_str raw;	/* the whole URI as given */
	struct sip_str scheme_str;	/* as written, without ':' */
	struct sip_str user;	/* escaped; empty when there is no '@' */
	bool has_password;	/* "user:password@": see above */
	struct sip_str host;
	enum sip_host_type host_type;
	uint16_t port;		/* 0 when absent */
	struct sip_str params;	/* ";a=b;lr" as written, empty if none */
	struct sip_str headers;	/* text after '?', empty if none */
	/* Shortcuts for the parameters the daemon routes on. */
	struct sip_str transport;	/* transport= value, empty if absent */
	struct sip_str maddr;
	bool lr;
};

/* Parses s[0..len) as one URI. Returns 0, -EBADMSG if malformed, -E2BIG
 * if len > SIP_URI_MAX. */
int sip_uri_parse(const char *s, size_t len, struct sip_uri *ret_uri);

/* Looks up a uri-parameter by name (case-insensitive). ret_value as for
 * sip_str_param(). Returns 0 or -ENOENT. */
int sip_uri_param(const struct sip_uri *u, const char *name,
    struct sip_str *ret_value);

/* Appends the address of record of u to out: "sip:user@host" (or
 * "sip:host" without a user, "tel:number"), scheme and host lower-cased,
 * unreserved escapes in the user undone and others upper-cased, port,
 * parameters and headers dropped; "sips" is written as "sip" so that the
 * same account compares equal whichever scheme reached us (see
 * docs/sip.md, Decisions). Returns 0, -EINVAL for SIP_URI_OTHER or a URI
 * with a password, or out->err. */
int sip_uri_aor(const struct sip_uri *u, struct buf *out);

/* True if both URIs have the same AOR as written by sip_uri_aor(); the
 * comparison to use for identity binding (From AOR == certificate
 * identity). False if either cannot be normalised. */
bool sip_uri_aor_equal(const struct sip_uri *a, const struct sip_uri *b);

/* URI equality per RFC 3261 §19.1.4: scheme, user (case-sensitive, after
 * unescaping), host (case-insensitive), port, the user/ttl/method/maddr/
 * transport parameters when present in either, other parameters when
 * present in both, and headers. sip and sips never compare equal. */
bool sip_uri_equal(const struct sip_uri *a, const struct sip_uri *b);

/* Appends the raw text of u to out. Returns 0 or out->err. */
int sip_uri_write(const struct sip_uri *u, struct buf *out);

#endif
