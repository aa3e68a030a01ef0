#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

int log_max_level = LOG_INFO;
static const char *log_ident = "svopi-trustd";
static int log_journal;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "err", [LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void
log_init(const char *ident)
{
	log_ident = ident;
	/* systemd sets JOURNAL_STREAM when stderr is the journal. */
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

int
log_level_parse(const char *s, int *ret_level)
{
	for (int i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*ret_level = i;
			return 0;
		}
	return -EINVAL;
}

void
log_msg(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > log_max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "%s: %s: %s\n", log_ident, level_names[level],
			line);
}

void
log_peer(int level, const char *fmt, ...)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static time_t second;
	static unsigned n, dropped;
	time_t now = time(NULL);
	unsigned was_dropped = 0;
	char line[1024];
	int drop;
	va_list ap;

	if (level > log_max_level)
		return;
	pthread_mutex_lock(&lock);
	if (now != second) {
		was_dropped = dropped;
		second = now;
		n = 0;
		dropped = 0;
	}
	drop = n++ >= LOG_PEER_BURST;
	if (drop)
		dropped++;
	pthread_mutex_unlock(&lock);
	if (was_dropped)
		log_msg(LOG_NOTICE, "%u messages from peers dropped",
			was_dropped);
	if (drop)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_msg(level, "%s", line);
}
