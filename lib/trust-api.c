/* See trust-api.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "hex.h"
#include "trust-api.h"

static const char *const kind_paths[] = {
	[TRUST_API_ENROLL] = "/api/v1/enroll",
	[TRUST_API_VALIDATE] = "/api/v1/validate",
	[TRUST_API_REDEEM] = "/api/v1/redeem",
	[TRUST_API_STATUS] = "/api/v1/status",
};

static const char *const kind_names[] = {
	[TRUST_API_ENROLL] = "enroll",
	[TRUST_API_VALIDATE] = "validate",
	[TRUST_API_REDEEM] = "redeem",
	[TRUST_API_STATUS] = "status",
};

static const char *const cert_names[] = {
	[TRUST_API_CERT_UNSET] = "",
	[TRUST_API_CERT_MATCH] = "match",
	[TRUST_API_CERT_MISMATCH] = "mismatch",
	[TRUST_API_CERT_UNKNOWN_USER] = "unknown-user",
	[TRUST_API_CERT_NOT_ENROLLED] = "not-enrolled",
};

static const char *const rel_names[] = {
	[TRUST_API_REL_UNSET] = "",
	[TRUST_API_REL_TRUSTED] = "trusted",
	[TRUST_API_REL_PENDING] = "pending",
	[TRUST_API_REL_NONE] = "none",
};

static const char *const role_names[] = {
	[TRUST_API_ROLE_UNSET] = "",
	[TRUST_API_ROLE_ISSUER] = "issuer",
	[TRUST_API_ROLE_REDEEMER] = "redeemer",
};

static const char *const redeem_names[] = {
	[TRUST_API_REDEEM_UNSET] = "",
	[TRUST_API_REDEEM_TRUSTED] = "trusted",
	[TRUST_API_REDEEM_WRONG_CODE] = "wrong-code",
	[TRUST_API_REDEEM_EXPIRED] = "expired",
	[TRUST_API_REDEEM_LOCKED] = "locked",
	[TRUST_API_REDEEM_NO_PENDING] = "no-pending",
};

#define NAME(table, v) \
	((unsigned)(v) < sizeof(table) / sizeof(table[0]) ? table[v] : NULL)

const char *
trust_api_kind_to_string(enum trust_api_kind k)
{
	return NAME(kind_names, k);
}

const char *
trust_api_certificate_to_string(enum trust_api_certificate v)
{
	return NAME(cert_names, v);
}

const char *
trust_api_relationship_to_string(enum trust_api_relationship v)
{
	return NAME(rel_names, v);
}

const char *
trust_api_role_to_string(enum trust_api_role v)
{
	return NAME(role_names, v);
}

const char *
trust_api_redeem_to_string(enum trust_api_redeem v)
{
	return NAME(redeem_names, v);
}

const char *
trust_api_path(enum trust_api_kind kind)
{
	return NAME(kind_paths, kind);
}

/* --- requests ---------------------------------------------------------- */

int
trust_api_form_add(struct buf *out, const char *name, const char *value)
{
	size_t n;
	int r = 0;

	if (!out || !name || !value)
		return -EINVAL;
	n = strnlen(value, TRUST_API_FIELD_MAX + 1);
	if (n > TRUST_API_FIELD_MAX)
		return -E2BIG;
	if (out->len > 0)
		r = buf_put_u8(out, '&');
	for (const char *p = name; *p && r == 0; p++)
		r = buf_put_u8(out, (uint8_t)*p);
	if (r == 0)
		r = buf_put_u8(out, '=');
	for (size_t i = 0; i < n && r == 0; i++) {
		uint8_t ch = (uint8_t)value[i];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			r = buf_put_u8(out, ch);
		} else {
			char esc[4] = "%";

			hex_encode_upper(&ch, 1, '\0', esc + 1);
			r = buf_put_bytes(out, esc, 3);
		}
	}
	return r < 0 ? r : out->err;
}

int
trust_api_request_encode(const struct trust_api_request *rq, struct buf *out)
{
	const char *f[12] = { "login", rq->login, "password", rq->password };
	size_t n = 4;
	char wait[16];
	int r = 0;

	if (!trust_api_path(rq->kind) || rq->wait > TRUST_API_WAIT_MAX ||
	    !NAME(rel_names, rq->known))
		return -EINVAL;
	if (rq->kind != TRUST_API_ENROLL) {
		f[n++] = "peer";
		f[n++] = rq->peer;
	}
	if (rq->kind == TRUST_API_ENROLL || rq->kind == TRUST_API_VALIDATE) {
		f[n++] = "cert";
		f[n++] = rq->cert_pem;
	}
	if (rq->kind == TRUST_API_REDEEM) {
		f[n++] = "vuc";
		f[n++] = rq->vuc;
	}
	for (size_t i = 0; i < n; i += 2)
		if (!f[i + 1] || !*f[i + 1])
			return -EINVAL;
	if (rq->kind == TRUST_API_STATUS && rq->known != TRUST_API_REL_UNSET) {
		f[n++] = "known";
		f[n++] = rel_names[rq->known];
	}
	if (rq->kind == TRUST_API_STATUS && rq->wait > 0) {
		snprintf(wait, sizeof(wait), "%u", rq->wait);
		f[n++] = "wait";
		f[n++] = wait;
	}
	for (size_t i = 0; i < n && r == 0; i += 2)
		r = trust_api_form_add(out, f[i], f[i + 1]);
	return r;
}

/* --- answers ----------------------------------------------------------- */

/* A string member of o no longer than max, or NULL if absent or JSON null.
 * -EBADMSG if present with another type or too long. */
static int
get_string(struct json_object *o, const char *key, size_t max,
	   const char **ret)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v) {
		*ret = NULL;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) > max)
		return -EBADMSG;
	*ret = json_object_get_string(v);
	return 0;
}

static int
get_int(struct json_object *o, const char *key, int64_t min, int64_t max,
	bool *ret_present, int64_t *ret)
{
	struct json_object *v;
	int64_t n;

	*ret_present = false;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -EBADMSG;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno != 0 || n < min || n > max)
		return -EBADMSG;
	*ret_present = true;
	*ret = n;
	return 0;
}

/* Maps a string member onto an index of names (index 0 is "unset").
 * Absent leaves *ret at 0; an unknown value is -EBADMSG: we do not act on
 * verdicts we do not understand. */
static int
get_enum(struct json_object *o, const char *key, const char *const *names,
	 size_t count, int *ret)
{
	const char *s;
	int r;

	*ret = 0;
	r = get_string(o, key, 32, &s);
	if (r < 0 || !s)
		return r;
	for (size_t i = 1; i < count; i++) {
		if (strcmp(s, names[i]) == 0) {
			*ret = (int)i;
			return 0;
		}
	}
	return -EBADMSG;
}

#define GET_ENUM(o, key, table, dst) ({ \
	int v_ = 0, r_ = get_enum((o), (key), (table), \
			sizeof(table) / sizeof(table[0]), &v_); \
	(dst) = v_; \
	r_; })

/* An optional "fingerprint" in either form of fingerprint.h, kept in the
 * text form. */
static int
get_fingerprint(struct json_object *o, char out[FINGERPRINT_TEXT_SIZE])
{
	const char *s;
	int r;

	out[0] = '\0';
	r = get_string(o, "fingerprint", FINGERPRINT_TEXT_SIZE, &s);
	if (r < 0 || !s)
		return r;
	return fingerprint_to_text(s, out) < 0 ? -EBADMSG : 0;
}

static bool
vuc_ok(const char *s)
{
	if (strlen(s) != 9 || s[4] != '-')
		return false;
	for (int i = 0; i < 9; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

/* Printable ASCII only, for messages that end up in logs and on D-Bus. */
static void
copy_message(char *dst, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i < TRUST_API_ERROR_MAX; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

static int
parse_object(const char *body, size_t len, struct json_object **ret)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	if (len > TRUST_API_BODY_MAX)
		return -E2BIG;
	if (len == 0 || memchr(body, '\0', len))
		return -EBADMSG;
	tok = json_tokener_new_ex(TRUST_API_JSON_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, body, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o && json_tokener_get_error(tok) == json_tokener_success) {
		while (end < len && (body[end] == ' ' || body[end] == '\n' ||
				     body[end] == '\r' || body[end] == '\t'))
			end++;
	}
	json_tokener_free(tok);
	if (!o || end != len || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EBADMSG;
	}
	*ret = o;
	return 0;
}

static int
parse_answer(enum trust_api_kind kind, const char *body, size_t len,
	     struct trust_api_reply *ret)
{
	struct trust_api_reply rep;
	struct json_object *o;
	const char *s;
	int64_t n;
	bool have;
	int r;

	r = parse_object(body, len, &o);
	if (r < 0)
		return r;
	trust_api_reply_init(kind, &rep);

	switch (kind) {
	case TRUST_API_ENROLL:
		r = get_fingerprint(o, rep.fingerprint);
		if (r == 0 && !rep.fingerprint[0])
			r = -EBADMSG;
		break;
	case TRUST_API_VALIDATE:
		r = GET_ENUM(o, "certificate", cert_names, rep.certificate);
		if (r == 0 && rep.certificate == TRUST_API_CERT_UNSET)
			r = -EBADMSG;
		if (r == 0)
			r = GET_ENUM(o, "relationship", rel_names,
				     rep.relationship);
		/* Without a matching certificate there is nothing to
		 * relate; with one, the relationship is the point. */
		if (r == 0 && rep.certificate == TRUST_API_CERT_MATCH &&
		    rep.relationship == TRUST_API_REL_UNSET)
			r = -EBADMSG;
		if (r == 0)
			r = GET_ENUM(o, "role", role_names, rep.role);
		if (r == 0)
			r = get_fingerprint(o, rep.fingerprint);
		if (r == 0)
			r = get_string(o, "vuc", 16, &s);
		if (r == 0 && s && *s) {
			if (!vuc_ok(s))
				r = -EBADMSG;
			else
				memcpy(rep.vuc, s, 10);
		}
		if (r == 0)
			r = get_int(o, "vuc_expires", 0, INT64_MAX / 2, &have,
				    &n);
		if (r == 0 && have)
			rep.vuc_expires = n;
		break;
	case TRUST_API_REDEEM:
		r = GET_ENUM(o, "result", redeem_names, rep.result);
		if (r == 0 && rep.result == TRUST_API_REDEEM_UNSET)
			r = -EBADMSG;
		if (r == 0)
			r = get_int(o, "attempts_left", 0, 1000, &have, &n);
		if (r == 0 && have)
			rep.attempts_left = (int)n;
		break;
	case TRUST_API_STATUS:
		r = GET_ENUM(o, "relationship", rel_names, rep.relationship);
		if (r == 0 && rep.relationship == TRUST_API_REL_UNSET)
			r = -EBADMSG;
		if (r == 0)
			r = GET_ENUM(o, "role", role_names, rep.role);
		break;
	}
	json_object_put(o);
	if (r < 0)
		return r;
	rep.http_status = ret->http_status;
	*ret = rep;
	return 0;
}

/* The "error" text of a 4xx/5xx body, if it is JSON we can read. */
static void
parse_error_message(const char *body, size_t len, char *dst)
{
	struct json_object *o;
	const char *s = NULL;

	dst[0] = '\0';
	if (parse_object(body, len, &o) < 0)
		return;
	if (get_string(o, "error", TRUST_API_BODY_MAX, &s) < 0 || !s)
		get_string(o, "message", TRUST_API_BODY_MAX, &s);
	if (s)
		copy_message(dst, s);
	json_object_put(o);
}

void
trust_api_reply_init(enum trust_api_kind kind, struct trust_api_reply *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->kind = kind;
	ret->attempts_left = -1;
}

static int
map_http_status(int code)
{
	if (code == 401)
		return -EACCES;
	if (code == 429)
		return -EAGAIN;
	if (code >= 400 && code < 500)
		return -EINVAL;
	if (code >= 500)
		return -EREMOTEIO;
	return -EBADMSG;	/* 1xx, 3xx: trustd never sends them */
}

int
trust_api_parse_reply(enum trust_api_kind kind, int http_status,
	const char *body, size_t len, struct trust_api_reply *ret)
{
	trust_api_reply_init(kind, ret);
	ret->http_status = http_status;
	if (!trust_api_path(kind))
		ret->error = -EINVAL;
	else if (len > TRUST_API_BODY_MAX)
		ret->error = -E2BIG;
	else if (http_status != 200) {
		if (body && len)
			parse_error_message(body, len, ret->message);
		ret->error = map_http_status(http_status);
	} else if (!body) {
		ret->error = -EBADMSG;
	} else {
		int r = parse_answer(kind, body, len, ret);

		if (r < 0) {
			trust_api_reply_init(kind, ret);
			ret->http_status = http_status;
			ret->error = r;
		}
	}
	return ret->error;
}

int
trust_api_vuc_digits(const char *in, char out[TRUST_API_VUC_DIGITS + 1])
{
	size_t n = 0;

	if (!in || !out)
		return -EINVAL;
	if (strnlen(in, TRUST_API_VUC_INPUT_MAX + 1) > TRUST_API_VUC_INPUT_MAX)
		return -E2BIG;
	for (const char *p = in; *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		if (*p < '0' || *p > '9' || n == TRUST_API_VUC_DIGITS)
			return -EBADMSG;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n == TRUST_API_VUC_DIGITS ? 0 : -EBADMSG;
}
