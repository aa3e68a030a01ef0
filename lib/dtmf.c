/* RFC 4733 telephone events: see dtmf.h. */
#include <errno.h>
#include <string.h>

#include "dtmf.h"

static const char dtmf_chars[] = "0123456789*#ABCD";

int
dtmf_from_char(char c)
{
	const char *p;

	if (c >= 'a' && c <= 'd')
		c = (char)(c - 'a' + 'A');
	if (!c || !(p = strchr(dtmf_chars, c)))
		return -EINVAL;
	return (int)(p - dtmf_chars);
}

char
dtmf_to_char(uint8_t event)
{
	return event <= DTMF_EVENT_MAX ? dtmf_chars[event] : 0;
}

int
dtmf_check_digits(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++, n++) {
		if (n >= DTMF_DIGITS_MAX)
			return -E2BIG;
		if (dtmf_from_char(*s) < 0)
			return -EINVAL;
	}
	return 0;
}

int
dtmf_event_write(const struct dtmf_event *e, uint8_t *out, size_t cap)
{
	if (e->event > DTMF_EVENT_MAX || e->volume > 63)
		return -EINVAL;
	if (cap < DTMF_EVENT_LEN)
		return -ENOBUFS;
	out[0] = e->event;
	out[1] = (uint8_t)((e->end ? 0x80 : 0) | e->volume);
	out[2] = (uint8_t)(e->duration >> 8);
	out[3] = (uint8_t)e->duration;
	return DTMF_EVENT_LEN;
}

int
dtmf_event_parse(const uint8_t *data, size_t len, struct dtmf_event *ret)
{
	if (!data || len != DTMF_EVENT_LEN)
		return -EBADMSG;
	if (data[0] > DTMF_EVENT_MAX)
		return -ENOTSUP;
	ret->event = data[0];
	ret->end = (data[1] & 0x80) != 0;
	ret->volume = data[1] & 0x3f;
	ret->duration = (uint16_t)(data[2] << 8 | data[3]);
	return 0;
}
