#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sip-msg.h"

/* A cursor over one header value (unfolded: no CR or LF). */
struct cur {
	const char *p;
	size_t len;
	size_t i;
};

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 3261 §25.1 token characters. */
static bool
is_token(char c)
{
	return is_alnum(c) || (c && strchr("-.!%*_+`'~", c));
}

/* Call-ID "word" characters (§25.1). */
static bool
is_word(char c)
{
	return is_token(c) || (c && strchr("()<>:\\\"/[]?{}", c));
}

static void
skip_ws(struct cur *c)
{
	while (c->i < c->len && is_ws(c->p[c->i]))
		c->i++;
}

static bool
at_end(const struct cur *c)
{
	return c->i >= c->len;
}

static char
peek(const struct cur *c)
{
	return c->i < c->len ? c->p[c->i] : '\0';
}

/* Skips whitespace, then ch if it is next. */
static bool
take(struct cur *c, char ch)
{
	skip_ws(c);
	if (peek(c) == ch && !at_end(c)) {
		c->i++;
		return true;
	}
	return false;
}

static struct sip_str
token(struct cur *c)
{
	size_t s = c->i;

	while (c->i < c->len && is_token(c->p[c->i]))
		c->i++;
	return (struct sip_str){ c->p + s, c->i - s };
}

/* A quoted-string starting at the cursor, quotes kept in ret. */
static int
quoted(struct cur *c, struct sip_str *ret)
{
	size_t s = c->i;

	if (peek(c) != '"' || at_end(c))
		return -EBADMSG;
	for (c->i++; c->i < c->len; c->i++) {
		unsigned char ch = (unsigned char)c->p[c->i];

		if (ch == '"') {
			c->i++;
			*ret = (struct sip_str){ c->p + s, c->i - s };
			return 0;
		}
		if (ch == '\\') {
			if (c->i + 1 >= c->len ||
			    (unsigned char)c->p[c->i + 1] > 0x7f)
				return -EBADMSG;
			c->i++;
		} else if (!(ch == ' ' || ch == '\t' || ch >= 0x21) ||
		    ch == 0x7f) {
			return -EBADMSG;
		}
	}
	return -EBADMSG;
}

static int
parse_u32(struct sip_str s, uint32_t max, uint32_t *ret)
{
	return sip_str_u32(s, max, ret);
}

/* host = hostname / IPv4address / "[" IPv6address "]" */
static int
parse_host(struct cur *c, struct sip_str *ret_host,
    enum sip_host_type *ret_type)
{
	char tmp[64];
	unsigned char bin[16];
	size_t s;
	bool num = true;

	if (peek(c) == '[' && !at_end(c)) {
		s = ++c->i;
		while (c->i < c->len && c->p[c->i] != ']')
			c->i++;
		if (at_end(c) || c->i - s == 0 || c->i - s >= sizeof(tmp))
			return -EBADMSG;
		memcpy(tmp, c->p + s, c->i - s);
		tmp[c->i - s] = '\0';
		if (inet_pton(AF_INET6, tmp, bin) != 1)
			return -EBADMSG;
		*ret_host = (struct sip_str){ c->p + s, c->i - s };
		*ret_type = SIP_HOST_IPV6;
		c->i++;
		return 0;
	}
	s = c->i;
	while (c->i < c->len && (is_alnum(c->p[c->i]) || c->p[c->i] == '-' ||
	    c->p[c->i] == '.')) {
		if (!is_digit(c->p[c->i]) && c->p[c->i] != '.')
			num = false;
		c->i++;
	}
	if (c->i == s || c->i - s > SIP_URI_HOST_MAX || c->p[s] == '.' ||
	    c->p[s] == '-')
		return -EBADMSG;
	if (num) {
		if (c->i - s >= sizeof(tmp))
			return -EBADMSG;
		memcpy(tmp, c->p + s, c->i - s);
		tmp[c->i - s] = '\0';
		if (inet_pton(AF_INET, tmp, bin) != 1)
			return -EBADMSG;
		*ret_type = SIP_HOST_IPV4;
	} else {
		*ret_type = SIP_HOST_NAME;
	}
	*ret_host = (struct sip_str){ c->p + s, c->i - s };
	return 0;
}

/* Generic parameters: *( SEMI token [ EQUAL (token / host / quoted) ] ).
 * Calls fn for each; stops at the end or at a character that cannot
 * start ";". */
typedef int param_fn(void *ctx, struct sip_str name, struct sip_str value,
    bool has_value);

static int
parse_params(struct cur *c, struct sip_str *ret_raw, param_fn *fn, void *ctx)
{
	size_t start;
	int rc;

	skip_ws(c);
	start = c->i;
	*ret_raw = (struct sip_str){ c->p + c->i, 0 };
	while (take(c, ';')) {
		struct sip_str name, value = { NULL, 0 };
		bool has_value = false;

		skip_ws(c);
		name = token(c);
		if (name.len == 0)
			return -EBADMSG;
		if (take(c, '=')) {
			skip_ws(c);
			has_value = true;
			if (peek(c) == '"') {
				rc = quoted(c, &value);
				if (rc < 0)
					return rc;
			} else if (peek(c) == '[') {
				size_t s = c->i;

				while (c->i < c->len && c->p[c->i] != ']')
					c->i++;
				if (at_end(c))
					return -EBADMSG;
				c->i++;
				value = (struct sip_str){ c->p + s, c->i - s };
			} else {
				value = token(c);
				/* token covers hostnames and IPv4; an
				 * unbracketed IPv6 (2543-style) also has ':' */
				while (c->i < c->len && (c->p[c->i] == ':' ||
				    is_token(c->p[c->i])))
					c->i++;
				value.len = (size_t)(c->p + c->i - value.p);
				if (value.len == 0)
					return -EBADMSG;
			}
		}
		ret_raw->len = c->i - start;
		if (fn) {
			rc = fn(ctx, name, value, has_value);
			if (rc < 0)
				return rc;
		}
	}
	skip_ws(c);
	return 0;
}

static int
via_param(void *ctx, struct sip_str name, struct sip_str value,
    bool has_value)
{
	struct sip_via *v = ctx;

	if (sip_str_caseeq(name, "branch")) {
		if (!has_value || value.p[0] == '"')
			return -EBADMSG;
		v->branch = value;
	} else if (sip_str_caseeq(name, "received")) {
		if (!has_value || value.p[0] == '"')
			return -EBADMSG;
		v->received = value;
	} else if (sip_str_caseeq(name, "rport")) {
		v->rport = true;
		if (has_value) {
			uint32_t port;

			if (parse_u32(value, 65535, &port) < 0)
				return -EBADMSG;
			v->rport_value = (uint16_t)port;
		}
	}
	return 0;
}

int
sip_via_parse(struct sip_str value, struct sip_via *ret_via)
{
	struct cur c = { value.p, value.len, 0 };
	struct sip_via v;
	struct sip_str proto, version;
	int rc;

	memset(&v, 0, sizeof(v));
	skip_ws(&c);
	v.raw.p = c.p + c.i;
	proto = token(&c);
	if (proto.len == 0 || !take(&c, '/'))
		return -EBADMSG;
	skip_ws(&c);
	version = token(&c);
	if (version.len == 0 || !take(&c, '/'))
		return -EBADMSG;
	skip_ws(&c);
	v.transport = token(&c);
	if (v.transport.len == 0 || !is_ws(peek(&c)))
		return -EBADMSG;
	skip_ws(&c);
	rc = parse_host(&c, &v.host, &v.host_type);
	if (rc < 0)
		return rc;
	if (take(&c, ':')) {
		uint32_t port;
		struct sip_str ps;

		skip_ws(&c);
		ps.p = c.p + c.i;
		while (c.i < c.len && is_digit(c.p[c.i]))
			c.i++;
		ps.len = (size_t)(c.p + c.i - ps.p);
		if (parse_u32(ps, 65535, &port) < 0)
			return -EBADMSG;
		v.port = (uint16_t)port;
	}
	rc = parse_params(&c, &v.params, via_param, &v);
	if (rc < 0)
		return rc;
	if (!at_end(&c))
		return -EBADMSG;
	v.raw.len = (size_t)(c.p + c.len - v.raw.p);
	while (v.raw.len && is_ws(v.raw.p[v.raw.len - 1]))
		v.raw.len--;
	*ret_via = v;
	return 0;
}

static int
nameaddr_param(void *ctx, struct sip_str name, struct sip_str value,
    bool has_value)
{
	struct sip_nameaddr *na = ctx;

	if (sip_str_caseeq(name, "tag")) {
		if (!has_value || value.p[0] == '"')
			return -EBADMSG;
		na->tag = value;
	} else if (sip_str_caseeq(name, "expires")) {
		uint32_t e;
		int rc;

		if (!has_value)
			return -EBADMSG;
		rc = parse_u32(value, SIP_EXPIRES_MAX, &e);
		if (rc < 0)
			return rc;
		na->expires = e;
	}
	return 0;
}

int
sip_nameaddr_parse(struct sip_str value, struct sip_nameaddr *ret_na)
{
	struct cur c = { value.p, value.len, 0 };
	struct sip_nameaddr na;
	int rc;

	memset(&na, 0, sizeof(na));
	na.expires = -1;
	skip_ws(&c);
	na.raw.p = c.p + c.i;
	if (peek(&c) == '"') {
		rc = quoted(&c, &na.display);
		if (rc < 0)
			return rc;
		skip_ws(&c);
		if (peek(&c) != '<')
			return -EBADMSG;
	} else {
		/* *(token LWS) before '<', or an addr-spec */
		size_t s = c.i, last = c.i, k = c.i;

		while (k < c.len && (is_token(c.p[k]) || is_ws(c.p[k]))) {
			if (!is_ws(c.p[k]))
				last = k + 1;
			k++;
		}
		if (k < c.len && c.p[k] == '<') {
			na.display = (struct sip_str){ c.p + s, last - s };
			c.i = k;
		}
	}
	if (peek(&c) == '<' && !at_end(&c)) {
		size_t s = ++c.i;

		while (c.i < c.len && c.p[c.i] != '>')
			c.i++;
		if (at_end(&c))
			return -EBADMSG;
		rc = sip_uri_parse(c.p + s, c.i - s, &na.uri);
		if (rc < 0)
			return rc;
		c.i++;
	} else {
		/* addr-spec: the URI may not hold ',', '?' or ';' (§20) */
		size_t s = c.i;

		while (c.i < c.len && c.p[c.i] != ';' && !is_ws(c.p[c.i]))
			c.i++;
		if (memchr(c.p + s, '?', c.i - s) ||
		    memchr(c.p + s, ',', c.i - s))
			return -EBADMSG;
		rc = sip_uri_parse(c.p + s, c.i - s, &na.uri);
		if (rc < 0)
			return rc;
	}
	rc = parse_params(&c, &na.params, nameaddr_param, &na);
	if (rc < 0)
		return rc;
	if (!at_end(&c))
		return -EBADMSG;
	na.raw.len = (size_t)(c.p + c.len - na.raw.p);
	while (na.raw.len && is_ws(na.raw.p[na.raw.len - 1]))
		na.raw.len--;
	*ret_na = na;
	return 0;
}

int
sip_warning_parse(struct sip_str value, struct sip_warning *ret_w)
{
	struct cur c = { value.p, value.len, 0 };
	struct sip_warning w;
	struct sip_str code;
	uint32_t n;
	size_t s;
	int rc;

	skip_ws(&c);
	code.p = c.p + c.i;
	while (c.i < c.len && is_digit(c.p[c.i]))
		c.i++;
	code.len = (size_t)(c.p + c.i - code.p);
	if (code.len != 3 || parse_u32(code, 999, &n) < 0 ||
	    !is_ws(peek(&c)))
		return -EBADMSG;
	w.code = n;
	skip_ws(&c);
	s = c.i;
	while (c.i < c.len && !is_ws(c.p[c.i]) && c.p[c.i] != '"')
		c.i++;
	if (c.i == s || !is_ws(peek(&c)))
		return -EBADMSG;
	w.agent = (struct sip_str){ c.p + s, c.i - s };
	skip_ws(&c);
	rc = quoted(&c, &w.text);
	if (rc < 0)
		return rc;
	skip_ws(&c);
	if (!at_end(&c))
		return -EBADMSG;
	*ret_w = w;
	return 0;
}

static const struct {
	const char *name;
	const char *compact;
	enum sip_hdr id;
} hdr_table[] = {
	{ "Via", "v", SIP_HDR_VIA },
	{ "From", "f", SIP_HDR_FROM },
	{ "To", "t", SIP_HDR_TO },
	{ "Call-ID", "i", SIP_HDR_CALL_ID },
	{ "CSeq", NULL, SIP_HDR_CSEQ },
	{ "Max-Forwards", NULL, SIP_HDR_MAX_FORWARDS },
	{ "Contact", "m", SIP_HDR_CONTACT },
	{ "Route", NULL, SIP_HDR_ROUTE },
	{ "Record-Route", NULL, SIP_HDR_RECORD_ROUTE },
	{ "Expires", NULL, SIP_HDR_EXPIRES },
	{ "Min-Expires", NULL, SIP_HDR_MIN_EXPIRES },
	{ "Content-Type", "c", SIP_HDR_CONTENT_TYPE },
	{ "Content-Length", "l", SIP_HDR_CONTENT_LENGTH },
	{ "Content-Encoding", "e", SIP_HDR_CONTENT_ENCODING },
	{ "Content-Disposition", NULL, SIP_HDR_CONTENT_DISPOSITION },
	{ "WWW-Authenticate", NULL, SIP_HDR_WWW_AUTHENTICATE },
	{ "Proxy-Authenticate", NULL, SIP_HDR_PROXY_AUTHENTICATE },
	{ "Authorization", NULL, SIP_HDR_AUTHORIZATION },
	{ "Proxy-Authorization", NULL, SIP_HDR_PROXY_AUTHORIZATION },
	{ "Warning", NULL, SIP_HDR_WARNING },
	{ "Allow", NULL, SIP_HDR_ALLOW },
	{ "Supported", "k", SIP_HDR_SUPPORTED },
	{ "Require", NULL, SIP_HDR_REQUIRE },
	{ "Proxy-Require", NULL, SIP_HDR_PROXY_REQUIRE },
	{ "Unsupported", NULL, SIP_HDR_UNSUPPORTED },
	{ "Accept", NULL, SIP_HDR_ACCEPT },
	{ "Subject", "s", SIP_HDR_SUBJECT },
	{ "User-Agent", NULL, SIP_HDR_USER_AGENT },
	{ "Server", NULL, SIP_HDR_SERVER },
	{ "Event", "o", SIP_HDR_EVENT },
	{ "Allow-Events", "u", SIP_HDR_ALLOW_EVENTS },
	{ "Refer-To", "r", SIP_HDR_REFER_TO },
	{ "Session-Expires", "x", SIP_HDR_SESSION_EXPIRES },
	{ "Retry-After", NULL, SIP_HDR_RETRY_AFTER },
	{ "Date", NULL, SIP_HDR_DATE },
	{ "Timestamp", NULL, SIP_HDR_TIMESTAMP },
};

enum sip_hdr
sip_hdr_id(struct sip_str name)
{
	for (size_t i = 0; i < sizeof(hdr_table) / sizeof(*hdr_table); i++)
		if (sip_str_caseeq(name, hdr_table[i].name) ||
		    (hdr_table[i].compact &&
		    sip_str_caseeq(name, hdr_table[i].compact)))
			return hdr_table[i].id;
	return SIP_HDR_OTHER;
}

const char *
sip_hdr_name(enum sip_hdr id)
{
	for (size_t i = 0; i < sizeof(hdr_table) / sizeof(*hdr_table); i++)
		if (hdr_table[i].id == id)
			return hdr_table[i].name;
	return NULL;
}

static const char *const method_names[] = {
	[SIP_METHOD_OTHER] = "",
	[SIP_METHOD_INVITE] = "INVITE",
	[SIP_METHOD_ACK] = "ACK",
	[SIP_METHOD_BYE] = "BYE",
	[SIP_METHOD_CANCEL] = "CANCEL",
	[SIP_METHOD_OPTIONS] = "OPTIONS",
	[SIP_METHOD_REGISTER] = "REGISTER",
	[SIP_METHOD_PRACK] = "PRACK",
	[SIP_METHOD_SUBSCRIBE] = "SUBSCRIBE",
	[SIP_METHOD_NOTIFY] = "NOTIFY",
	[SIP_METHOD_PUBLISH] = "PUBLISH",
	[SIP_METHOD_INFO] = "INFO",
	[SIP_METHOD_REFER] = "REFER",
	[SIP_METHOD_MESSAGE] = "MESSAGE",
	[SIP_METHOD_UPDATE] = "UPDATE",
};

enum sip_method
sip_method_id(struct sip_str name)
{
	for (size_t i = 1; i < sizeof(method_names) / sizeof(*method_names);
	    i++)
		if (sip_str_eq(name, method_names[i]))
			return (enum sip_method)i;
	return SIP_METHOD_OTHER;
}

const char *
sip_method_name(enum sip_method m)
{
	if ((size_t)m >= sizeof(method_names) / sizeof(*method_names))
		return "";
	return method_names[m];
}

/* Finds the end of the header section: the offset just past CRLFCRLF,
 * looking at no more than SIP_HEAD_MAX bytes. */
static int
head_end(const uint8_t *d, size_t len, size_t *ret_end)
{
	size_t lim = len < SIP_HEAD_MAX ? len : SIP_HEAD_MAX;

	for (size_t i = 0; i + 3 < lim; i++)
		if (d[i] == '\r' && d[i + 1] == '\n' && d[i + 2] == '\r' &&
		    d[i + 3] == '\n') {
			*ret_end = i + 4;
			return 0;
		}
	return len >= SIP_HEAD_MAX ? -E2BIG : -ENODATA;
}

/* Parses a Content-Length value that may still hold line folds. */
static int
parse_clen(const uint8_t *p, size_t n, uint32_t *ret)
{
	size_t s = 0, e = n;

	while (s < e && (p[s] == ' ' || p[s] == '\t' || p[s] == '\r' ||
	    p[s] == '\n'))
		s++;
	while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t' ||
	    p[e - 1] == '\r' || p[e - 1] == '\n'))
		e--;
	return sip_str_u32((struct sip_str){ (const char *)p + s, e - s },
	    SIP_MSG_MAX, ret);
}

/* Scans the raw head for Content-Length. Returns 0 with the value,
 * -ENOENT if absent, -EBADMSG if malformed or given twice differently,
 * -E2BIG if too big. */
static int
find_clen(const uint8_t *d, size_t head, uint32_t *ret)
{
	size_t i = 0;
	bool found = false;
	uint32_t val = 0;

	/* skip the start line */
	while (i + 1 < head && !(d[i] == '\r' && d[i + 1] == '\n'))
		i++;
	i += 2;
	while (i + 2 < head) {
		size_t s = i, colon = 0, e;

		/* a logical line ends at CRLF not followed by SP/HTAB */
		for (e = i; e + 1 < head; e++) {
			if (d[e] == '\r' && d[e + 1] == '\n' &&
			    !(e + 2 < head && (d[e + 2] == ' ' ||
			    d[e + 2] == '\t')))
				break;
			if (!colon && d[e] == ':')
				colon = e;
		}
		if (colon) {
			size_t ne = colon;

			while (ne > s && (d[ne - 1] == ' ' || d[ne - 1] == '\t'))
				ne--;
			if (sip_hdr_id((struct sip_str){ (const char *)d + s,
			    ne - s }) == SIP_HDR_CONTENT_LENGTH) {
				uint32_t v;
				int rc = parse_clen(d + colon + 1,
				    e - colon - 1, &v);

				if (rc < 0)
					return rc;
				if (found && v != val)
					return -EBADMSG;
				found = true;
				val = v;
			}
		}
		i = e + 2;
	}
	if (!found)
		return -ENOENT;
	*ret = val;
	return 0;
}

int
sip_msg_frame(const uint8_t *data, size_t len, size_t *ret_len)
{
	size_t head;
	uint32_t clen = 0;
	int rc;

	if (len == 0)
		return -ENODATA;
	if (data[0] == '\r') {
		if (len < 2)
			return -ENODATA;
		if (data[1] != '\n')
			return -EBADMSG;
		if (len == 3 && data[2] == '\r')
			return -ENODATA;
		if (len >= 4 && data[2] == '\r') {
			if (data[3] != '\n')
				return -EBADMSG;
			*ret_len = 4;
			return SIP_FRAME_PING;
		}
		*ret_len = 2;
		return SIP_FRAME_PONG;
	}
	rc = head_end(data, len, &head);
	if (rc < 0)
		return rc;
	rc = find_clen(data, head, &clen);
	if (rc == -ENOENT)
		return -EBADMSG;
	if (rc < 0)
		return rc;
	if (head + clen > SIP_MSG_MAX)
		return -E2BIG;
	if (len < head + clen)
		return -ENODATA;
	*ret_len = head + clen;
	return SIP_FRAME_MSG;
}

struct sip_msg *
sip_msg_free(struct sip_msg *m)
{
	if (m) {
		free(m->copy_);
		free(m);
	}
	return NULL;
}

static int
parse_version(struct sip_str v, struct sip_msg *m)
{
	struct cur c = { v.p, v.len, 0 };
	struct sip_str maj, min;
	uint32_t a, b;

	if (v.len < 4 || !sip_str_caseeq((struct sip_str){ v.p, 4 }, "SIP/"))
		return -EBADMSG;
	c.i = 4;
	maj.p = c.p + c.i;
	while (c.i < c.len && is_digit(c.p[c.i]))
		c.i++;
	maj.len = (size_t)(c.p + c.i - maj.p);
	if (peek(&c) != '.' || at_end(&c))
		return -EBADMSG;
	c.i++;
	min = (struct sip_str){ c.p + c.i, c.len - c.i };
	if (parse_u32(maj, 999, &a) < 0 || parse_u32(min, 999, &b) < 0)
		return -EBADMSG;
	m->version_major = a;
	m->version_minor = b;
	return 0;
}

static int
parse_start(struct sip_str line, struct sip_msg *m)
{
	const char *sp1, *sp2;
	struct sip_str a, b, rest;
	int rc;

	sp1 = memchr(line.p, ' ', line.len);
	if (!sp1)
		return -EBADMSG;
	a = (struct sip_str){ line.p, (size_t)(sp1 - line.p) };
	rest = (struct sip_str){ sp1 + 1, line.len - a.len - 1 };
	if (a.len >= 4 && sip_str_caseeq((struct sip_str){ a.p, 4 }, "SIP/")) {
		uint32_t code;

		m->request = false;
		rc = parse_version(a, m);
		if (rc < 0)
			return rc;
		if (rest.len < 4 || rest.p[3] != ' ')
			return -EBADMSG;
		if (parse_u32((struct sip_str){ rest.p, 3 }, 999, &code) < 0 ||
		    code < 100 || code > 699)
			return -EBADMSG;
		m->status = code;
		m->reason = (struct sip_str){ rest.p + 4, rest.len - 4 };
		for (size_t i = 0; i < m->reason.len; i++) {
			unsigned char ch = (unsigned char)m->reason.p[i];

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
				return -EBADMSG;
		}
		return 0;
	}
	m->request = true;
	if (a.len == 0 || a.len > SIP_METHOD_MAX)
		return a.len ? -E2BIG : -EBADMSG;
	for (size_t i = 0; i < a.len; i++)
		if (!is_token(a.p[i]))
			return -EBADMSG;
	m->method = a;
	m->method_id = sip_method_id(a);
	sp2 = memchr(rest.p, ' ', rest.len);
	if (!sp2)
		return -EBADMSG;
	b = (struct sip_str){ rest.p, (size_t)(sp2 - rest.p) };
	rc = sip_uri_parse(b.p, b.len, &m->ruri);
	if (rc < 0)
		return rc;
	return parse_version((struct sip_str){ sp2 + 1,
	    rest.len - b.len - 1 }, m);
}

static int
parse_list(struct sip_str value, struct sip_nameaddr *arr, size_t *n,
    size_t max, bool need_angle)
{
	struct sip_str rest = value, item;
	int rc;

	while ((rc = sip_str_list_next(&rest, &item)) > 0) {
		if (*n >= max)
			return -E2BIG;
		rc = sip_nameaddr_parse(item, &arr[*n]);
		if (rc < 0)
			return rc;
		if (need_angle && memchr(item.p, '<', item.len) == NULL)
			return -EBADMSG;
		(*n)++;
	}
	return rc;
}

static int
parse_header(struct sip_msg *m, const struct sip_header *h)
{
	struct sip_str v = h->value, rest, item;
	uint32_t n;
	int rc;

	switch (h->id) {
	case SIP_HDR_VIA:
		rest = v;
		while ((rc = sip_str_list_next(&rest, &item)) > 0) {
			if (m->nvia >= SIP_VIA_MAX)
				return -E2BIG;
			rc = sip_via_parse(item, &m->via[m->nvia]);
			if (rc < 0)
				return rc;
			m->nvia++;
		}
		if (rc == 0 && v.len == 0)
			return -EBADMSG;
		return rc;
	case SIP_HDR_FROM:
	case SIP_HDR_TO: {
		struct sip_nameaddr na;
		bool *has = h->id == SIP_HDR_FROM ? &m->has_from : &m->has_to;

		rc = sip_nameaddr_parse(v, &na);
		if (rc < 0)
			return rc;
		if (!*has) {
			*has = true;
			if (h->id == SIP_HDR_FROM)
				m->from = na;
			else
				m->to = na;
		}
		return 0;
	}
	case SIP_HDR_CALL_ID:
		if (v.len == 0)
			return -EBADMSG;
		for (size_t i = 0; i < v.len; i++)
			if (!is_word(v.p[i]) && v.p[i] != '@')
				return -EBADMSG;
		if (m->call_id.len == 0)
			m->call_id = v;
		return 0;
	case SIP_HDR_CSEQ: {
		struct cur c = { v.p, v.len, 0 };
		struct sip_str num, meth;

		num.p = v.p;
		while (c.i < c.len && is_digit(c.p[c.i]))
			c.i++;
		num.len = c.i;
		rc = parse_u32(num, SIP_CSEQ_MAX, &n);
		if (rc < 0)
			return rc;
		if (!is_ws(peek(&c)))
			return -EBADMSG;
		skip_ws(&c);
		meth = token(&c);
		if (meth.len == 0 || meth.len > SIP_METHOD_MAX || !at_end(&c))
			return -EBADMSG;
		if (!m->has_cseq) {
			m->has_cseq = true;
			m->cseq = n;
			m->cseq_method = meth;
			m->cseq_method_id = sip_method_id(meth);
		}
		return 0;
	}
	case SIP_HDR_MAX_FORWARDS:
		if (parse_u32(v, 255, &n) < 0)
			return -EBADMSG;
		if (m->max_forwards < 0)
			m->max_forwards = (int)n;
		return 0;
	case SIP_HDR_CONTACT:
		if (sip_str_eq(v, "*")) {
			m->contact_star = true;
			return 0;
		}
		rc = parse_list(v, m->contact, &m->ncontact, SIP_CONTACT_MAX,
		    false);
		return rc < 0 ? rc : (v.len ? 0 : -EBADMSG);
	case SIP_HDR_ROUTE:
		rc = parse_list(v, m->route, &m->nroute, SIP_ROUTE_MAX, true);
		return rc < 0 ? rc : (v.len ? 0 : -EBADMSG);
	case SIP_HDR_RECORD_ROUTE:
		rc = parse_list(v, m->record_route, &m->nrecord_route,
		    SIP_ROUTE_MAX, true);
		return rc < 0 ? rc : (v.len ? 0 : -EBADMSG);
	case SIP_HDR_EXPIRES:
		rc = parse_u32(v, SIP_EXPIRES_MAX, &n);
		if (rc < 0)
			return rc;
		if (m->expires < 0)
			m->expires = n;
		return 0;
	case SIP_HDR_CONTENT_LENGTH:
		rc = parse_u32(v, SIP_MSG_MAX, &n);
		if (rc < 0)
			return rc;
		if (m->content_length >= 0 && (uint32_t)m->content_length != n)
			return -EBADMSG;
		m->content_length = n;
		return 0;
	case SIP_HDR_CONTENT_TYPE: {
		struct cur c = { v.p, v.len, 0 };
		struct sip_str type, sub, params;

		type = token(&c);
		if (type.len == 0 || !take(&c, '/'))
			return -EBADMSG;
		skip_ws(&c);
		sub = token(&c);
		if (sub.len == 0)
			return -EBADMSG;
		rc = parse_params(&c, &params, NULL, NULL);
		if (rc < 0 || !at_end(&c))
			return -EBADMSG;
		if (m->content_type.len == 0) {
			m->content_type = (struct sip_str){ type.p,
			    (size_t)(sub.p + sub.len - type.p) };
			m->content_type_params = params;
		}
		return 0;
	}
	default:
		return 0;
	}
}

/* Unfolds the head in place (CRLF + WSP -> SP SP) and checks that CR and
 * LF appear only as CRLF. */
static int
unfold(char *p, size_t head)
{
	for (size_t i = 0; i < head; i++) {
		if (p[i] == '\r') {
			if (i + 1 >= head || p[i + 1] != '\n')
				return -EBADMSG;
			if (i + 2 < head && (p[i + 2] == ' ' ||
			    p[i + 2] == '\t')) {
				p[i] = ' ';
				p[i + 1] = ' ';
			}
			i++;
		} else if (p[i] == '\n') {
			return -EBADMSG;
		}
	}
	return 0;
}

static int
parse_head(struct sip_msg *m, char *p, size_t head)
{
	size_t i = 0;
	bool first = true;
	int rc;

	while (i + 2 <= head) {
		const char *eol = memchr(p + i, '\r', head - i);
		size_t e = eol ? (size_t)(eol - p) : head;
		struct sip_str line = { p + i, e - i };

		if (line.len == 0)
			break;	/* the empty line ending the head */
		if (line.len > SIP_LINE_MAX)
			return -E2BIG;
		if (first) {
			rc = parse_start(line, m);
			if (rc < 0)
				return rc;
			first = false;
		} else {
			struct sip_header *h;
			const char *colon = memchr(line.p, ':', line.len);
			size_t ne, vs, ve;

			if (!colon || is_ws(line.p[0]))
				return -EBADMSG;
			if (m->nheaders >= SIP_HEADERS_MAX)
				return -E2BIG;
			ne = (size_t)(colon - line.p);
			while (ne > 0 && is_ws(line.p[ne - 1]))
				ne--;
			for (size_t k = 0; k < ne; k++)
				if (!is_token(line.p[k]))
					return -EBADMSG;
			if (ne == 0)
				return -EBADMSG;
			vs = (size_t)(colon - line.p) + 1;
			ve = line.len;
			while (vs < ve && is_ws(line.p[vs]))
				vs++;
			while (ve > vs && is_ws(line.p[ve - 1]))
				ve--;
			h = &m->headers[m->nheaders++];
			h->name = (struct sip_str){ line.p, ne };
			h->value = (struct sip_str){ line.p + vs, ve - vs };
			h->id = sip_hdr_id(h->name);
			rc = parse_header(m, h);
			if (rc < 0)
				return rc;
		}
		i = e + 2;
	}
	return first ? -EBADMSG : 0;
}

int
sip_msg_parse(const uint8_t *data, size_t len, unsigned flags,
    struct sip_msg **ret_msg)
{
	struct sip_msg *m;
	size_t head, avail;
	int rc;

	while (len >= 2 && data[0] == '\r' && data[1] == '\n') {
		data += 2;
		len -= 2;
	}
	if (len > SIP_MSG_MAX)
		return -E2BIG;
	if (len == 0)
		return -EBADMSG;
	rc = head_end(data, len, &head);
	if (rc == -ENODATA)
		return -EBADMSG;
	if (rc < 0)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->copy_ = malloc(len + 1);
	if (!m->copy_) {
		free(m);
		return -ENOMEM;
	}
	memcpy(m->copy_, data, len);
	m->copy_[len] = '\0';
	m->len_ = len;
	m->max_forwards = -1;
	m->expires = -1;
	m->content_length = -1;
	m->from.expires = m->to.expires = -1;

	rc = unfold(m->copy_, head);
	if (rc == 0)
		rc = parse_head(m, m->copy_, head);
	if (rc < 0)
		goto fail;
	avail = len - head;
	if (m->content_length < 0) {
		if (flags & SIP_PARSE_STREAM) {
			rc = -EBADMSG;
			goto fail;
		}
		m->content_length = (long)avail;
	}
	if ((size_t)m->content_length > avail ||
	    ((flags & SIP_PARSE_STREAM) &&
	    (size_t)m->content_length != avail)) {
		rc = -EBADMSG;
		goto fail;
	}
	m->body = (struct sip_str){ m->copy_ + head,
	    (size_t)m->content_length };
	*ret_msg = m;
	return 0;
fail:
	sip_msg_free(m);
	return rc;
}

const struct sip_header *
sip_msg_header(const struct sip_msg *m, enum sip_hdr id, size_t idx)
{
	for (size_t i = 0; i < m->nheaders; i++)
		if (m->headers[i].id == id && id != SIP_HDR_OTHER &&
		    idx-- == 0)
			return &m->headers[i];
	return NULL;
}

const struct sip_header *
sip_msg_header_named(const struct sip_msg *m, const char *name, size_t idx)
{
	struct sip_str n = { name, strlen(name) };
	enum sip_hdr id = sip_hdr_id(n);

	if (id != SIP_HDR_OTHER)
		return sip_msg_header(m, id, idx);
	for (size_t i = 0; i < m->nheaders; i++)
		if (m->headers[i].id == SIP_HDR_OTHER &&
		    sip_str_caseeq_str(m->headers[i].name, n) && idx-- == 0)
			return &m->headers[i];
	return NULL;
}

bool
sip_msg_has_token(const struct sip_msg *m, enum sip_hdr id,
    const char *tok)
{
	const struct sip_header *h;

	for (size_t i = 0; (h = sip_msg_header(m, id, i)) != NULL; i++) {
		struct sip_str rest = h->value, item;

		while (sip_str_list_next(&rest, &item) > 0)
			if (sip_str_caseeq(item, tok))
				return true;
	}
	return false;
}

static int
problem(struct sip_problem *why, int rc, unsigned status, const char *text)
{
	if (why) {
		why->status = status;
		why->why = text;
	}
	return rc;
}

int
sip_msg_validate(const struct sip_msg *m, struct sip_problem *why)
{
	static const struct {
		enum sip_hdr id;
		const char *why;
	} single[] = {
		{ SIP_HDR_FROM, "More than one From" },
		{ SIP_HDR_TO, "More than one To" },
		{ SIP_HDR_CALL_ID, "More than one Call-ID" },
		{ SIP_HDR_CSEQ, "More than one CSeq" },
		{ SIP_HDR_MAX_FORWARDS, "More than one Max-Forwards" },
		{ SIP_HDR_CONTENT_LENGTH, "More than one Content-Length" },
		{ SIP_HDR_CONTENT_TYPE, "More than one Content-Type" },
		{ SIP_HDR_EXPIRES, "More than one Expires" },
	};

	if (m->version_major != 2 || m->version_minor != 0)
		return problem(why, -ENOTSUP, 505, "Version Not Supported");
	if (m->request) {
		if (m->ruri.scheme != SIP_URI_SIP &&
		    m->ruri.scheme != SIP_URI_SIPS)
			return problem(why, -EPROTONOSUPPORT, 416,
			    "Unsupported URI Scheme");
		if (m->ruri.headers.len)
			return problem(why, -EBADMSG, 400,
			    "Headers in Request-URI");
	}
	if (m->nvia == 0)
		return problem(why, -EBADMSG, 400, "Missing Via");
	if (!m->has_from)
		return problem(why, -EBADMSG, 400, "Missing From");
	if (!m->has_to)
		return problem(why, -EBADMSG, 400, "Missing To");
	if (m->call_id.len == 0)
		return problem(why, -EBADMSG, 400, "Missing Call-ID");
	if (!m->has_cseq)
		return problem(why, -EBADMSG, 400, "Missing CSeq");
	for (size_t i = 0; i < sizeof(single) / sizeof(*single); i++)
		if (sip_msg_header(m, single[i].id, 1))
			return problem(why, -EBADMSG, 400, single[i].why);
	if (m->request && !sip_str_eq_str(m->method, m->cseq_method))
		return problem(why, -EBADMSG, 400, "CSeq method mismatch");
	return 0;
}
