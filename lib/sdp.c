#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base64.h"
#include "sdp.h"

/* Session-level line order of RFC 8866 §5 (r belongs with t). */
static int
session_rank(char type)
{
	static const char order[] = "vosiuepcbtzka";
	const char *p;

	if (type == 'r')
		type = 't';
	p = strchr(order, type);
	return p && type ? (int)(p - order) : -1;
}

static int
media_rank(char type)
{
	static const char order[] = "micbka";
	const char *p = strchr(order, type);

	return p && type ? (int)(p - order) : -1;
}

/* Splits s into fields at single spaces; returns the count or -EBADMSG
 * for empty fields (double or leading/trailing spaces). */
static int
split(struct sip_str s, struct sip_str *f, size_t max)
{
	size_t n = 0, i = 0;

	while (i <= s.len) {
		size_t st = i;

		while (i < s.len && s.p[i] != ' ')
			i++;
		if (i == st)
			return -EBADMSG;
		if (n >= max)
			return -E2BIG;
		f[n++] = (struct sip_str){ s.p + st, i - st };
		if (i == s.len)
			break;
		i++;
		if (i == s.len)
			return -EBADMSG;
	}
	return (int)n;
}

static bool
is_digits(struct sip_str s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

static bool
is_token_str(struct sip_str s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c))
			return false;
	}
	return true;
}

static int
parse_conn(struct sip_str v, struct sdp_conn *c)
{
	struct sip_str f[3];
	int n = split(v, f, 3);

	if (n != 3)
		return -EBADMSG;
	c->nettype = f[0];
	c->addrtype = f[1];
	c->addr = f[2];
	return 0;
}

static int
parse_attr(struct sip_str v, struct sdp_attr *arr, size_t *n)
{
	const char *colon = memchr(v.p, ':', v.len);
	struct sdp_attr a = { 0 };

	if (*n >= SDP_ATTR_MAX)
		return -E2BIG;
	a.name = (struct sip_str){ v.p, colon ? (size_t)(colon - v.p) : v.len };
	if (!is_token_str(a.name))
		return -EBADMSG;
	if (colon) {
		a.has_value = true;
		a.value = (struct sip_str){ colon + 1,
		    v.len - a.name.len - 1 };
	}
	arr[(*n)++] = a;
	return 0;
}

static int
parse_media(struct sip_str v, struct sdp_media *m)
{
	struct sip_str f[SDP_FMT_MAX + 3];
	const char *slash;
	struct sip_str port;
	uint32_t p, np = 1;
	bool rtp;
	int n = split(v, f, SDP_FMT_MAX + 3);

	if (n == -E2BIG)
		return -E2BIG;
	if (n < 4)
		return -EBADMSG;
	if (!is_token_str(f[0]) || f[2].len == 0)
		return -EBADMSG;
	m->media = f[0];
	slash = memchr(f[1].p, '/', f[1].len);
	port = (struct sip_str){ f[1].p,
	    slash ? (size_t)(slash - f[1].p) : f[1].len };
	if (sip_str_u32(port, 65535, &p) < 0)
		return -EBADMSG;
	if (slash && sip_str_u32((struct sip_str){ slash + 1, f[1].len -
	    port.len - 1 }, 65535, &np) < 0)
		return -EBADMSG;
	m->port = (uint16_t)p;
	m->nports = np ? np : 1;
	m->proto = f[2];
	rtp = f[2].len >= 4 && memcmp(f[2].p, "RTP/", 4) == 0;
	for (int i = 3; i < n; i++) {
		uint32_t pt;

		if (rtp && sip_str_u32(f[i], 127, &pt) < 0)
			return -EBADMSG;
		m->fmt[m->nfmt++] = f[i];
	}
	return 0;
}

struct sdp_session *
sdp_free(struct sdp_session *s)
{
	if (s) {
		free(s->copy_);
		free(s);
	}
	return NULL;
}

static int
parse_lines(struct sdp_session *s, char *p, size_t len)
{
	size_t i = 0;
	int rank = -1;
	bool in_media = false, seen_v = false, seen_o = false, seen_s = false;
	bool seen_t = false, tail = false;
	unsigned once = 0;	/* session-level types that may appear once */
	struct sdp_media *m = NULL;
	int rc;

	while (i < len) {
		const char *nl = memchr(p + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - p) : len, le = e;
		struct sip_str v;
		char type;
		int r;

		if (le > i && p[le - 1] == '\r')
			le--;
		if (le - i > SDP_LINE_MAX)
			return -E2BIG;
		if (le == i) {
			tail = true;	/* empty lines only at the end */
			i = e + 1;
			continue;
		}
		if (tail || le - i < 2 || p[i + 1] != '=')
			return -EBADMSG;
		for (size_t k = i; k < le; k++)
			if (p[k] == '\0' || p[k] == '\r')
				return -EBADMSG;
		type = p[i];
		v = (struct sip_str){ p + i + 2, le - i - 2 };
		i = e + 1;
		if (!seen_v && type != 'v')
			return -EBADMSG;
		if (type == 'm') {
			if (!seen_t)
				return -EBADMSG;
			if (s->nmedia >= SDP_MEDIA_MAX)
				return -E2BIG;
			m = &s->media[s->nmedia++];
			rc = parse_media(v, m);
			if (rc < 0)
				return rc;
			in_media = true;
			rank = 0;
			continue;
		}
		r = in_media ? media_rank(type) : session_rank(type);
		if (r < 0 || r < rank)
			return -EBADMSG;
		if (!in_media && strchr("vosuczk", type)) {
			unsigned bit = 1u << (strchr("vosuczk", type) -
			    "vosuczk");

			if (once & bit)
				return -EBADMSG;
			once |= bit;
		}
		if (!in_media && r > 2 && (!seen_o || !seen_s))
			return -EBADMSG;
		rank = r;
		switch (type) {
		case 'v':
			if (!sip_str_eq(v, "0"))
				return -EBADMSG;
			seen_v = true;
			s->version = 0;
			break;
		case 'o': {
			struct sip_str f[6];

			if (split(v, f, 6) != 6)
				return -EBADMSG;
			s->origin.username = f[0];
			s->origin.sess_id = f[1];
			s->origin.sess_version = f[2];
			s->origin.nettype = f[3];
			s->origin.addrtype = f[4];
			s->origin.addr = f[5];
			if (!is_digits(f[1]) || !is_digits(f[2]))
				return -EBADMSG;
			seen_o = true;
			break;
		}
		case 's':
			/* RFC 8866 wants text here, but RFC 4317's own
			 * examples send "s=" empty: accept it. */
			s->name = v;
			seen_s = true;
			break;
		case 'c':
			if (in_media) {
				if (!m->has_conn) {
					rc = parse_conn(v, &m->conn);
					if (rc < 0)
						return rc;
					m->has_conn = true;
				}
			} else {
				rc = parse_conn(v, &s->conn);
				if (rc < 0)
					return rc;
				s->has_conn = true;
			}
			break;
		case 't': {
			struct sip_str f[2];

			if (split(v, f, 2) != 2 || !is_digits(f[0]) ||
			    !is_digits(f[1]))
				return -EBADMSG;
			if (!seen_t) {
				s->time_start = f[0];
				s->time_stop = f[1];
			}
			seen_t = true;
			break;
		}
		case 'a':
			rc = in_media ? parse_attr(v, m->attr, &m->nattr) :
			    parse_attr(v, s->attr, &s->nattr);
			if (rc < 0)
				return rc;
			break;
		default:
			/* i u e p b r z k: not interpreted */
			break;
		}
	}
	if (!seen_v || !seen_o || !seen_s || !seen_t)
		return -EBADMSG;
	for (size_t k = 0; k < s->nmedia; k++)
		if (!s->has_conn && !s->media[k].has_conn)
			return -EBADMSG;
	return 0;
}

int
sdp_parse(const uint8_t *data, size_t len, struct sdp_session **ret_s)
{
	struct sdp_session *s;
	int rc;

	if (len > SDP_MAX)
		return -E2BIG;
	if (len == 0)
		return -EBADMSG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->copy_ = malloc(len + 1);
	if (!s->copy_) {
		free(s);
		return -ENOMEM;
	}
	memcpy(s->copy_, data, len);
	s->copy_[len] = '\0';
	s->len_ = len;
	rc = parse_lines(s, s->copy_, len);
	if (rc < 0) {
		sdp_free(s);
		return rc;
	}
	*ret_s = s;
	return 0;
}

const struct sdp_attr *
sdp_attr_find(const struct sdp_attr *attr, size_t nattr, const char *name,
    size_t idx)
{
	for (size_t i = 0; i < nattr; i++)
		if (sip_str_eq(attr[i].name, name) && idx-- == 0)
			return &attr[i];
	return NULL;
}

const struct sdp_conn *
sdp_media_conn(const struct sdp_session *s, size_t m)
{
	if (m >= s->nmedia)
		return NULL;
	if (s->media[m].has_conn)
		return &s->media[m].conn;
	return s->has_conn ? &s->conn : NULL;
}

static const char *
direction_of(const struct sdp_attr *a, size_t n)
{
	static const char *const dirs[] = {
		"sendrecv", "sendonly", "recvonly", "inactive",
	};

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < 4; k++)
			if (!a[i].has_value && sip_str_eq(a[i].name, dirs[k]))
				return dirs[k];
	return NULL;
}

const char *
sdp_media_direction(const struct sdp_session *s, size_t m)
{
	const char *d = NULL;

	if (m < s->nmedia)
		d = direction_of(s->media[m].attr, s->media[m].nattr);
	if (!d)
		d = direction_of(s->attr, s->nattr);
	return d ? d : "sendrecv";
}

bool
sdp_has_crypto(const struct sdp_session *s)
{
	if (sdp_attr_find(s->attr, s->nattr, "crypto", 0))
		return true;
	for (size_t i = 0; i < s->nmedia; i++)
		if (sdp_attr_find(s->media[i].attr, s->media[i].nattr,
		    "crypto", 0))
			return true;
	return false;
}

/* The mikey key-mgmt at one level: 1 found, 0 none, -EBADMSG two. */
static int
mikey_at(const struct sdp_attr *a, size_t n, struct sip_str *ret)
{
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		struct sip_str v = a[i].value;
		size_t k = 0;

		if (!sip_str_eq(a[i].name, "key-mgmt"))
			continue;
		while (k < v.len && v.p[k] == ' ')
			k++;
		if (v.len - k < 6 || !sip_str_caseeq((struct sip_str){
		    v.p + k, 5 }, "mikey") || v.p[k + 5] != ' ')
			continue;
		k += 6;
		while (k < v.len && v.p[k] == ' ')
			k++;
		if (found)
			return -EBADMSG;
		found = 1;
		*ret = (struct sip_str){ v.p + k, v.len - k };
		while (ret->len && ret->p[ret->len - 1] == ' ')
			ret->len--;
		if (ret->len == 0)
			return -EBADMSG;
	}
	return found;
}

int
sdp_key_mgmt(const struct sdp_session *s, size_t m, struct sip_str *ret_b64)
{
	struct sip_str v;
	int rc;

	if (m >= s->nmedia)
		return -EINVAL;
	rc = mikey_at(s->media[m].attr, s->media[m].nattr, &v);
	if (rc == 0)
		rc = mikey_at(s->attr, s->nattr, &v);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return -ENOENT;
	*ret_b64 = v;
	return 0;
}

int
sdp_key_mgmt_decode(const struct sdp_session *s, size_t m,
    uint8_t **ret_data, size_t *ret_len)
{
	struct sip_str b;
	uint8_t *out;
	long n;
	int rc;

	rc = sdp_key_mgmt(s, m, &b);
	if (rc < 0)
		return rc;
	if (b.len / 4 * 3 > SDP_KEY_MGMT_MAX + 2)
		return -E2BIG;
	out = malloc(b.len / 4 * 3 + 1);
	if (!out)
		return -ENOMEM;
	n = base64_decode(b.p, b.len, out, b.len / 4 * 3);
	if (n > SDP_KEY_MGMT_MAX)
		n = -E2BIG;
	if (n < 0) {
		free(out);
		return n == -E2BIG ? -E2BIG : -EBADMSG;
	}
	*ret_data = out;
	*ret_len = (size_t)n;
	return 0;
}

/* Finds "PT rest" in the attributes named name of media m. */
static int
find_pt_attr(const struct sdp_session *s, size_t m, const char *name,
    unsigned pt, struct sip_str *ret_rest)
{
	const struct sdp_attr *a;

	if (m >= s->nmedia)
		return -ENOENT;
	for (size_t i = 0; (a = sdp_attr_find(s->media[m].attr,
	    s->media[m].nattr, name, i)) != NULL; i++) {
		struct sip_str v = a->value;
		size_t k = 0;
		uint32_t n;

		while (k < v.len && v.p[k] >= '0' && v.p[k] <= '9')
			k++;
		if (sip_str_u32((struct sip_str){ v.p, k }, 127, &n) < 0 ||
		    n != pt || k >= v.len || v.p[k] != ' ')
			continue;
		while (k < v.len && v.p[k] == ' ')
			k++;
		*ret_rest = (struct sip_str){ v.p + k, v.len - k };
		return 0;
	}
	return -ENOENT;
}

int
sdp_rtpmap(const struct sdp_session *s, size_t m, unsigned pt,
    struct sdp_rtpmap *ret_map)
{
	struct sip_str v, parts[3];
	struct sdp_rtpmap map;
	size_t np = 0, i = 0;
	uint32_t rate, ch = 1;
	int rc;

	rc = find_pt_attr(s, m, "rtpmap", pt, &v);
	if (rc < 0)
		return rc;
	while (i <= v.len && np < 3) {
		size_t st = i;

		while (i < v.len && v.p[i] != '/')
			i++;
		parts[np++] = (struct sip_str){ v.p + st, i - st };
		if (i == v.len)
			break;
		i++;
	}
	if (np < 2 || i < v.len || !is_token_str(parts[0]) ||
	    sip_str_u32(parts[1], UINT32_MAX, &rate) < 0 ||
	    (np == 3 && sip_str_u32(parts[2], 255, &ch) < 0))
		return -EBADMSG;
	map.pt = pt;
	map.encoding = parts[0];
	map.rate = rate;
	map.channels = ch;
	*ret_map = map;
	return 0;
}

int
sdp_fmtp(const struct sdp_session *s, size_t m, unsigned pt,
    struct sip_str *ret_params)
{
	return find_pt_attr(s, m, "fmtp", pt, ret_params);
}

unsigned
sdp_ptime(const struct sdp_session *s, size_t m)
{
	const struct sdp_attr *a;
	uint32_t v;

	if (m >= s->nmedia)
		return 0;
	a = sdp_attr_find(s->media[m].attr, s->media[m].nattr, "ptime", 0);
	if (!a)
		a = sdp_attr_find(s->attr, s->nattr, "ptime", 0);
	if (!a || sip_str_u32(a->value, 10000, &v) < 0)
		return 0;
	return v;
}

static bool
word_ok(const char *z)
{
	if (!z || !*z)
		return false;
	for (; *z; z++)
		if ((unsigned char)*z <= 0x20 || (unsigned char)*z >= 0x7f)
			return false;
	return true;
}

static bool
text_ok(const char *z)
{
	return z && *z && !strpbrk(z, "\r\n");
}

/* Extra attribute lines of sdp_build: text without line breaks, a name
 * first, and few enough that the parser takes the result back. */
static bool
attrs_ok(const char *const *a, size_t n)
{
	if (n > SDP_ATTR_MAX - 8 || (n && !a))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!text_ok(a[i]) || a[i][0] == ':' || a[i][0] == ' ')
			return false;
	return true;
}

static void
putf(struct buf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
putf(struct buf *out, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		if (!out->err)
			out->err = -E2BIG;
		return;
	}
	buf_put_bytes(out, tmp, (size_t)n);
}

int
sdp_build(const struct sdp_build *p, struct buf *out)
{
	unsigned char bin[16];
	const char *ip, *user = p->user ? p->user : "-";
	const char *proto = p->proto ? p->proto : "RTP/SAVP";

	if (!p->addr || p->ncodecs == 0 || p->ncodecs > SDP_FMT_MAX ||
	    !p->codecs || !word_ok(user) || !word_ok(proto))
		return -EINVAL;
	if (inet_pton(AF_INET, p->addr, bin) == 1)
		ip = "IP4";
	else if (inet_pton(AF_INET6, p->addr, bin) == 1)
		ip = "IP6";
	else
		return -EINVAL;
	if (p->direction && strcmp(p->direction, "sendrecv") &&
	    strcmp(p->direction, "sendonly") &&
	    strcmp(p->direction, "recvonly") &&
	    strcmp(p->direction, "inactive"))
		return -EINVAL;
	for (size_t i = 0; i < p->ncodecs; i++) {
		const struct sdp_codec *c = &p->codecs[i];

		if (c->pt > 127 || !word_ok(c->name) || strchr(c->name, '/') ||
		    c->rate == 0 || (c->fmtp && !text_ok(c->fmtp)))
			return -EINVAL;
	}
	if (p->key_mgmt_len > SDP_KEY_MGMT_MAX)
		return -E2BIG;
	if (p->key_mgmt_len && !p->key_mgmt)
		return -EINVAL;
	if (!attrs_ok(p->session_attrs, p->nsession_attrs) ||
	    !attrs_ok(p->media_attrs, p->nmedia_attrs))
		return -EINVAL;

	putf(out, "v=0\r\no=%s %" PRIu64 " %" PRIu64 " IN %s %s\r\n", user,
	    p->sess_id, p->sess_version, ip, p->addr);
	putf(out, "s=-\r\nc=IN %s %s\r\nt=0 0\r\n", ip, p->addr);
	if (p->key_mgmt_len) {
		size_t enc = 4 * ((p->key_mgmt_len + 2) / 3);
		long off;

		buf_put_bytes(out, "a=key-mgmt:mikey ", 17);
		off = buf_reserve(out, enc + 1);
		if (off >= 0) {
			base64_encode(p->key_mgmt, p->key_mgmt_len,
			    (char *)out->data + off);
			out->len--;	/* drop the NUL base64_encode wrote */
		}
		buf_put_bytes(out, "\r\n", 2);
	}
	for (size_t i = 0; i < p->nsession_attrs; i++)
		putf(out, "a=%s\r\n", p->session_attrs[i]);
	putf(out, "m=audio %u %s", (unsigned)p->port, proto);
	for (size_t i = 0; i < p->ncodecs; i++)
		putf(out, " %u", (unsigned)p->codecs[i].pt);
	buf_put_bytes(out, "\r\n", 2);
	for (size_t i = 0; i < p->ncodecs; i++) {
		const struct sdp_codec *c = &p->codecs[i];

		if (c->channels > 1)
			putf(out, "a=rtpmap:%u %s/%u/%u\r\n", (unsigned)c->pt,
			    c->name, c->rate, c->channels);
		else
			putf(out, "a=rtpmap:%u %s/%u\r\n", (unsigned)c->pt,
			    c->name, c->rate);
		if (c->fmtp)
			putf(out, "a=fmtp:%u %s\r\n", (unsigned)c->pt,
			    c->fmtp);
	}
	if (p->ptime)
		putf(out, "a=ptime:%u\r\n", p->ptime);
	if (p->direction)
		putf(out, "a=%s\r\n", p->direction);
	for (size_t i = 0; i < p->nmedia_attrs; i++)
		putf(out, "a=%s\r\n", p->media_attrs[i]);
	return out->err;
}
