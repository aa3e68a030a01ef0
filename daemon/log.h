/* svopid logging: one line per event on stderr, with a syslog priority
 * prefix ("<3>") when stderr is the journal so levels survive. Secrets are
 * never passed here; peer-controlled strings go through log_quote() and
 * peer-triggered messages through a struct log_ratelimit. */
#ifndef SVOPID_LOG_H
#define SVOPID_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

void log_set_level(int level);
int log_get_level(void);
/* "error", "warning", "info", "debug" -> LOG_*; -EINVAL otherwise. */
int log_parse_level(const char *s);
void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* At most burst messages per interval_ms; the first message after a
 * suppressed stretch says how many were dropped. */
struct log_ratelimit {
	unsigned interval_ms;
	unsigned burst;
	uint64_t begin_ms;
	unsigned count;
	unsigned suppressed;
};
#define LOG_RATELIMIT_INIT(ms, n) { .interval_ms = (ms), .burst = (n) }
void log_ratelimited(struct log_ratelimit *rl, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copies at most n bytes of peer data into out (cap bytes) as printable
 * ASCII, escaping the rest as \xNN and cutting with "..." when too long.
 * Returns out. */
const char *log_quote(const void *p, size_t n, char *out, size_t cap);

#endif
