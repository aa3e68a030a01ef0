#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "digest.h"
#include "hex.h"

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_token(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c && strchr("-.!%*_+`'~", c));
}

/* One auth-param at a time from "name=value, name="value", ...". */
struct params {
	const char *p;
	size_t len, i;
};

/* Returns 1 with a param, 0 at the end, -EBADMSG. value keeps quotes. */
static int
next_param(struct params *ps, struct sip_str *ret_name,
    struct sip_str *ret_value)
{
	size_t s;

	while (ps->i < ps->len && (is_ws(ps->p[ps->i]) || ps->p[ps->i] == ','))
		ps->i++;
	if (ps->i >= ps->len)
		return 0;
	s = ps->i;
	while (ps->i < ps->len && is_token(ps->p[ps->i]))
		ps->i++;
	if (ps->i == s)
		return -EBADMSG;
	*ret_name = (struct sip_str){ ps->p + s, ps->i - s };
	while (ps->i < ps->len && is_ws(ps->p[ps->i]))
		ps->i++;
	if (ps->i >= ps->len || ps->p[ps->i] != '=')
		return -EBADMSG;
	ps->i++;
	while (ps->i < ps->len && is_ws(ps->p[ps->i]))
		ps->i++;
	s = ps->i;
	if (ps->i < ps->len && ps->p[ps->i] == '"') {
		for (ps->i++; ps->i < ps->len && ps->p[ps->i] != '"'; ps->i++)
			if (ps->p[ps->i] == '\\')
				ps->i++;
		if (ps->i >= ps->len)
			return -EBADMSG;
		ps->i++;
	} else {
		while (ps->i < ps->len && is_token(ps->p[ps->i]))
			ps->i++;
		if (ps->i == s)
			return -EBADMSG;
	}
	*ret_value = (struct sip_str){ ps->p + s, ps->i - s };
	while (ps->i < ps->len && is_ws(ps->p[ps->i]))
		ps->i++;
	if (ps->i < ps->len && ps->p[ps->i] != ',')
		return -EBADMSG;
	return 1;
}

/* Checks "Digest" LWS and positions ps after it. */
static int
start_digest(struct sip_str value, struct params *ps)
{
	size_t i = 0;

	if (value.len > DIGEST_HEADER_MAX)
		return -E2BIG;
	while (i < value.len && is_ws(value.p[i]))
		i++;
	if (value.len - i < 7 ||
	    !sip_str_caseeq((struct sip_str){ value.p + i, 6 }, "Digest") ||
	    !is_ws(value.p[i + 6]))
		return -EBADMSG;
	ps->p = value.p;
	ps->len = value.len;
	ps->i = i + 7;
	return 0;
}

static int
copy_field(struct sip_str v, char *out, unsigned *seen, unsigned bit)
{
	long n;

	if (*seen & bit)
		return -EBADMSG;	/* repeated parameter */
	*seen |= bit;
	n = sip_str_unquote(v, out, DIGEST_FIELD_MAX + 1);
	if (n == -E2BIG)
		return -E2BIG;
	return n < 0 ? -EBADMSG : 0;
}

static int
parse_alg(struct sip_str v, enum digest_alg *ret)
{
	char tmp[32];

	if (sip_str_unquote(v, tmp, sizeof(tmp)) < 0)
		return -EPROTONOSUPPORT;
	if (strcasecmp(tmp, "MD5") == 0)
		*ret = DIGEST_MD5;
	else if (strcasecmp(tmp, "MD5-sess") == 0)
		*ret = DIGEST_MD5_SESS;
	else if (strcasecmp(tmp, "SHA-256") == 0)
		*ret = DIGEST_SHA256;
	else if (strcasecmp(tmp, "SHA-256-sess") == 0)
		*ret = DIGEST_SHA256_SESS;
	else
		return -EPROTONOSUPPORT;
	return 0;
}

static const char *
alg_name(enum digest_alg a)
{
	switch (a) {
	case DIGEST_MD5_SESS:
		return "MD5-sess";
	case DIGEST_SHA256:
		return "SHA-256";
	case DIGEST_SHA256_SESS:
		return "SHA-256-sess";
	default:
		return "MD5";
	}
}

enum {
	F_REALM = 1 << 0, F_NONCE = 1 << 1, F_OPAQUE = 1 << 2,
	F_ALG = 1 << 3, F_QOP = 1 << 4, F_STALE = 1 << 5,
	F_USER = 1 << 6, F_URI = 1 << 7, F_RESP = 1 << 8,
	F_CNONCE = 1 << 9, F_NC = 1 << 10,
};

int
digest_challenge_parse(struct sip_str value, struct digest_challenge *ret_c)
{
	struct digest_challenge c;
	struct params ps;
	struct sip_str n, v;
	unsigned seen = 0;
	bool bad_alg = false;
	int rc;

	rc = start_digest(value, &ps);
	if (rc < 0)
		return rc;
	memset(&c, 0, sizeof(c));
	while ((rc = next_param(&ps, &n, &v)) > 0) {
		if (sip_str_caseeq(n, "realm")) {
			rc = copy_field(v, c.realm, &seen, F_REALM);
		} else if (sip_str_caseeq(n, "nonce")) {
			rc = copy_field(v, c.nonce, &seen, F_NONCE);
		} else if (sip_str_caseeq(n, "opaque")) {
			rc = copy_field(v, c.opaque, &seen, F_OPAQUE);
			c.has_opaque = true;
		} else if (sip_str_caseeq(n, "algorithm")) {
			if (seen & F_ALG)
				return -EBADMSG;
			seen |= F_ALG;
			if (parse_alg(v, &c.alg) < 0)
				bad_alg = true;
		} else if (sip_str_caseeq(n, "qop")) {
			char tmp[DIGEST_FIELD_MAX + 1];
			struct sip_str rest, item;

			rc = copy_field(v, tmp, &seen, F_QOP);
			if (rc < 0)
				return rc;
			rest = (struct sip_str){ tmp, strlen(tmp) };
			while ((rc = sip_str_list_next(&rest, &item)) > 0) {
				if (sip_str_caseeq(item, "auth"))
					c.qop |= DIGEST_QOP_AUTH;
				else if (sip_str_caseeq(item, "auth-int"))
					c.qop |= DIGEST_QOP_AUTH_INT;
			}
		} else if (sip_str_caseeq(n, "stale")) {
			char tmp[16];

			if (seen & F_STALE)
				return -EBADMSG;
			seen |= F_STALE;
			c.stale = sip_str_unquote(v, tmp, sizeof(tmp)) > 0 &&
			    strcasecmp(tmp, "true") == 0;
		}
		if (rc < 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (!(seen & F_REALM) || !(seen & F_NONCE))
		return -EBADMSG;
	if (bad_alg)
		return -EPROTONOSUPPORT;
	*ret_c = c;
	return 0;
}

/* Hex of H(parts joined by ':'). */
static int
hash_hex(enum digest_alg alg, const char *const *parts, size_t nparts,
    char out[DIGEST_HEX_MAX])
{
	const EVP_MD *md = (alg == DIGEST_SHA256 || alg == DIGEST_SHA256_SESS)
	    ? EVP_sha256() : EVP_md5();
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	int ok;

	if (!ctx)
		return -EIO;
	ok = EVP_DigestInit_ex(ctx, md, NULL);
	for (size_t i = 0; ok && i < nparts; i++) {
		if (i)
			ok = EVP_DigestUpdate(ctx, ":", 1);
		if (ok)
			ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]));
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, h, &hlen);
	EVP_MD_CTX_free(ctx);
	if (!ok || hlen * 2 + 1 > DIGEST_HEX_MAX)
		return -EIO;
	hex_encode(h, hlen, out);
	OPENSSL_cleanse(h, sizeof(h));
	return 0;
}

static int
compute(enum digest_alg alg, unsigned qop, const char *realm,
    const char *nonce, const struct digest_request *r,
    char out[DIGEST_HEX_MAX])
{
	char ha1[DIGEST_HEX_MAX], ha2[DIGEST_HEX_MAX], nc[9];
	int rc;

	if (!r->username || !r->password || !r->method || !r->uri)
		return -EINVAL;
	if (qop && (!r->cnonce || !*r->cnonce))
		return -EINVAL;
	/* -sess hashes the cnonce into HA1, and a cnonce is only sent with
	 * qop (RFC 7616 §3.4.2) */
	if (!qop && (alg == DIGEST_MD5_SESS || alg == DIGEST_SHA256_SESS))
		return -EINVAL;
	{
		const char *p[] = { r->username, realm, r->password };

		rc = hash_hex(alg, p, 3, ha1);
	}
	if (rc == 0 && (alg == DIGEST_MD5_SESS || alg == DIGEST_SHA256_SESS)) {
		char tmp[DIGEST_HEX_MAX];
		const char *p[] = { ha1, nonce, r->cnonce ? r->cnonce : "" };

		memcpy(tmp, ha1, sizeof(tmp));
		p[0] = tmp;
		rc = hash_hex(alg, p, 3, ha1);
		OPENSSL_cleanse(tmp, sizeof(tmp));
	}
	if (rc == 0) {
		const char *p[] = { r->method, r->uri };

		rc = hash_hex(alg, p, 2, ha2);
	}
	if (rc == 0) {
		snprintf(nc, sizeof(nc), "%08x", r->nc);
		if (qop) {
			const char *p[] = { ha1, nonce, nc, r->cnonce, "auth",
			    ha2 };

			rc = hash_hex(alg, p, 6, out);
		} else {
			const char *p[] = { ha1, nonce, ha2 };

			rc = hash_hex(alg, p, 3, out);
		}
	}
	OPENSSL_cleanse(ha1, sizeof(ha1));
	return rc;
}

int
digest_response(const struct digest_challenge *c,
    const struct digest_request *r, char out[DIGEST_HEX_MAX])
{
	unsigned qop = 0;

	if (c->qop & DIGEST_QOP_AUTH)
		qop = DIGEST_QOP_AUTH;
	else if (c->qop)
		return -EINVAL;	/* auth-int only */
	return compute(c->alg, qop, c->realm, c->nonce, r, out);
}

static bool
plain(const char *z)
{
	return z && !strpbrk(z, "\"\\\r\n");
}

static void
put_quoted(struct buf *b, const char *z)
{
	buf_put_u8(b, '"');
	for (; *z; z++) {
		if (*z == '"' || *z == '\\')
			buf_put_u8(b, '\\');
		buf_put_u8(b, (uint8_t)*z);
	}
	buf_put_u8(b, '"');
}

static void
put_str(struct buf *b, const char *z)
{
	buf_put_bytes(b, z, strlen(z));
}

int
digest_authorization(const struct digest_challenge *c,
    const struct digest_request *r, struct buf *out)
{
	char resp[DIGEST_HEX_MAX], nc[9];
	int rc;

	if (!plain(r->username) || !plain(r->uri) ||
	    (r->cnonce && !plain(r->cnonce)))
		return -EINVAL;
	rc = digest_response(c, r, resp);
	if (rc < 0)
		return rc;
	put_str(out, "Digest username=");
	put_quoted(out, r->username);
	put_str(out, ", realm=");
	put_quoted(out, c->realm);
	put_str(out, ", nonce=");
	put_quoted(out, c->nonce);
	put_str(out, ", uri=");
	put_quoted(out, r->uri);
	put_str(out, ", response=\"");
	put_str(out, resp);
	put_str(out, "\", algorithm=");
	put_str(out, alg_name(c->alg));
	if (c->qop & DIGEST_QOP_AUTH) {
		snprintf(nc, sizeof(nc), "%08x", r->nc);
		put_str(out, ", cnonce=");
		put_quoted(out, r->cnonce);
		put_str(out, ", qop=auth, nc=");
		put_str(out, nc);
	}
	if (c->has_opaque) {
		put_str(out, ", opaque=");
		put_quoted(out, c->opaque);
	}
	return out->err;
}

int
digest_credentials_parse(struct sip_str value,
    struct digest_credentials *ret_cr)
{
	struct digest_credentials cr;
	struct params ps;
	struct sip_str n, v;
	unsigned seen = 0;
	bool unsupported = false;
	int rc;

	rc = start_digest(value, &ps);
	if (rc < 0)
		return rc;
	memset(&cr, 0, sizeof(cr));
	while ((rc = next_param(&ps, &n, &v)) > 0) {
		char tmp[DIGEST_FIELD_MAX + 1];

		if (sip_str_caseeq(n, "username")) {
			rc = copy_field(v, cr.username, &seen, F_USER);
		} else if (sip_str_caseeq(n, "realm")) {
			rc = copy_field(v, cr.realm, &seen, F_REALM);
		} else if (sip_str_caseeq(n, "nonce")) {
			rc = copy_field(v, cr.nonce, &seen, F_NONCE);
		} else if (sip_str_caseeq(n, "uri")) {
			rc = copy_field(v, cr.uri, &seen, F_URI);
		} else if (sip_str_caseeq(n, "cnonce")) {
			rc = copy_field(v, cr.cnonce, &seen, F_CNONCE);
		} else if (sip_str_caseeq(n, "opaque")) {
			rc = copy_field(v, cr.opaque, &seen, F_OPAQUE);
			cr.has_opaque = true;
		} else if (sip_str_caseeq(n, "response")) {
			size_t len;

			rc = copy_field(v, tmp, &seen, F_RESP);
			if (rc < 0)
				return rc;
			len = strlen(tmp);
			if (len != 32 && len != 64)
				return -EBADMSG;
			for (size_t i = 0; i < len; i++) {
				char ch = tmp[i];

				if (ch >= 'A' && ch <= 'F')
					ch = (char)(ch - 'A' + 'a');
				if (!((ch >= '0' && ch <= '9') ||
				    (ch >= 'a' && ch <= 'f')))
					return -EBADMSG;
				cr.response[i] = ch;
			}
			cr.response[len] = '\0';
		} else if (sip_str_caseeq(n, "algorithm")) {
			if (seen & F_ALG)
				return -EBADMSG;
			seen |= F_ALG;
			if (parse_alg(v, &cr.alg) < 0)
				unsupported = true;
		} else if (sip_str_caseeq(n, "qop")) {
			rc = copy_field(v, tmp, &seen, F_QOP);
			if (rc == 0) {
				if (strcasecmp(tmp, "auth") == 0)
					cr.qop = DIGEST_QOP_AUTH;
				else
					unsupported = true;
			}
		} else if (sip_str_caseeq(n, "nc")) {
			uint32_t x = 0;

			rc = copy_field(v, tmp, &seen, F_NC);
			if (rc < 0)
				return rc;
			if (strlen(tmp) != 8)
				return -EBADMSG;
			for (size_t i = 0; i < 8; i++) {
				char ch = tmp[i];
				int d;

				if (ch >= '0' && ch <= '9')
					d = ch - '0';
				else if (ch >= 'a' && ch <= 'f')
					d = ch - 'a' + 10;
				else if (ch >= 'A' && ch <= 'F')
					d = ch - 'A' + 10;
				else
					return -EBADMSG;
				x = (x << 4) | (uint32_t)d;
			}
			cr.nc = x;
		}
		if (rc < 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	if ((seen & (F_USER | F_REALM | F_NONCE | F_URI | F_RESP)) !=
	    (F_USER | F_REALM | F_NONCE | F_URI | F_RESP))
		return -EBADMSG;
	if (unsupported)
		return -EPROTONOSUPPORT;
	if (cr.qop && (!(seen & F_CNONCE) || !(seen & F_NC)))
		return -EBADMSG;
	*ret_cr = cr;
	return 0;
}

int
digest_verify(const struct digest_credentials *cr, const char *password,
    const char *method)
{
	struct digest_request r = {
		.username = cr->username,
		.password = password,
		.method = method,
		.uri = cr->uri,
		.cnonce = cr->cnonce,
		.nc = cr->nc,
	};
	char want[DIGEST_HEX_MAX];
	size_t len = strlen(cr->response);
	int rc;

	rc = compute(cr->alg, cr->qop, cr->realm, cr->nonce, &r, want);
	if (rc < 0)
		return rc == -EINVAL ? -EACCES : rc;
	rc = (strlen(want) == len &&
	    CRYPTO_memcmp(want, cr->response, len) == 0) ? 0 : -EACCES;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}
