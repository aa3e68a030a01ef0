/* The request-head scanner (see httphead.h). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "httphead.h"

static int
refuse(struct httphead *h, int r, int status, const char *why)
{
	h->status = status;
	h->why = why;
	return r;
}

/* RFC 9110 §5.6.2 tchar. */
static int
is_tchar(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int
eq(const uint8_t *p, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(p, s, n) == 0;
}

static int
request_line(const uint8_t *p, size_t n, struct httphead *h)
{
	const uint8_t *sp1 = memchr(p, ' ', n), *sp2, *t;
	size_t ml, tl;

	if (!sp1 || sp1 == p)
		return refuse(h, -EBADMSG, 400, "malformed request line");
	ml = (size_t)(sp1 - p);
	for (size_t i = 0; i < ml; i++)
		if (!is_tchar(p[i]))
			return refuse(h, -EBADMSG, 400,
				"malformed request line");
	t = sp1 + 1;
	sp2 = memchr(t, ' ', n - ml - 1);
	if (!sp2 || sp2 == t || *t != '/')
		return refuse(h, -EBADMSG, 400, "malformed request target");
	tl = (size_t)(sp2 - t);
	for (size_t i = 0; i < tl; i++)
		if (t[i] <= 0x20 || t[i] >= 0x7f)
			return refuse(h, -EBADMSG, 400,
				"malformed request target");
	if (!eq(sp2 + 1, n - ml - tl - 2, "HTTP/1.1") &&
	    !eq(sp2 + 1, n - ml - tl - 2, "HTTP/1.0"))
		return refuse(h, -EBADMSG, 400, "HTTP/1.0 or 1.1 only");
	if (!eq(p, ml, "GET") && !eq(p, ml, "POST") && !eq(p, ml, "HEAD"))
		return refuse(h, -ENOTSUP, 405, "method not allowed");
	return 0;
}

/* One "name: value" line (without its line end). */
static int
field_line(const uint8_t *p, size_t n, uint64_t body_max, int *have_cl,
	struct httphead *h)
{
	const uint8_t *colon = memchr(p, ':', n), *v;
	size_t nl, vl;

	if (!colon || colon == p)
		return refuse(h, -EBADMSG, 400, "malformed header field");
	nl = (size_t)(colon - p);
	for (size_t i = 0; i < nl; i++)
		if (!is_tchar(p[i]))
			return refuse(h, -EBADMSG, 400,
				"malformed header field");
	v = colon + 1;
	vl = n - nl - 1;
	for (size_t i = 0; i < vl; i++)
		if ((v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
			return refuse(h, -EBADMSG, 400,
				"control character in a header field");
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	if (nl == 17 && strncasecmp((const char *)p, "transfer-encoding",
		nl) == 0)
		return refuse(h, -ENOTSUP, 411,
			"a body needs Content-Length (no transfer coding)");
	if (nl != 14 || strncasecmp((const char *)p, "content-length", nl))
		return 0;
	if (*have_cl)
		return refuse(h, -EBADMSG, 400, "repeated Content-Length");
	*have_cl = 1;
	if (vl == 0 || vl > 18)
		return refuse(h, vl ? -E2BIG : -EBADMSG, vl ? 413 : 400,
			vl ? "body too large" : "malformed Content-Length");
	h->body_len = 0;
	for (size_t i = 0; i < vl; i++) {
		if (v[i] < '0' || v[i] > '9')
			return refuse(h, -EBADMSG, 400,
				"malformed Content-Length");
		h->body_len = h->body_len * 10 + (uint64_t)(v[i] - '0');
	}
	if (h->body_len > body_max)
		return refuse(h, -E2BIG, 413, "body too large");
	return 0;
}

int
httphead_scan(const uint8_t *data, size_t len, uint64_t body_max,
	struct httphead *ret)
{
	size_t n = len < HTTPHEAD_MAX ? len : HTTPHEAD_MAX, pos = 0;
	unsigned lines = 0;
	int have_cl = 0, r;

	/* A NUL byte fails the character checks of whichever line holds
	 * it; bytes after the blank line are body and not looked at. */
	memset(ret, 0, sizeof(*ret));
	for (;; lines++) {
		const uint8_t *nl = memchr(data + pos, '\n', n - pos);
		size_t end, l;

		if (!nl) {
			if (len >= HTTPHEAD_MAX)
				return refuse(ret, -E2BIG, 431,
					"request head too large");
			return -ENODATA;
		}
		end = (size_t)(nl - data);
		l = end - pos;
		if (l && data[end - 1] == '\r')
			l--;
		if (lines == 0)
			r = request_line(data + pos, l, ret);
		else if (l == 0) {
			ret->head_len = end + 1;
			break;
		}
		else if (lines > HTTPHEAD_FIELDS_MAX)
			r = refuse(ret, -E2BIG, 431, "too many header fields");
		else if (data[pos] == ' ' || data[pos] == '\t')
			r = refuse(ret, -EBADMSG, 400,
				"folded header field");
		else
			r = field_line(data + pos, l, body_max, &have_cl, ret);
		if (r < 0)
			return r;
		pos = end + 1;
	}
	if (!have_cl)
		ret->body_len = 0;
	return 0;
}
