/* Levelled logging to stderr; under systemd the journal reads the
 * <N> prefixes (sd-daemon(3)). */
#ifndef TRUSTD_LOG_H
#define TRUSTD_LOG_H

#include <syslog.h>

extern int log_max_level;

void log_init(const char *ident);
/* Parses "debug", "info", "notice", "warning", "err"; -EINVAL otherwise. */
int log_level_parse(const char *s, int *ret_level);
void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* For messages a peer can trigger: at most LOG_PEER_BURST per second,
 * then one line saying how many were dropped. */
#define LOG_PEER_BURST 20
void log_peer(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)

#endif
