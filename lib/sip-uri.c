#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "hex.h"
#include "sip-uri.h"

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* RFC 3261 §25.1 unreserved = alphanum / mark */
static bool
is_unreserved(char c)
{
	return is_alnum(c) || (c && strchr("-_.!~*'()", c));
}

/* Checks that s[0..len) consists of unreserved characters, valid escapes
 * and characters from extra. */
static bool
check_chars(const char *s, size_t len, const char *extra)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%') {
			if (i + 2 >= len || hex_digit_value(s[i + 1]) < 0 ||
			    hex_digit_value(s[i + 2]) < 0)
				return false;
			i += 2;
		} else if (!is_unreserved(c) && !(c && strchr(extra, c))) {
			return false;
		}
	}
	return true;
}

static bool
check_hostname(const char *s, size_t len)
{
	if (len == 0 || len > SIP_URI_HOST_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '.')
			return false;
		if (s[i] == '.' && i + 1 < len && s[i + 1] == '.')
			return false;
	}
	return true;
}

static bool
check_ip(int af, const char *s, size_t len)
{
	char tmp[64];
	unsigned char out[16];

	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return inet_pton(af, tmp, out) == 1;
}

/* Parses host[:port] in s[0..len). */
static int
parse_hostport(const char *s, size_t len, struct sip_uri *u)
{
	size_t i = 0, hs, he;
	bool all_num = true;

	if (len == 0)
		return -EBADMSG;
	if (s[0] == '[') {
		const char *end = memchr(s, ']', len);

		if (!end)
			return -EBADMSG;
		hs = 1;
		he = (size_t)(end - s);
		if (!check_ip(AF_INET6, s + hs, he - hs))
			return -EBADMSG;
		u->host_type = SIP_HOST_IPV6;
		i = he + 1;
	} else {
		hs = 0;
		while (i < len && s[i] != ':')
			i++;
		he = i;
		for (size_t k = hs; k < he; k++)
			if (!is_digit(s[k]) && s[k] != '.')
				all_num = false;
		if (all_num) {
			if (!check_ip(AF_INET, s + hs, he - hs))
				return -EBADMSG;
			u->host_type = SIP_HOST_IPV4;
		} else {
			if (!check_hostname(s + hs, he - hs))
				return -EBADMSG;
			u->host_type = SIP_HOST_NAME;
		}
	}
	u->host = (struct sip_str){ s + hs, he - hs };
	if (i < len) {
		uint32_t port = 0;

		if (s[i] != ':' || i + 1 == len)
			return -EBADMSG;
		for (i++; i < len; i++) {
			if (!is_digit(s[i]))
				return -EBADMSG;
			port = port * 10 + (uint32_t)(s[i] - '0');
			if (port > 65535)
				return -EBADMSG;
		}
		u->port = (uint16_t)port;
	}
	return 0;
}

/* ";name[=value]" list: each element 1*paramchar, value 1*paramchar. */
static int
parse_params(const char *s, size_t len, struct sip_uri *u)
{
	size_t i = 0;

	while (i < len) {
		size_t ns, ne, vs = 0, ve = 0;
		struct sip_str name;

		if (s[i] != ';')
			return -EBADMSG;
		ns = ++i;
		while (i < len && s[i] != ';' && s[i] != '=')
			i++;
		ne = i;
		if (ne == ns || !check_chars(s + ns, ne - ns, "[]/:&+$"))
			return -EBADMSG;
		if (i < len && s[i] == '=') {
			vs = ++i;
			while (i < len && s[i] != ';')
				i++;
			ve = i;
			if (ve == vs || !check_chars(s + vs, ve - vs,
			    "[]/:&+$"))
				return -EBADMSG;
		}
		name = (struct sip_str){ s + ns, ne - ns };
		if (sip_str_caseeq(name, "transport"))
			u->transport = (struct sip_str){ s + vs, ve - vs };
		else if (sip_str_caseeq(name, "maddr"))
			u->maddr = (struct sip_str){ s + vs, ve - vs };
		else if (sip_str_caseeq(name, "lr"))
			u->lr = true;
	}
	return 0;
}

static int
parse_headers(const char *s, size_t len)
{
	size_t i = 0;

	while (i <= len) {
		size_t ns = i, eq;

		while (i < len && s[i] != '&')
			i++;
		/* hname "=" hvalue, hvalue may be empty */
		for (eq = ns; eq < i && s[eq] != '='; eq++)
			;
		if (eq == ns || eq == i ||
		    !check_chars(s + ns, eq - ns, "[]/?:+$") ||
		    !check_chars(s + eq + 1, i - eq - 1, "[]/?:+$"))
			return -EBADMSG;
		if (i == len)
			break;
		i++;
	}
	return 0;
}

static int
parse_sip(const char *s, size_t len, struct sip_uri *u)
{
	const char *at = memchr(s, '@', len);
	size_t i = 0, hs, he;
	int rc;

	if (at) {
		size_t ulen = (size_t)(at - s);
		const char *colon = memchr(s, ':', ulen);
		size_t nlen = colon ? (size_t)(colon - s) : ulen;

		if (nlen == 0 || !check_chars(s, nlen, "&=+$,;?/"))
			return -EBADMSG;
		if (colon) {
			if (!check_chars(colon + 1, ulen - nlen - 1, "&=+$,"))
				return -EBADMSG;
			u->has_password = true;
		}
		u->user = (struct sip_str){ s, nlen };
		i = ulen + 1;
	}
	hs = i;
	if (i < len && s[i] == '[') {
		const char *end = memchr(s + i, ']', len - i);

		if (!end)
			return -EBADMSG;
		i = (size_t)(end - s);
	}
	while (i < len && s[i] != ';' && s[i] != '?')
		i++;
	he = i;
	rc = parse_hostport(s + hs, he - hs, u);
	if (rc < 0)
		return rc;
	while (i < len && s[i] != '?')
		i++;
	if (i > he) {
		u->params = (struct sip_str){ s + he, i - he };
		rc = parse_params(s + he, i - he, u);
		if (rc < 0)
			return rc;
	}
	if (i < len) {
		u->headers = (struct sip_str){ s + i + 1, len - i - 1 };
		rc = parse_headers(s + i + 1, len - i - 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
parse_tel(const char *s, size_t len, struct sip_uri *u)
{
	size_t i = 0;

	while (i < len && s[i] != ';')
		i++;
	if (i == 0)
		return -EBADMSG;
	for (size_t k = 0; k < i; k++)
		if (!is_alnum(s[k]) && !strchr("+-.()*#", s[k]))
			return -EBADMSG;
	u->user = (struct sip_str){ s, i };
	if (i < len) {
		u->params = (struct sip_str){ s + i, len - i };
		return parse_params(s + i, len - i, u);
	}
	return 0;
}

int
sip_uri_parse(const char *s, size_t len, struct sip_uri *ret_uri)
{
	struct sip_uri u;
	size_t i = 0;
	int rc;

	if (len > SIP_URI_MAX)
		return -E2BIG;
	if (len == 0 || !s || !is_alpha(s[0]))
		return -EBADMSG;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' ||
		    c == '"')
			return -EBADMSG;
	}
	while (i < len && (is_alnum(s[i]) || s[i] == '+' || s[i] == '-' ||
	    s[i] == '.'))
		i++;
	if (i == len || s[i] != ':' || i + 1 == len)
		return -EBADMSG;
	memset(&u, 0, sizeof(u));
	u.raw = (struct sip_str){ s, len };
	u.scheme_str = (struct sip_str){ s, i };
	if (sip_str_caseeq(u.scheme_str, "sip"))
		u.scheme = SIP_URI_SIP;
	else if (sip_str_caseeq(u.scheme_str, "sips"))
		u.scheme = SIP_URI_SIPS;
	else if (sip_str_caseeq(u.scheme_str, "tel"))
		u.scheme = SIP_URI_TEL;
	else
		u.scheme = SIP_URI_OTHER;
	i++;
	switch (u.scheme) {
	case SIP_URI_SIP:
	case SIP_URI_SIPS:
		rc = parse_sip(s + i, len - i, &u);
		break;
	case SIP_URI_TEL:
		rc = parse_tel(s + i, len - i, &u);
		break;
	default:
		rc = 0;
		break;
	}
	if (rc < 0)
		return rc;
	*ret_uri = u;
	return 0;
}

int
sip_uri_param(const struct sip_uri *u, const char *name,
    struct sip_str *ret_value)
{
	return sip_str_param(u->params, name, ret_value);
}

/* Unescapes s into out (SIP_URI_MAX bytes). Returns the length. */
static size_t
unescape(struct sip_str s, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < s.len && n < SIP_URI_MAX; i++) {
		if (s.p[i] == '%' && i + 2 < s.len &&
		    hex_digit_value(s.p[i + 1]) >= 0 && hex_digit_value(s.p[i + 2]) >= 0) {
			out[n++] = (char)(hex_digit_value(s.p[i + 1]) * 16 +
			    hex_digit_value(s.p[i + 2]));
			i += 2;
		} else {
			out[n++] = s.p[i];
		}
	}
	return n;
}

static bool
unescaped_eq(struct sip_str a, struct sip_str b, bool nocase)
{
	char ua[SIP_URI_MAX], ub[SIP_URI_MAX];
	size_t na = unescape(a, ua), nb = unescape(b, ub);

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (nocase ? lower(ua[i]) != lower(ub[i]) : ua[i] != ub[i])
			return false;
	return true;
}

int
sip_uri_aor(const struct sip_uri *u, struct buf *out)
{
	if (u->scheme == SIP_URI_OTHER || u->has_password)
		return -EINVAL;
	if (u->scheme == SIP_URI_TEL) {
		buf_put_bytes(out, "tel:", 4);
		buf_put_bytes(out, u->user.p, u->user.len);
		return out->err;
	}
	buf_put_bytes(out, "sip:", 4);
	if (u->user.len) {
		for (size_t i = 0; i < u->user.len; i++) {
			char c = u->user.p[i];

			if (c == '%') {
				/* check_chars() guaranteed two hex digits */
				char d = (char)(hex_digit_value(u->user.p[i + 1]) * 16 +
				    hex_digit_value(u->user.p[i + 2]));

				i += 2;
				if (is_unreserved(d)) {
					buf_put_u8(out, (uint8_t)d);
				} else {
					char esc[4] = "%";

					hex_encode_upper((const uint8_t *)&d,
					    1, '\0', esc + 1);
					buf_put_bytes(out, esc, 3);
				}
			} else {
				buf_put_u8(out, (uint8_t)c);
			}
		}
		buf_put_u8(out, '@');
	}
	if (u->host_type == SIP_HOST_IPV6)
		buf_put_u8(out, '[');
	for (size_t i = 0; i < u->host.len; i++)
		buf_put_u8(out, (uint8_t)lower(u->host.p[i]));
	if (u->host_type == SIP_HOST_IPV6)
		buf_put_u8(out, ']');
	return out->err;
}

bool
sip_uri_aor_equal(const struct sip_uri *a, const struct sip_uri *b)
{
	struct buf ba, bb;
	bool eq;

	buf_init(&ba, SIP_URI_AOR_MAX * 3);
	buf_init(&bb, SIP_URI_AOR_MAX * 3);
	eq = sip_uri_aor(a, &ba) == 0 && sip_uri_aor(b, &bb) == 0 &&
	    ba.len == bb.len && (ba.len == 0 ||
	    memcmp(ba.data, bb.data, ba.len) == 0);
	buf_release(&ba);
	buf_release(&bb);
	return eq;
}

/* Iterates ";name=value" elements of a URI parameter list. */
static bool
next_param(struct sip_str *rest, struct sip_str *name, struct sip_str *val)
{
	const char *p = rest->p;
	size_t len = rest->len, i = 0, ns, ne;

	while (i < len && p[i] == ';')
		i++;
	if (i == len)
		return false;
	ns = i;
	while (i < len && p[i] != ';' && p[i] != '=')
		i++;
	ne = i;
	*name = (struct sip_str){ p + ns, ne - ns };
	*val = (struct sip_str){ p + ne, 0 };
	if (i < len && p[i] == '=') {
		size_t vs = ++i;

		while (i < len && p[i] != ';')
			i++;
		*val = (struct sip_str){ p + vs, i - vs };
	}
	rest->p = p + i;
	rest->len = len - i;
	return true;
}

static bool
find_param(struct sip_str params, struct sip_str name, struct sip_str *val)
{
	struct sip_str n, v;

	while (next_param(&params, &n, &v))
		if (unescaped_eq(n, name, true)) {
			*val = v;
			return true;
		}
	return false;
}

static bool
params_match(const struct sip_uri *a, const struct sip_uri *b)
{
	static const char *const strict[] = {
		"user", "ttl", "method", "maddr", "transport",
	};
	struct sip_str rest = a->params, n, v, w;

	/* Parameters in both must match; the strict ones must be in both. */
	while (next_param(&rest, &n, &v)) {
		if (find_param(b->params, n, &w)) {
			if (!unescaped_eq(v, w, true))
				return false;
			continue;
		}
		for (size_t k = 0; k < sizeof(strict) / sizeof(*strict); k++)
			if (unescaped_eq(n, (struct sip_str){ strict[k],
			    strlen(strict[k]) }, true))
				return false;
	}
	rest = b->params;
	while (next_param(&rest, &n, &v)) {
		if (find_param(a->params, n, &w))
			continue;
		for (size_t k = 0; k < sizeof(strict) / sizeof(*strict); k++)
			if (unescaped_eq(n, (struct sip_str){ strict[k],
			    strlen(strict[k]) }, true))
				return false;
	}
	return true;
}

/* Headers: every header of one must be in the other with the same value. */
static bool
headers_subset(struct sip_str ha, struct sip_str hb)
{
	size_t i = 0;

	while (i < ha.len) {
		size_t s = i, eq, j = 0;
		bool found = false;

		while (i < ha.len && ha.p[i] != '&')
			i++;
		for (eq = s; eq < i && ha.p[eq] != '='; eq++)
			;
		while (j < hb.len && !found) {
			size_t t = j, eq2;

			while (j < hb.len && hb.p[j] != '&')
				j++;
			for (eq2 = t; eq2 < j && hb.p[eq2] != '='; eq2++)
				;
			found = unescaped_eq((struct sip_str){ ha.p + s,
			    eq - s }, (struct sip_str){ hb.p + t, eq2 - t },
			    true) && eq < i && eq2 < j &&
			    unescaped_eq((struct sip_str){ ha.p + eq + 1,
			    i - eq - 1 }, (struct sip_str){ hb.p + eq2 + 1,
			    j - eq2 - 1 }, false);
			j++;
		}
		if (!found)
			return false;
		i++;
	}
	return true;
}

bool
sip_uri_equal(const struct sip_uri *a, const struct sip_uri *b)
{
	if (a->scheme != b->scheme)
		return false;
	if (a->scheme == SIP_URI_OTHER)
		return sip_str_eq_str(a->raw, b->raw);
	if (a->has_password != b->has_password)
		return false;
	if (!unescaped_eq(a->user, b->user, false))
		return false;
	if (!sip_str_caseeq_str(a->host, b->host) || a->port != b->port)
		return false;
	if (!params_match(a, b))
		return false;
	return headers_subset(a->headers, b->headers) &&
	    headers_subset(b->headers, a->headers);
}

int
sip_uri_write(const struct sip_uri *u, struct buf *out)
{
	buf_put_bytes(out, u->raw.p, u->raw.len);
	return out->err;
}
