/* See text.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "notify/text.h"

static bool
text_peer_char_ok(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return !strchr("<>&\"'\\`", c);
}

int
text_peer_check(const char *s, size_t len)
{
	size_t skip;

	if (len > TEXT_PEER_MAX)
		return -E2BIG;
	if (len > 4 && strncmp(s, "sip:", 4) == 0)
		skip = 4;
	else if (len > 5 && strncmp(s, "sips:", 5) == 0)
		skip = 5;
	else
		return -EBADMSG;
	for (size_t i = skip; i < len; i++)
		if (!text_peer_char_ok((unsigned char)s[i]))
			return -EBADMSG;
	return 0;
}

int
text_peer_name(const char *peer, char *out, size_t outsz)
{
	const char *p = strchr(peer, ':'), *at, *end;
	size_t n;

	if (outsz == 0)
		return -EINVAL;
	p = p ? p + 1 : peer;
	at = strchr(p, '@');
	if (at && at > p) {
		end = at;
	} else {
		if (at)
			p = at + 1;
		end = p + strcspn(p, ":;?");
	}
	n = (size_t)(end - p);
	if (n > TEXT_NAME_MAX)
		n = TEXT_NAME_MAX;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int
text_code_parse(const char *s, size_t len, char out[TEXT_CODE_LEN + 1])
{
	char d[8];
	size_t n = 0;

	if (len > TEXT_CODE_INPUT_MAX)
		return -E2BIG;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9') {
			if (n == sizeof(d))
				return -EBADMSG;
			d[n++] = c;
		} else if (c != ' ' && c != '-' && c != '\t' && c != '\n' &&
		    c != '\r') {
			return -EBADMSG;
		}
	}
	if (n != sizeof(d))
		return -EBADMSG;
	memcpy(out, d, 4);
	out[4] = '-';
	memcpy(out + 5, d + 4, 4);
	out[TEXT_CODE_LEN] = '\0';
	return 0;
}

static bool
text_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F');
}

static bool
text_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of a hex run at s (colons allowed between hex digits) counted in
 * hex digits; *span gets its length in bytes. */
static size_t
text_hex_run(const char *s, size_t len, size_t *span)
{
	size_t i = 0, digits = 0;

	while (i < len) {
		if (text_is_hex(s[i])) {
			digits++;
			i++;
		} else if (s[i] == ':' && i > 0 && i + 1 < len &&
		    text_is_hex(s[i + 1])) {
			i++;
		} else {
			break;
		}
	}
	*span = i;
	return digits;
}

/* Bytes of a code-like run at s ("1234-5678", "1234 5678", "12345678"),
 * 0 if there is none. */
static size_t
text_code_run(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	while (i < len && digits < 8) {
		if (text_is_digit(s[i]))
			digits++;
		else if (!((s[i] == '-' || s[i] == ' ') && digits == 4))
			break;
		i++;
	}
	return digits == 8 ? i : 0;
}

/* One byte of shown text: printable ASCII, and never a character that a
 * server with body markup would interpret. */
static char
text_plain_char(unsigned char c)
{
	if (c < 0x20 || c >= 0x7f)
		return '?';
	if (c == '<')
		return '(';
	if (c == '>')
		return ')';
	if (c == '&')
		return '+';
	return (char)c;
}

static size_t
text_put(char *out, size_t outsz, size_t o, const char *add, bool *cut)
{
	size_t n = strlen(add);

	if (o + n >= outsz) {
		*cut = true;
		return o;
	}
	memcpy(out + o, add, n);
	return o + n;
}

int
text_sanitize(const char *s, size_t len, char *out, size_t outsz)
{
	size_t o = 0, span;
	bool cut = false, trunc = false;

	if (outsz < 4)
		return -EINVAL;
	if (len > TEXT_REASON_MAX) {
		len = TEXT_REASON_MAX;
		trunc = true;
	}
	for (size_t i = 0; i < len && !cut; ) {
		bool boundary = i == 0 || !text_is_hex(s[i - 1]);
		size_t c;

		if (boundary && text_hex_run(s + i, len - i, &span) >= 16) {
			o = text_put(out, outsz - 3, o, "[fingerprint hidden]",
				&cut);
			i += span;
		} else if (boundary && (c = text_code_run(s + i, len - i))) {
			o = text_put(out, outsz - 3, o, "[code hidden]", &cut);
			i += c;
		} else if (o + 1 >= outsz - 3) {
			cut = true;
		} else {
			out[o++] = text_plain_char((unsigned char)s[i++]);
		}
	}
	if (cut || trunc) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return (int)o;
}

/* Reasons svopid gives (daemon/call.c) and the sentence for each; the
 * first entry whose needle occurs in the reason wins. %s is the peer. */
static const struct {
	const char *needle;
	const char *words;
} text_alerts[] = {
	{ "changed since it was trusted",
	  "%s's key changed since your last call; the call was refused "
	  "until the trust server confirms the new key." },
	{ "trusts another certificate",
	  "%s's key changed since your last call; the call was refused." },
	{ "not the one trusted",
	  "%s's key changed since your last call; the call was refused." },
	{ "is not the peer's reference",
	  "%s's key is no longer the one the trust server holds; the call "
	  "was refused." },
	{ "certificate mismatch",
	  "The trust server does not confirm the keys of this call with %s; "
	  "the call was refused." },
	{ "certificate unknown-user",
	  "%s is not known at the trust server; the call was refused." },
	{ "certificate not-enrolled",
	  "%s has no key at the trust server yet; the call was refused." },
	{ "signed by another identity",
	  "The answer did not come from %s; the call was ended." },
	{ "identity",
	  "The other side did not prove to be %s; the call was refused." },
	{ "key exchange",
	  "The key exchange with %s failed a security check; the call was "
	  "ended." },
	{ "MIKEY",
	  "The key exchange with %s failed a security check; the call was "
	  "refused." },
};

/* Writes fmt with its one "%s" replaced by name (a table entry, not a
 * printf format: the table is data). */
static int
text_fill(const char *fmt, const char *name, char *out, size_t outsz)
{
	const char *at = strstr(fmt, "%s");
	int n;

	if (!at)
		n = snprintf(out, outsz, "%s", fmt);
	else
		n = snprintf(out, outsz, "%.*s%s%s", (int)(at - fmt), fmt, name,
			at + 2);
	if (n < 0)
		return 0;
	return (size_t)n >= outsz ? (int)outsz - 1 : n;
}

int
text_alert_words(const char *name, const char *reason, char *out,
	size_t outsz)
{
	const char *fmt = "A security check failed for the call with %s; the "
		"call was refused.";

	for (size_t i = 0; i < sizeof(text_alerts) / sizeof(text_alerts[0]);
	    i++) {
		if (strstr(reason, text_alerts[i].needle)) {
			fmt = text_alerts[i].words;
			break;
		}
	}
	return text_fill(fmt, name, out, outsz);
}

int
text_end_words(const char *name, const char *reason, char *out,
	size_t outsz)
{
	int n;

	if (outsz == 0 || strcmp(reason, "local hangup") == 0) {
		if (outsz)
			*out = '\0';
		return 0;
	}
	if (strcmp(reason, "remote hangup") == 0)
		n = snprintf(out, outsz, "%s hung up.", name);
	else if (strcmp(reason, "cancelled by the caller") == 0)
		n = snprintf(out, outsz, "%s cancelled the call.", name);
	else if (strstr(reason, "trust not established"))
		n = snprintf(out, outsz, "The code was not entered in time; "
			"the call with %s ended.", name);
	else if (*reason)
		n = snprintf(out, outsz, "The call with %s ended: %s", name,
			reason);
	else
		n = snprintf(out, outsz, "The call with %s ended.", name);
	if (n < 0)
		return 0;
	return (size_t)n >= outsz ? (int)outsz - 1 : n;
}
