/* See log.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/log.h"

static int log_level = LOG_INFO;
static int log_journal = -1;

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

int
log_parse_level(const char *s)
{
	static const struct { const char *name; int level; } names[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].level;
	return -22;	/* -EINVAL */
}

static void
log_vmsg(int level, const char *fmt, va_list ap)
{
	static const char *const tags[] = {
		"emerg", "alert", "crit", "error", "warning", "notice", "info",
		"debug",
	};
	char line[2048];

	if (level > log_level)
		return;
	if (log_journal < 0)
		log_journal = getenv("JOURNAL_STREAM") != NULL;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "svopid: %s: %s\n", tags[level & 7], line);
}

void
log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static uint64_t
log_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
log_ratelimited(struct log_ratelimit *rl, int level, const char *fmt, ...)
{
	uint64_t now = log_now_ms();
	va_list ap;

	if (level > log_level)
		return;
	if (rl->begin_ms == 0 || now - rl->begin_ms >= rl->interval_ms) {
		if (rl->suppressed)
			log_msg(level, "(%u similar messages suppressed)",
				rl->suppressed);
		rl->begin_ms = now;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count >= rl->burst) {
		rl->suppressed++;
		return;
	}
	rl->count++;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

const char *
log_quote(const void *p, size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = p;
	size_t o = 0;

	if (cap == 0)
		return out;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;

		if (o + need + 4 > cap) {
			if (o + 4 <= cap) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 1) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}
