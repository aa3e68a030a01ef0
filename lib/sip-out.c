#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sip-out.h"

/* A value may not break the framing: no CR, LF or NUL. */
static bool
safe_text(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
			return false;
	return true;
}

static bool
safe_token(const char *z)
{
	size_t n = strlen(z);

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)z[i];

		if (c <= 0x20 || c >= 0x7f || c == ':')
			return false;
	}
	return true;
}

static int
put(struct buf *b, const char *p, size_t n)
{
	buf_put_bytes(b, p, n);
	return b->err;
}

static int
putz(struct buf *b, const char *z)
{
	return put(b, z, strlen(z));
}

int
sip_out_request(struct buf *b, const char *method, const char *ruri)
{
	size_t n = strlen(ruri);

	if (!safe_token(method) || n == 0 || n > SIP_URI_MAX ||
	    strchr(ruri, ' ') || !safe_text(ruri, n))
		return -EINVAL;
	putz(b, method);
	put(b, " ", 1);
	put(b, ruri, n);
	return putz(b, " SIP/2.0\r\n");
}

int
sip_out_response(struct buf *b, unsigned code, const char *reason)
{
	char line[32];

	if (code < 100 || code > 699)
		return -EINVAL;
	if (!reason)
		reason = sip_out_reason(code);
	if (!safe_text(reason, strlen(reason)))
		return -EINVAL;
	snprintf(line, sizeof(line), "SIP/2.0 %u ", code);
	putz(b, line);
	putz(b, reason);
	return put(b, "\r\n", 2);
}

int
sip_out_header_str(struct buf *b, const char *name, struct sip_str value)
{
	if (!safe_token(name) || !safe_text(value.p, value.len))
		return -EINVAL;
	putz(b, name);
	put(b, ": ", 2);
	put(b, value.p, value.len);
	return put(b, "\r\n", 2);
}

int
sip_out_header(struct buf *b, const char *name, const char *value)
{
	return sip_out_header_str(b, name,
	    (struct sip_str){ value, strlen(value) });
}

int
sip_out_headerf(struct buf *b, const char *name, const char *fmt, ...)
{
	char tmp[SIP_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(tmp))
		return -E2BIG;
	return sip_out_header_str(b, name, (struct sip_str){ tmp, (size_t)n });
}

int
sip_out_response_to(struct buf *b, const struct sip_msg *req,
    unsigned code, const char *reason, const char *to_tag)
{
	const struct sip_header *h;
	int rc, err = 0;

#define KEEP(x) do { int r_ = (x); if (r_ < 0 && err == 0) err = r_; } \
	while (0)
	if (!req->request)
		return -EINVAL;
	rc = sip_out_response(b, code, reason);
	if (rc < 0)
		return rc;
	/* Each Via value as its own header line keeps the order and spares
	 * us from re-splitting what the request folded. */
	for (size_t i = 0; i < req->nvia; i++)
		KEEP(sip_out_header_str(b, "Via", req->via[i].raw));
	if ((h = sip_msg_header(req, SIP_HDR_FROM, 0)) != NULL)
		KEEP(sip_out_header_str(b, "From", h->value));
	if ((h = sip_msg_header(req, SIP_HDR_TO, 0)) != NULL) {
		if (req->to.tag.len == 0 && to_tag && code > 100) {
			size_t n = strlen(to_tag);

			if (!safe_token(to_tag) || strchr(to_tag, ';') ||
			    !safe_text(h->value.p, h->value.len))
				return -EINVAL;
			putz(b, "To: ");
			put(b, h->value.p, h->value.len);
			put(b, ";tag=", 5);
			put(b, to_tag, n);
			put(b, "\r\n", 2);
		} else {
			KEEP(sip_out_header_str(b, "To", h->value));
		}
	}
	if ((h = sip_msg_header(req, SIP_HDR_CALL_ID, 0)) != NULL)
		KEEP(sip_out_header_str(b, "Call-ID", h->value));
	if (req->has_cseq)
		KEEP(sip_out_headerf(b, "CSeq", "%u %.*s", req->cseq,
		    (int)req->cseq_method.len, req->cseq_method.p));
	if (code > 100 && code < 300)
		for (size_t i = 0; i < req->nrecord_route; i++)
			KEEP(sip_out_header_str(b, "Record-Route",
			    req->record_route[i].raw));
#undef KEEP
	return err ? err : b->err;
}

int
sip_out_end(struct buf *b, const char *ctype, const uint8_t *body,
    size_t len)
{
	char line[48];

	if (len > 0) {
		if (!ctype || !body)
			return -EINVAL;
		sip_out_header(b, "Content-Type", ctype);
	}
	snprintf(line, sizeof(line), "Content-Length: %zu\r\n\r\n", len);
	putz(b, line);
	if (len)
		put(b, (const char *)body, len);
	return b->err;
}

const char *
sip_out_reason(unsigned code)
{
	static const struct {
		unsigned code;
		const char *text;
	} reasons[] = {
		{ 100, "Trying" }, { 180, "Ringing" },
		{ 181, "Call Is Being Forwarded" }, { 182, "Queued" },
		{ 183, "Session Progress" }, { 200, "OK" },
		{ 202, "Accepted" },
		{ 300, "Multiple Choices" }, { 301, "Moved Permanently" },
		{ 302, "Moved Temporarily" }, { 305, "Use Proxy" },
		{ 380, "Alternative Service" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 402, "Payment Required" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
		{ 407, "Proxy Authentication Required" },
		{ 408, "Request Timeout" }, { 410, "Gone" },
		{ 413, "Request Entity Too Large" },
		{ 414, "Request-URI Too Long" },
		{ 415, "Unsupported Media Type" },
		{ 416, "Unsupported URI Scheme" }, { 420, "Bad Extension" },
		{ 421, "Extension Required" }, { 423, "Interval Too Brief" },
		{ 480, "Temporarily Unavailable" },
		{ 481, "Call/Transaction Does Not Exist" },
		{ 482, "Loop Detected" }, { 483, "Too Many Hops" },
		{ 484, "Address Incomplete" }, { 485, "Ambiguous" },
		{ 486, "Busy Here" }, { 487, "Request Terminated" },
		{ 488, "Not Acceptable Here" }, { 491, "Request Pending" },
		{ 493, "Undecipherable" }, { 500, "Server Internal Error" },
		{ 501, "Not Implemented" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Server Time-out" },
		{ 505, "Version Not Supported" },
		{ 513, "Message Too Large" }, { 600, "Busy Everywhere" },
		{ 603, "Decline" }, { 604, "Does Not Exist Anywhere" },
		{ 606, "Not Acceptable" },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(*reasons); i++)
		if (reasons[i].code == code)
			return reasons[i].text;
	return "Unknown";
}
