/* One logger for every svopi program (svopid, svopi-trustd,
 * svopi-trustadm, svopictl): one line per event on stderr.
 *
 * - Under systemd, stderr is the journal only when $JOURNAL_STREAM names
 *   the device:inode that fstat(2) reports for fd 2 (systemd.exec(5));
 *   then each line starts with a "<N>" priority prefix (sd-daemon(3)) so
 *   levels survive. Anything else (a terminal, a pipe, a file, a child of
 *   a journal-connected shell whose stderr was redirected) gets
 *   "ident: level: message" and never a "<N>".
 * - One set of level names, the same in every config file and option:
 *   "error", "warning", "notice", "info", "debug".
 * - Secrets are never passed here; peer-controlled strings go through
 *   log_quote(); messages a peer can trigger go through a
 *   struct log_ratelimit (log_ratelimited) or log_peer().
 * - Thread-safe: trustd logs from several event-loop threads.
 *
 * This is not in lib/ because lib/ does no I/O (docs/architecture.md). */
#ifndef SVOPI_COMMON_LOG_H
#define SVOPI_COMMON_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

/* The program name in lines not sent to the journal; default: the name
 * the program was started as. ident is borrowed for the process' life. */
void log_init(const char *ident);
void log_set_level(int level);
int log_get_level(void);
/* "error", "warning", "notice", "info", "debug" -> LOG_*; -EINVAL
 * otherwise. */
int log_parse_level(const char *s);
/* The name of a LOG_* level, as log_parse_level reads it. */
const char *log_level_to_string(int level);

void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
/* trustd's spelling of log_error, kept so its call sites need no change. */
#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)

/* At most burst messages per interval_ms; the first message after a
 * suppressed stretch says how many were dropped. Safe to share between
 * threads. */
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

/* For messages a peer can trigger where no finer limit fits: at most
 * LOG_PEER_BURST per second over the whole process. */
#define LOG_PEER_BURST 20
void log_peer(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copies at most n bytes of peer data into out (cap bytes) as printable
 * ASCII, escaping the rest as \xNN and cutting with "..." when too long.
 * Returns out. */
const char *log_quote(const void *p, size_t n, char *out, size_t cap);

/* Whether lines go to the journal with "<N>" prefixes (see above). */
bool log_to_journal(void);

#endif
