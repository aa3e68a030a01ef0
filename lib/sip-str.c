#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sip-str.h"

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

bool
sip_str_empty(struct sip_str s)
{
	return s.len == 0;
}

bool
sip_str_eq(struct sip_str s, const char *z)
{
	size_t n = strlen(z);

	return s.len == n && (n == 0 || memcmp(s.p, z, n) == 0);
}

bool
sip_str_caseeq(struct sip_str s, const char *z)
{
	size_t n = strlen(z);

	return sip_str_caseeq_str(s, (struct sip_str){ z, n });
}

bool
sip_str_caseeq_str(struct sip_str a, struct sip_str b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i]))
			return false;
	return true;
}

bool
sip_str_eq_str(struct sip_str a, struct sip_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

int
sip_str_u32(struct sip_str s, uint32_t max, uint32_t *ret_v)
{
	uint64_t v = 0;

	if (s.len == 0)
		return -EBADMSG;
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -EBADMSG;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
		if (v > max)
			return -E2BIG;
	}
	*ret_v = (uint32_t)v;
	return 0;
}

char *
sip_str_dup(struct sip_str s)
{
	char *z;

	if (s.len && memchr(s.p, '\0', s.len))
		return NULL;
	z = malloc(s.len + 1);
	if (!z)
		return NULL;
	if (s.len)
		memcpy(z, s.p, s.len);
	z[s.len] = '\0';
	return z;
}

long
sip_str_unquote(struct sip_str s, char *out, size_t cap)
{
	size_t i = 0, end = s.len, n = 0;

	if (cap == 0)
		return -E2BIG;
	if (s.len && s.p[0] == '"') {
		if (s.len < 2 || s.p[s.len - 1] != '"')
			return -EBADMSG;
		i = 1;
		end = s.len - 1;
	}
	for (; i < end; i++) {
		char c = s.p[i];

		if (c == '\0')
			return -EBADMSG;
		if (c == '"' && s.p[0] == '"')
			return -EBADMSG;	/* an inner unescaped quote */
		if (c == '\\' && s.p[0] == '"') {
			if (++i >= end)
				return -EBADMSG;
			c = s.p[i];
			if (c == '\0' || c == '\r' || c == '\n')
				return -EBADMSG;
		}
		if (n + 1 >= cap)
			return -E2BIG;
		out[n++] = c;
	}
	out[n] = '\0';
	return (long)n;
}

int
sip_str_list_next(struct sip_str *rest, struct sip_str *ret_item)
{
	const char *p = rest->p;
	size_t len = rest->len, i = 0, start, end;
	bool quoted = false, angle = false;

	while (i < len && is_ws(p[i]))
		i++;
	if (i == len) {
		rest->p += len;
		rest->len = 0;
		return 0;
	}
	start = i;
	for (; i < len; i++) {
		char c = p[i];

		if (quoted) {
			if (c == '\\') {
				if (i + 1 >= len)
					return -EBADMSG;
				i++;
			} else if (c == '"') {
				quoted = false;
			}
		} else if (angle) {
			if (c == '>')
				angle = false;
			else if (c == '<')
				return -EBADMSG;
		} else if (c == '"') {
			quoted = true;
		} else if (c == '<') {
			angle = true;
		} else if (c == '>') {
			return -EBADMSG;
		} else if (c == ',') {
			break;
		}
	}
	if (quoted || angle)
		return -EBADMSG;
	end = i;
	while (end > start && is_ws(p[end - 1]))
		end--;
	if (end == start)
		return -EBADMSG;
	ret_item->p = p + start;
	ret_item->len = end - start;
	if (i < len)
		i++;	/* the comma */
	/* A trailing comma leaves an empty element: malformed. */
	if (i == len && p[i - 1] == ',')
		return -EBADMSG;
	rest->p = p + i;
	rest->len = len - i;
	return 1;
}

int
sip_str_param(struct sip_str params, const char *name,
    struct sip_str *ret_value)
{
	size_t i = 0, len = params.len;
	const char *p = params.p;

	while (i < len) {
		size_t ns, ne, vs, ve;
		bool quoted = false;

		while (i < len && (p[i] == ';' || is_ws(p[i])))
			i++;
		ns = i;
		while (i < len && p[i] != '=' && p[i] != ';' && !is_ws(p[i]))
			i++;
		ne = i;
		while (i < len && is_ws(p[i]))
			i++;
		vs = ve = i;
		if (i < len && p[i] == '=') {
			i++;
			while (i < len && is_ws(p[i]))
				i++;
			vs = i;
			for (; i < len; i++) {
				if (quoted && p[i] == '\\' && i + 1 < len)
					i++;
				else if (p[i] == '"')
					quoted = !quoted;
				else if (!quoted && p[i] == ';')
					break;
			}
			ve = i;
			while (ve > vs && is_ws(p[ve - 1]))
				ve--;
		}
		if (ne > ns && sip_str_caseeq((struct sip_str){ p + ns,
		    ne - ns }, name)) {
			ret_value->p = p + vs;
			ret_value->len = ve - vs;
			return 0;
		}
	}
	return -ENOENT;
}
