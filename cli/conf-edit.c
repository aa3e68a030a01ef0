/* INI editing by line for `svopictl setup`: see conf-edit.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "conf-edit.h"

/* Lines without their '\n'; the editor owns the array and every string. */
struct conf_edit {
	char **line;
	size_t n, cap;
	char value[CONF_EDIT_LINE_MAX + 1];	/* conf_edit_get() answers */
};

enum line_kind { LINE_OTHER, LINE_SECTION, LINE_KEY };

/* A view of one line: the name (section or key) and the value. */
struct line_view {
	enum line_kind kind;
	const char *name, *value;
	size_t name_len, value_len;
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

static struct line_view
line_classify(const char *line)
{
	struct line_view v = { .kind = LINE_OTHER };
	const char *s = line, *eq;
	size_t len = strlen(line);

	trim(&s, &len);
	if (len == 0 || s[0] == '#' || s[0] == ';')
		return v;
	if (s[0] == '[' && s[len - 1] == ']' && len >= 2) {
		v.kind = LINE_SECTION;
		v.name = s + 1;
		v.name_len = len - 2;
		trim(&v.name, &v.name_len);
		return v;
	}
	eq = memchr(s, '=', len);
	if (!eq)
		return v;
	v.kind = LINE_KEY;
	v.name = s;
	v.name_len = (size_t)(eq - s);
	trim(&v.name, &v.name_len);
	v.value = eq + 1;
	v.value_len = len - (size_t)(eq + 1 - s);
	trim(&v.value, &v.value_len);
	return v;
}

static bool
name_is(const char *p, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(p, want, n) == 0;
}

static int
edit_insert(struct conf_edit *e, size_t at, char *s)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 32;
		char **nl = realloc(e->line, cap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		e->line = nl;
		e->cap = cap;
	}
	memmove(e->line + at + 1, e->line + at, (e->n - at) * sizeof(*e->line));
	e->line[at] = s;
	e->n++;
	return 0;
}

int
conf_edit_new(const char *text, size_t len, struct conf_edit **ret)
{
	struct conf_edit *e;
	size_t pos = 0;
	int r = 0;

	if (len > CONF_EDIT_MAX)
		return -E2BIG;
	if (len > 0 && memchr(text, '\0', len))
		return -EBADMSG;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	while (pos < len && r == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
		char *s;

		if (n > CONF_EDIT_LINE_MAX) {
			r = -E2BIG;
			break;
		}
		s = strndup(text + pos, n);
		r = s ? edit_insert(e, e->n, s) : -ENOMEM;
		if (r < 0)
			free(s);
		pos += n + 1;
	}
	if (r < 0) {
		conf_edit_free(e);
		return r;
	}
	*ret = e;
	return 0;
}

struct conf_edit *
conf_edit_free(struct conf_edit *e)
{
	if (!e)
		return NULL;
	for (size_t i = 0; i < e->n; i++)
		free(e->line[i]);
	free(e->line);
	free(e);
	return NULL;
}

/* Index of the last section.key line, or -1. In *ret_end (may be NULL) the
 * index after the last key line of the last [section] block, or -1 if
 * there is no such section. */
static long
edit_find(const struct conf_edit *e, const char *section, const char *key,
	long *ret_end)
{
	long found = -1, end = -1;
	bool in = false;

	for (size_t i = 0; i < e->n; i++) {
		struct line_view v = line_classify(e->line[i]);

		if (v.kind == LINE_SECTION) {
			in = name_is(v.name, v.name_len, section);
			if (in)
				end = (long)i + 1;
		} else if (v.kind == LINE_KEY && in) {
			end = (long)i + 1;
			if (name_is(v.name, v.name_len, key))
				found = (long)i;
		}
	}
	if (ret_end)
		*ret_end = end;
	return found;
}

const char *
conf_edit_get(struct conf_edit *e, const char *section, const char *key)
{
	long i = edit_find(e, section, key, NULL);
	struct line_view v;

	if (i < 0)
		return NULL;
	v = line_classify(e->line[i]);
	memcpy(e->value, v.value, v.value_len);
	e->value[v.value_len] = '\0';
	return e->value;
}

static bool
name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CONF_EDIT_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* a, b and c joined in a new string, or NULL. */
static char *
join3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);

	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb);
		memcpy(s + la + lb, c, lc + 1);
	}
	return s;
}

int
conf_edit_set(struct conf_edit *e, const char *section, const char *key,
	const char *value)
{
	long i, end;
	char *kv, *sec;
	int r;

	if (!name_valid(section) || !name_valid(key) ||
	    strlen(value) + strlen(key) + 3 > CONF_EDIT_LINE_MAX)
		return -EINVAL;
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -EINVAL;
	kv = value[0] ? join3(key, " = ", value) : join3(key, " =", "");
	if (!kv)
		return -ENOMEM;
	i = edit_find(e, section, key, &end);
	if (i >= 0) {
		free(e->line[i]);
		e->line[i] = kv;
		return 0;
	}
	if (end >= 0) {
		r = edit_insert(e, (size_t)end, kv);
		if (r < 0)
			free(kv);
		return r;
	}
	sec = join3("[", section, "]");
	if (!sec) {
		free(kv);
		return -ENOMEM;
	}
	/* A blank line between sections, as a person would write it. */
	if (e->n > 0 && e->line[e->n - 1][0]) {
		char *blank = strdup("");

		if (!blank || edit_insert(e, e->n, blank) < 0) {
			free(blank);
			free(sec);
			free(kv);
			return -ENOMEM;
		}
	}
	r = edit_insert(e, e->n, sec);
	if (r < 0) {
		free(sec);
		free(kv);
		return r;
	}
	r = edit_insert(e, e->n, kv);
	if (r < 0)
		free(kv);
	return r;
}

char *
conf_edit_text(const struct conf_edit *e, size_t *ret_len)
{
	size_t len = 0, pos = 0;
	char *out;

	for (size_t i = 0; i < e->n; i++)
		len += strlen(e->line[i]) + 1;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < e->n; i++) {
		size_t n = strlen(e->line[i]);

		memcpy(out + pos, e->line[i], n);
		pos += n;
		out[pos++] = '\n';
	}
	out[pos] = '\0';
	if (ret_len)
		*ret_len = pos;
	return out;
}
